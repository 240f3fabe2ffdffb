import assert from "node:assert/strict";
import {
  builtInSyncAlgorithms,
  ClockDiscipline,
  type ClockSampleRow,
  cristianFactory,
  parseSyncScenario,
  runSyncScenario,
  scenarioClocks,
  scoreSamples,
  scoreSync,
  summarizeSyncScores,
  type SyncAlgorithm,
  type SyncNode,
} from "@lab/clocks/mod.ts";
import { ConfigError, type NodeContext, type NodeId } from "@lab/sim/mod.ts";

const FAST = { seeds: [1, 2], durationMs: 150_000, sampleEveryMs: 500 };

Deno.test("harness: scenario parameters are validated, naming the field", () => {
  assert.throws(() => parseSyncScenario({ settleMs: 200_000 }), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /settleMs/);
    return true;
  });
  assert.throws(() => parseSyncScenario({ jump: { node: "n9" } }), /jump\.node/);
  assert.throws(() => parseSyncScenario({ jump: { atMs: 10 } }), /jump\.atMs/);
  assert.throws(() => parseSyncScenario({ nodes: 1 }), /nodes/);
  assert.throws(() => parseSyncScenario({ latency: { kind: "constant" } } as never), /latency/);
  assert.throws(() => parseSyncScenario({ bogus: 1 } as never), ConfigError);
  // a jump outside the run is fine when the jump variant is not run
  parseSyncScenario({ jump: { atMs: 10 }, variants: ["baseline"] });
});

Deno.test("harness: every algorithm faces the same clocks; n0 is the reference", () => {
  const a = scenarioClocks({}, 3), b = scenarioClocks({}, 3);
  assert.deepEqual(a, b);
  assert.deepEqual(a.n0, { offsetMs: 0, drift: 0 });
  assert.notDeepEqual(scenarioClocks({}, 4).n1, a.n1);
  const run = runSyncScenario(builtInSyncAlgorithms()[0], FAST, { variant: "baseline", seed: 3 });
  assert.deepEqual(run.clocks, a);
  const first = run.samples.filter((r) => r.tMs === 0);
  for (const r of first) assert.ok(Math.abs(r.errorMs - a[r.node].offsetMs) < 1e-9);
});

Deno.test("harness: scoring definitions on synthetic readings", () => {
  const scenario = parseSyncScenario({
    durationMs: 10_000,
    settleMs: 2_000,
    toleranceMs: 1,
    nodes: 2,
    jump: { atMs: 6_000, node: "n1" },
  });
  const err = (t: number) => (t < 3_000 ? 5 : t < 6_000 ? 0.5 : t < 8_000 ? 100 : 0.2);
  const samples: ClockSampleRow[] = [];
  for (let t = 0; t <= 10_000; t += 1_000) {
    for (const node of ["n0", "n1"]) {
      const e = node === "n0" ? 0 : err(t);
      samples.push({ tMs: t, node, trueMs: t, localMs: t, correctedMs: t + e, errorMs: e });
    }
  }
  const jump = scoreSamples(samples, {
    algorithm: "x",
    variant: "jump",
    seed: 1,
    scenario,
    messagesSent: 40,
  });
  assert.equal(jump.convergedAtMs, 3_000); // last violation before the jump at 2 000
  assert.equal(jump.maxAbsErrorMs, 100);
  assert.equal(jump.maxSkewMs, 100);
  assert.equal(jump.recovered, true);
  assert.equal(jump.recoveryMs, 2_000); // back within 0.5 + 1 ms at 8 000
  assert.equal(jump.messagesPerNodePerMinute, 40 / 2 / (10_000 / 60_000));
  const base = scoreSamples(samples, {
    algorithm: "x",
    variant: "baseline",
    seed: 1,
    scenario,
    messagesSent: 0,
  });
  assert.equal(base.convergedAtMs, 8_000);
  assert.equal(base.recovered, null);
  assert.equal(base.recoveryMs, null);
});

