import assert from "node:assert/strict";
import fc from "fast-check";
import {
  berkeleyFactory,
  ClockDiscipline,
  cristianFactory,
  faultTolerantAverage,
  naiveFactory,
  ntpFactory,
  type NtpMessage,
  NtpNode,
  ntpOffsetDelay,
  readClocks,
  sampleClocks,
  type SyncNode,
  type SyncNodeFactory,
} from "@lab/clocks/mod.ts";
import { createCluster, type LinkOverrideSchema } from "@lab/net/mod.ts";
import type { z } from "zod";
import { fakeContext } from "./_fake_ctx.ts";

type Latency = { kind: "constant"; ms: number } | { kind: "uniform"; minMs: number; maxMs: number };

/** n0 (the reference: true time) and clients n1.., with per-direction latency to/from n0. */
function cluster(
  factory: SyncNodeFactory<unknown>,
  o: {
    seed?: number;
    clients?: { offsetMs: number; drift?: number }[];
    latency?: Latency;
    outMs?: number;
    backMs?: number;
    trace?: "off" | "full";
  },
) {
  const clients = o.clients ?? [{ offsetMs: 0 }];
  const ids = ["n0", ...clients.map((_, i) => `n${i + 1}`)];
  const links: z.input<typeof LinkOverrideSchema>[] = [];
  if (o.outMs !== undefined && o.backMs !== undefined) {
    for (const id of ids.slice(1)) {
      links.push({ from: id, to: "n0", bidirectional: false, latency: c(o.outMs) });
      links.push({ from: "n0", to: id, bidirectional: false, latency: c(o.backMs) });
    }
  }
  return createCluster<unknown>({
    seed: o.seed ?? 1,
    nodes: ids,
    factory,
    network: { latency: o.latency ?? c(5), links },
    clocks: Object.fromEntries(
      clients.map((k, i) => [`n${i + 1}`, { offsetMs: k.offsetMs, drift: k.drift ?? 0 }]),
    ),
    trace: { mode: o.trace ?? "off" },
  });
}
const c = (ms: number) => ({ kind: "constant" as const, ms });

Deno.test("discipline: step, setTo and frequency keep a continuous corrected clock", () => {
  let raw = 1_000;
  const d = new ClockDiscipline(() => raw);
  assert.equal(d.correctedNowMs(), 1_000);
  d.step(-30);
  assert.equal(d.correctedNowMs(), 970);
  assert.equal(d.setTo(2_000), 1_030);
  raw = 1_100;
  assert.equal(d.correctedNowMs(), 2_100);
  d.setFrequency(0.01);
  assert.equal(d.correctedNowMs(), 2_100);
  raw = 2_100;
  assert.ok(Math.abs(d.correctedNowMs() - 3_110) < 1e-9);
  assert.deepEqual(d.inspect().steps, 2);
  assert.throws(() => d.setFrequency(0.9), RangeError);
});

Deno.test("berkeley: fault-tolerant averaging leaves outliers out of the mean", () => {
  const r = faultTolerantAverage([0, 4, -2, 300], 10);
  assert.ok(Math.abs(r.mean - 2 / 3) < 1e-12);
  assert.deepEqual(r.used, [true, true, true, false]);
  // equal-sized groups: the master's own clock (index 0) decides
  assert.deepEqual(faultTolerantAverage([100, 0, 5, 103], 5, 0).used, [true, false, false, true]);
  assert.equal(faultTolerantAverage([7], 0).mean, 7);
});

Deno.test("ntp: on-wire offset and delay (RFC 5905)", () => {
  // client 50 ms behind, 10 ms each way, 0 ms processing
  assert.deepEqual(ntpOffsetDelay(100, 160, 160, 120), { offsetMs: 50, delayMs: 20 });
  // server processing time is not delay
  assert.deepEqual(ntpOffsetDelay(100, 160, 190, 150), { offsetMs: 50, delayMs: 20 });
});

