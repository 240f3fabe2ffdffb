import assert from "node:assert/strict";
import * as ex from "@lab/experiments/clocks.ts";
import { assertClaims } from "@lab/experiments/claims.ts";
import { ClockDiscipline, type SyncAlgorithm, type SyncNode } from "@lab/clocks/mod.ts";
import { ConfigError, type NodeContext, type NodeId } from "@lab/sim/mod.ts";

// The example learner algorithm of notebook 11 (averaging a burst of server samples with an RTT
// filter), written against the public node interface only, as a learner would.
type TimeMsg =
  | { type: "timeRequest"; seq: number }
  | { type: "timeReply"; seq: number; serverTimeMs: number };

class AveragingNode implements SyncNode<TimeMsg> {
  readonly clock: ClockDiscipline;
  #ctx: NodeContext<TimeMsg>;
  #sentAt = new Map<number, number>();
  #samples: { offsetMs: number; rttMs: number }[] = [];
  #seq = 0;
  constructor(
    ctx: NodeContext<TimeMsg>,
    readonly opts = { server: "n0", pollMs: 10_000, burst: 4, rttSlack: 1.25, waitMs: 500 },
  ) {
    this.#ctx = ctx;
    this.clock = new ClockDiscipline(() => ctx.nowMs());
  }
  correctedNowMs(): number {
    return this.clock.correctedNowMs();
  }
  start(): void {
    if (this.#ctx.self !== this.opts.server) this.onTimer("poll");
  }
  onTimer(name: string): void {
    if (name === "decide") return this.#decide();
    this.#samples = [];
    this.#sentAt.clear();
    for (let i = 0; i < this.opts.burst; i++) {
      this.#sentAt.set(++this.#seq, this.clock.rawNowMs());
      this.#ctx.send(this.opts.server, { type: "timeRequest", seq: this.#seq });
    }
    this.#ctx.setTimer("decide", this.opts.waitMs);
    this.#ctx.setTimer("poll", this.opts.pollMs);
  }
  onMessage(from: NodeId, msg: TimeMsg): void {
    if (msg.type === "timeRequest") {
      const serverTimeMs = this.clock.correctedNowMs();
      this.#ctx.send(from, { type: "timeReply", seq: msg.seq, serverTimeMs });
      return;
    }
    const sent = this.#sentAt.get(msg.seq);
    if (sent === undefined) return;
    this.#sentAt.delete(msg.seq);
    const rttMs = this.clock.rawNowMs() - sent;
    const offsetMs = msg.serverTimeMs + rttMs / 2 - this.clock.correctedNowMs();
    this.#samples.push({ offsetMs, rttMs });
    if (this.#sentAt.size === 0) this.#decide();
  }
  #decide(): void {
    this.#ctx.cancelTimer("decide");
    if (this.#samples.length === 0) return;
    const best = Math.min(...this.#samples.map((s) => s.rttMs));
    const good = this.#samples.filter((s) => s.rttMs <= best * this.opts.rttSlack);
    this.clock.step(good.reduce((sum, s) => sum + s.offsetMs, 0) / good.length);
    this.#samples = [];
  }
}

const averaging: SyncAlgorithm = {
  name: "averaging",
  factory: (ctx) => new AveragingNode(ctx as NodeContext<TimeMsg>) as SyncNode<unknown>,
};

for (const seed of [1, 2]) {
  Deno.test(`clocks: every prediction of notebook 07 holds (seed ${seed})`, () => {
    const p = ex.parseClocksParams({ seed });
    const demo = ex.logicalDemo(p);
    const poll = ex.pollIntervalDrift(p);
    assertClaims([
      ...ex.checkLogicalDemo(demo),
      ...ex.checkRandomRuns(ex.randomRunChecks(p)),
      ...ex.checkMistakesCaught(ex.mistakesCaught(p)),
      ...ex.checkAsymmetry(ex.asymmetrySweep(p), p),
      ...ex.checkPollIntervalDrift(poll, p),
    ]);
  });
}

for (const seeds of [[1, 2, 3], [4, 5]]) {
  Deno.test(`clock exercise: built-ins and the example learner score as predicted (${seeds})`, () => {
    const p = ex.parseClockExerciseParams({ seeds });
    const result = ex.scoreExercise([...ex.exerciseBaselines(p), averaging], p);
    assertClaims([
      ...ex.checkExerciseBaselines(result, p),
      ...ex.checkLearner(result, "averaging", p),
    ]);
    assert.equal(result.rows.length, 6 * 6 * seeds.length);
    assert.equal(ex.statusRows(result).length, 6);
    assert.match(ex.statusSummary(result, "averaging"), /\*\*averaging\*\* ranks \d of 4/);
  });
}

Deno.test("clock exercise: the learner's acceptance test fails a naive algorithm", () => {
  const p = ex.parseClockExerciseParams({ seeds: [1] });
  const result = ex.scoreExercise(ex.exerciseBaselines(p), p);
  const verdicts = ex.checkLearner(result, "naive", p);
  assert.ok(!verdicts[0].holds, "naive cannot beat itself");
  assert.throws(() => ex.checkLearner(result, "nobody", p), /no scores for nobody/);
});

Deno.test("clocks: the asymmetry check fails on rows that contradict theory", () => {
  const p = ex.parseClocksParams({ asymmetriesMs: [-20, 0, 20] });
  const rows = ex.asymmetrySweep(p);
  assertClaims(ex.checkAsymmetry(rows, p));
  const wrong = rows.map((r) => ({ ...r, measuredErrorMs: r.asymmetryMs }));
  assert.ok(ex.checkAsymmetry(wrong, p).some((c) => !c.holds));
  // the mechanism stated backwards (a slower request puts the clock behind) fails the sign claim
  const flipped = rows.map((r) => ({ ...r, measuredErrorMs: -r.measuredErrorMs }));
  const sign = ex.checkAsymmetry(flipped, p).filter((c) => c.claim.includes("slower request"));
  assert.equal(sign.length, 2);
  assert.ok(sign.every((c) => !c.holds));
  // a symmetric-only sweep leaves the sign claim outside its regime
  const q = ex.parseClocksParams({ asymmetriesMs: [0, 0, 0] });
  const na = ex.checkAsymmetry(ex.asymmetrySweep(q), q).filter((c) => c.claim.includes("slower"));
  assert.ok(na.every((c) => c.applicable === false));
});

Deno.test("clocks: the drift bound is tight: a clock that ignores the delay breaks it", () => {
  const p = ex.parseClocksParams({});
  assertClaims(ex.checkPollIntervalDrift(ex.pollIntervalDrift(p), p));
  const bad = ex.checkPollIntervalDrift(ex.pollIntervalDrift(p, { ignoreDelay: true }), p);
  assert.ok(!bad.find((c) => c.claim.startsWith("|error| ≤ RTT/2 − min"))!.holds);
});

Deno.test("clocks: HLC's receive rule needs c := c_m + 1 when the message moves l", () => {
  const p = ex.parseClocksParams({});
  const row = ex.mistakesCaught(p, 5).find((r) => r.mistake === "hlcCounterReset")!;
  assert.ok(row.caught > 0, "the checker catches a receive rule that resets c");
});

Deno.test("clock exercise: each built-in claim fails on scores that contradict it", () => {
  const p = ex.parseClockExerciseParams({ seeds: [1, 2] });
  const result = ex.scoreExercise(ex.exerciseBaselines(p), p);
  const claims = ex.checkExerciseBaselines(result, p);
  assertClaims(claims);
  // swap two algorithms' names: every comparison and every per-algorithm prediction must notice
  const swap = (a: string, b: string) => {
    const rows = result.rows.map((r) => ({
      ...r,
      algorithm: r.algorithm === a ? b : r.algorithm === b ? a : r.algorithm,
    }));
    return ex.checkExerciseBaselines({ ...result, rows, summary: ex.summarizeExercise(rows) }, p);
  };
  const failed = (cs: ReturnType<typeof swap>) =>
    new Set(cs.filter((c) => c.applicable !== false && !c.holds).map((c) => c.claim.slice(0, 12)));
  const caught = new Set([
    ...failed(swap("naive", "cristian")),
    ...failed(swap("cristian", "ntp")),
    ...failed(swap("berkeley", "cristian")),
    ...failed(swap("free-running", "ntp")),
    ...failed(swap("berkeley", "free-running")),
  ]);
  for (const c of claims.filter((c) => c.applicable !== false)) {
    assert.ok(caught.has(c.claim.slice(0, 12)), `no mutation fails: ${c.claim}`);
  }
});

Deno.test("clocks: a violation in one random run fails the claims and names it", () => {
  const p = ex.parseClocksParams({ runs: 3 });
  const rows = ex.randomRunChecks(p);
  const broken = [{ ...rows[0], violated: ["vectorExact" as const], firstViolation: "witness" }];
  const claims = ex.checkRandomRuns([...broken, ...rows.slice(1)]);
  const vector = claims.find((c) => c.claim.startsWith("vector clocks"))!;
  assert.equal(vector.holds, false);
  assert.match(vector.detail, /1 runs violate it; first: witness/);
});

Deno.test("clocks: random runs cycle through every node count, drift and offset", () => {
  const p = ex.parseClocksParams({});
  const configs = Array.from({ length: p.runs }, (_, i) => ex.randomRunConfig(p, i));
  assert.deepEqual([...new Set(configs.map((c) => c.nodes))].sort(), [3, 4, 5, 6]);
  assert.equal(new Set(configs.map((c) => `${c.maxDriftPpm}/${c.maxOffsetMs}`)).size, 9);
  assert.equal(new Set(configs.map((c) => c.seed)).size, p.runs);
});

Deno.test("clocks: drift arithmetic and the synchronized clock's error bound", () => {
  const [row] = ex.driftTable([50]);
  assert.ok(Math.abs(row.sPerDay - 4.32) < 1e-9);
  assert.ok(Math.abs(row.msPerMinute - 3) < 1e-9);
  assert.ok(Math.abs(row.secondsTo1Ms - 20) < 1e-9);
  assert.ok(Math.abs(ex.syncErrorBoundMs(40, 50, 64_000) - 23.2) < 1e-9);
  assert.ok(Math.abs(ex.slope([0, 1, 2], [1, 3, 5]) - 2) < 1e-12);
});

Deno.test("clocks: bad parameters name the field", () => {
  assert.throws(
    () => ex.parseClocksParams({ asymmetriesMs: [0, 10, 80] }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("asymmetriesMs[2]"),
  );
  assert.throws(() => ex.parseClocksParams({ pollIntervalz: [1] }), /pollIntervalz/);
  assert.throws(
    () => ex.parseClockExerciseParams({ jumpAtMs: 10_000 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("jumpAtMs"),
  );
  assert.throws(
    () => ex.scoreExercise([averaging, averaging], ex.parseClockExerciseParams({ seeds: [1] })),
    /two algorithms are named "averaging"/,
  );
});

Deno.test("clocks: markdown tables escape pipes and format numbers", () => {
  const t = ex.markdownTable([{ a: 1234, b: 0.123456, c: null, d: "x|y" }]);
  const md = t.toMarkdown();
  assert.match(md, /^\| a \| b \| c \| d \|/);
  assert.ok(md.includes("| 1,234 | 0.123 | — | x\\|y |"), md);
  const bundle = t.bundle();
  assert.equal(bundle["text/markdown"], md);
  assert.equal(new ex.MarkdownText("**b**").bundle()["text/markdown"], "**b**");
});

Deno.test("clocks: the annotated diagram carries one label per event", () => {
  const demo = ex.logicalDemo(ex.parseClocksParams({ demoActions: 3 }));
  const spec = ex.annotatedSpaceTime(demo) as { layer: { name?: string; data?: unknown }[] };
  const labels = spec.layer.find((l) => l.name === "timestamps")!;
  assert.equal((labels.data as { values: unknown[] }).values.length, demo.events.length);
});