Deno.test("harness: built-ins rank as theory predicts", () => {
  const rows = scoreSync(builtInSyncAlgorithms(), FAST);
  assert.equal(rows.length, 5 * 3 * 2);
  const s = new Map(summarizeSyncScores(rows).map((r) => [`${r.algorithm}/${r.variant}`, r]));
  const get = (k: string) => s.get(k)!;
  // baseline: delay-compensating algorithms beat the naive one, which beats no sync at all
  assert.ok(get("ntp/baseline").meanAbsErrorMs < get("naive/baseline").meanAbsErrorMs);
  assert.ok(get("cristian/baseline").meanAbsErrorMs < get("naive/baseline").meanAbsErrorMs);
  assert.ok(get("naive/baseline").maxAbsErrorMs < get("free-running/baseline").maxAbsErrorMs);
  assert.equal(get("ntp/baseline").convergedSeeds, 2);
  assert.equal(get("cristian/baseline").convergedSeeds, 2);
  assert.equal(get("free-running/baseline").messagesPerNodePerMinute, 0);
  // Berkeley synchronizes internally: clocks agree, but follow their average, not true time
  const berkeley = get("berkeley/baseline");
  assert.ok(berkeley.maxSkewMs < 15, `skew ${berkeley.maxSkewMs}`);
  assert.ok(berkeley.meanAbsErrorMs > 3 * berkeley.maxSkewMs);
  // asymmetric paths: two-way estimates are off by (out − back)/2 = (40 − 4)/2 = 18 ms
  for (const a of ["ntp", "cristian"]) {
    const r = get(`${a}/asymmetric`);
    assert.ok(Math.abs(r.meanAbsErrorMs - 18) < 2, `${a}: ${r.meanAbsErrorMs}`);
    assert.equal(r.convergedSeeds, 0);
  }
  // the naive algorithm is only off by the fast return path (4 ms) here
  assert.ok(Math.abs(get("naive/asymmetric").meanAbsErrorMs - 4) < 1);
  // a 1 s clock jump: Cristian repairs it at its next poll (< one 10 s interval)
  const jump = get("cristian/jump");
  assert.equal(jump.recoveredSeeds, 2);
  assert.ok(jump.meanRecoveryMs! > 0 && jump.meanRecoveryMs! <= 10_500);
  assert.equal(get("free-running/jump").recoveredSeeds, 0);
  // NTP's clock filter distrusts the jump until a post-jump sample has the least delay
  assert.ok(get("ntp/jump").meanRecoveryMs! >= jump.meanRecoveryMs!);
});

/**
 * An exercise-style algorithm written only against the public interface: Cristian's exchange
 * with its own messages, taking the median estimate of three requests.
 */
type MedianMsg =
  | { type: "ask"; seq: number }
  | { type: "tell"; seq: number; timeMs: number };

class MedianSync implements SyncNode<MedianMsg> {
  #ctx: NodeContext<MedianMsg>;
  #clock: ClockDiscipline;
  #sent = new Map<number, number>();
  #estimates: number[] = [];
  #seq = 0;
  constructor(ctx: NodeContext<MedianMsg>) {
    this.#ctx = ctx;
    this.#clock = new ClockDiscipline(() => ctx.nowMs());
  }
  correctedNowMs(): number {
    return this.#clock.correctedNowMs();
  }
  start(): void {
    if (this.#ctx.self !== "n0") this.onTimer();
  }
  onTimer(): void {
    this.#estimates = [];
    for (let i = 0; i < 3; i++) {
      this.#sent.set(++this.#seq, this.#clock.rawNowMs());
      this.#ctx.send("n0", { type: "ask", seq: this.#seq });
    }
    this.#ctx.setTimer("poll", 5_000);
  }
  onMessage(from: NodeId, m: MedianMsg): void {
    if (m.type === "ask") {
      this.#ctx.send(from, { type: "tell", seq: m.seq, timeMs: this.correctedNowMs() });
      return;
    }
    const sent = this.#sent.get(m.seq);
    if (sent === undefined) return;
    this.#sent.delete(m.seq);
    const rtt = this.#clock.rawNowMs() - sent;
    this.#estimates.push(m.timeMs + rtt / 2 - this.correctedNowMs());
    if (this.#estimates.length === 3) {
      const sorted = this.#estimates.slice().sort((a, b) => a - b);
      this.#clock.step(sorted[1]);
    }
  }
}

Deno.test("harness: scores a user's algorithm on the same seeds and scenario as the built-ins", () => {
  const mine: SyncAlgorithm = { name: "median", factory: (ctx) => new MedianSync(ctx) };
  const cristian: SyncAlgorithm = { name: "cristian", factory: cristianFactory() };
  const rows = scoreSync([mine, cristian], { ...FAST, variants: ["baseline"] });
  assert.deepEqual(rows.map((r) => [r.algorithm, r.seed]), [
    ["median", 1],
    ["median", 2],
    ["cristian", 1],
    ["cristian", 2],
  ]);
  const [m1] = rows;
  assert.ok(m1.maxAbsErrorMs < 10, `median max error ${m1.maxAbsErrorMs}`);
  // 3 requests + 3 replies every 5 s per client, over 5 nodes (n0 only answers)
  assert.ok(Math.abs(m1.messagesPerNodePerMinute - (4 * 6 * 12) / 5) < 1);
  assert.throws(() => scoreSync([mine, mine]), /duplicate/);
});

Deno.test("harness: the same seed gives the same scores", () => {
  const a = scoreSync(builtInSyncAlgorithms(), { ...FAST, seeds: [7] });
  const b = scoreSync(builtInSyncAlgorithms(), { ...FAST, seeds: [7] });
  assert.deepEqual(a, b);
});