Deno.test("ntp handler: server stamps t2/t3 around its processing time, client applies θ", () => {
  const server = fakeContext<NtpMessage>("n0", ["n1"], 5_000);
  const s = new NtpNode(server, { serverProcessingMs: 3 });
  s.onMessage("n1", { type: "ntpRequest", seq: 1, t1: 4_900 });
  assert.equal(server.sent.length, 0);
  const [name] = [...server.timers.keys()];
  assert.equal(server.timers.get(name), 3);
  server.clockMs = 5_003;
  s.onTimer(name);
  assert.deepEqual(server.sent[0].msg, {
    type: "ntpReply",
    seq: 1,
    t1: 4_900,
    t2: 5_000,
    t3: 5_003,
  });

  const client = fakeContext<NtpMessage>("n1", ["n0"], 4_900);
  const n = new NtpNode(client);
  n.start();
  assert.deepEqual(client.sent[0].msg, { type: "ntpRequest", seq: 1, t1: 4_900 });
  assert.equal(client.timers.get("poll"), 10_000);
  client.clockMs = 4_913; // 5 ms out, 3 ms processing, 5 ms back; client is 100 ms behind
  n.onMessage("n0", { type: "ntpReply", seq: 1, t1: 4_900, t2: 5_005, t3: 5_008 });
  assert.equal(n.correctedNowMs(), 5_013);
  assert.equal(client.emitted[0].delayMs, 10);
  // a replayed or bogus reply (origin timestamp unknown) is ignored
  n.onMessage("n0", { type: "ntpReply", seq: 1, t1: 4_900, t2: 9_999, t3: 9_999 });
  assert.equal(client.emitted.length, 1);
});

Deno.test("ntp: offset error under asymmetric paths is (d_out − d_back)/2 with constant latencies", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: -5_000, max: 5_000 }),
      fc.integer({ min: 0, max: 50 }),
      (outMs, backMs, offsetMs, serverProcessingMs) => {
        const { sim } = cluster(ntpFactory({ serverProcessingMs }), {
          clients: [{ offsetMs }],
          outMs,
          backMs,
        });
        sim.run({ untilMs: 25_000 }); // three polls
        const [, n1] = readClocks(sim);
        assert.ok(
          Math.abs(n1.errorMs - (outMs - backMs) / 2) < 1e-6,
          `out=${outMs} back=${backMs}: error ${n1.errorMs}`,
        );
      },
    ),
    { numRuns: 100, seed: 5 },
  );
});

Deno.test("cristian: right after each synchronization |error| ≤ RTT/2", () => {
  const latency = fc.oneof(
    fc.tuple(fc.nat({ max: 20 }), fc.nat({ max: 200 })).map(([lo, extra]) => ({
      kind: "uniform" as const,
      minMs: lo,
      maxMs: lo + extra,
    })),
    fc.integer({ min: 1, max: 100 }).map((ms) => ({ kind: "constant" as const, ms })),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10_000 }),
      latency,
      fc.integer({ min: -100, max: 100 }),
      fc.integer({ min: 1, max: 3 }),
      (seed, lat, driftPpm, maxAttempts) => {
        const { sim } = cluster(cristianFactory({ maxAttempts }), {
          seed,
          clients: [{ offsetMs: 300, drift: driftPpm * 1e-6 }, { offsetMs: -300 }],
          latency: lat,
        });
        let syncs = 0;
        sim.onEvent((e) => {
          if (e.event.type !== "sync") return;
          syncs++;
          const err = sim.instanceOf<SyncNode>(e.node)!.correctedNowMs() - sim.nowMs;
          const rtt = e.event.rttMs as number;
          // slack: the drift of 100 ppm over a round of at most three round trips (< 0.1 ms)
          assert.ok(Math.abs(err) <= rtt / 2 + 0.1, `error ${err} > RTT/2 = ${rtt / 2}`);
        });
        sim.run({ untilMs: 35_000 });
        assert.ok(syncs >= 6);
      },
    ),
    { numRuns: 100, seed: 9 },
  );
});

Deno.test("naive: ignoring the delay leaves the clock behind by the reply's one-way delay", () => {
  const { sim } = cluster(naiveFactory(), {
    clients: [{ offsetMs: 500 }],
    outMs: 30,
    backMs: 12,
  });
  sim.run({ untilMs: 15_000 });
  assert.ok(Math.abs(readClocks(sim)[1].errorMs + 12) < 1e-9);
});

Deno.test("drift: error grows linearly at rate |drift| between polls; polling more often cuts the max", () => {
  const drift = 200e-6;
  const maxErr: number[] = [];
  for (const pollIntervalMs of [2_000, 8_000]) {
    const { sim } = cluster(cristianFactory({ pollIntervalMs }), {
      clients: [{ offsetMs: 100, drift }],
      latency: c(5),
    });
    const syncs: number[] = [];
    sim.onEvent((e) => e.event.type === "sync" && syncs.push(e.t));
    const rows = sampleClocks(sim, { everyMs: 100, untilMs: 60_000, nodes: ["n1"] });
    let slopes = 0;
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1], b = rows[i];
      if (syncs.some((t) => t > a.tMs && t <= b.tMs)) continue; // a correction in between
      const slope = (b.errorMs - a.errorMs) / (b.tMs - a.tMs);
      assert.ok(Math.abs(slope - drift) < 1e-9, `slope ${slope} at t=${b.tMs}`);
      slopes++;
    }
    assert.ok(slopes > 500);
    const steady = rows.filter((r) => r.tMs >= 10_000).map((r) => Math.abs(r.errorMs));
    const m = Math.max(...steady);
    // between polls the error climbs from ≈ 0 to drift × interval
    assert.ok(Math.abs(m - drift * pollIntervalMs) < 0.1 * drift * pollIntervalMs, `max ${m}`);
    maxErr.push(m);
  }
  assert.ok(maxErr[0] < maxErr[1] / 3, `max errors ${maxErr}`);
});

Deno.test("ntp: the clock filter trusts the least-delay sample; frequency correction beats drift", () => {
  const drift = -300e-6;
  const run = (frequencyGain: number) => {
    const { sim } = cluster(ntpFactory({ frequencyGain }), {
      seed: 4,
      clients: [{ offsetMs: 50, drift }],
      latency: { kind: "uniform", minMs: 4, maxMs: 6 },
    });
    const rows = sampleClocks(sim, { everyMs: 250, untilMs: 300_000, nodes: ["n1"] });
    const selected = sim.events.map((e) => e.event.selectedDelayMs as number);
    return {
      maxErr: Math.max(...rows.filter((r) => r.tMs > 150_000).map((r) => Math.abs(r.errorMs))),
      selected,
      sim,
    };
  };
  const plain = run(0), fll = run(0.5);
  // the filter's selected delay is the minimum of the last 8 samples, so it never exceeds the sample's
  for (const e of plain.sim.events) {
    assert.ok((e.event.selectedDelayMs as number) <= (e.event.delayMs as number));
  }
  assert.ok(fll.maxErr < plain.maxErr / 2, `with FLL ${fll.maxErr}, without ${plain.maxErr}`);
});

Deno.test("berkeley: clocks agree with each other, follow their average, outliers are corrected", () => {
  const clients = [{ offsetMs: 10 }, { offsetMs: 20 }, { offsetMs: -6 }, { offsetMs: 900 }];
  const { sim } = cluster(berkeleyFactory({ maxDeviationMs: 50 }), {
    clients,
    latency: c(5),
    trace: "full",
  });
  sim.run({ untilMs: 5_000 });
  const rows = readClocks(sim);
  const errs = rows.map((r) => r.errorMs);
  // the average of 0, 10, 20, −6 (the 900 ms clock left out) with exact RTT/2 estimates
  for (const e of errs) assert.ok(Math.abs(e - 6) < 1e-6, `errors ${errs}`);
  const sync = sim.events.find((e) => e.event.type === "sync")!;
  assert.equal(sync.event.used, 4);
});

Deno.test("sampling: rows hold true, raw and corrected time, and do not change the run", () => {
  const make = () =>
    cluster(ntpFactory(), {
      clients: [{ offsetMs: 80, drift: 1e-4 }],
      trace: "full",
    }).sim;
  const a = make(), b = make();
  const rows = sampleClocks(a, { everyMs: 333, untilMs: 20_000 });
  b.run({ untilMs: 20_000 });
  assert.equal(a.trace.hash(), b.trace.hash());
  for (const r of rows) {
    assert.equal(r.trueMs, r.tMs);
    assert.equal(r.errorMs, r.correctedMs - r.trueMs);
  }
  const first = rows.find((r) => r.node === "n1")!;
  assert.equal(first.tMs, 0);
  assert.equal(first.localMs, 80);
  const last = rows.filter((r) => r.node === "n1").at(-1)!;
  assert.ok(Math.abs(last.localMs - (last.tMs * 1.0001 + 80)) < 1e-6);
  assert.ok(Math.abs(last.errorMs) < 3);
});
