/**
 * Speed of the weak-consistency checkers in operations checked per second, on seeded histories
 * of lagging replicas (lib/checkers/_gen.ts: sequentially consistent, stale reads, every value
 * written once), default 100,000 operations plus a quiescent phase of catch-up reads. Causal
 * (CC, CCv, CM), session guarantees, convergence (reads after quiescence), staleness (k judged,
 * t measured) and the sequential search, each timed over several runs (the median is reported).
 *
 * Run: `deno task bench:checkers` (options: `--ops N` (default 100000), `--runs N` (default 3),
 * `--sessions N` (16), `--keys N` (1000), `--seed N` (1), `--skip-cm`). Every verdict must be
 * ok (the generator's histories satisfy every model checked here); the bench fails otherwise.
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import {
  checkCausal,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
} from "../lib/checkers/mod.ts";
import { generateLaggingHistory } from "../lib/checkers/_gen.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`--${name} ${args[i + 1]}: expected a positive integer`);
    Deno.exit(2);
  }
  return v;
};
const OPS = opt("ops", 100_000);
const RUNS = opt("runs", 3);
const SESSIONS = opt("sessions", 16);
const KEYS = opt("keys", 1000);
const SEED = opt("seed", 1);
const MAX_LAG = 8;

const t0 = performance.now();
const g = generateLaggingHistory({
  ops: OPS,
  seed: SEED,
  sessions: SESSIONS,
  keys: KEYS,
  maxLagWrites: MAX_LAG,
});
console.log(
  `history: ${g.operations} operations (${OPS} + ${g.operations - OPS} quiescent reads), ` +
    `${SESSIONS} sessions, ${KEYS} keys, replicas lag ≤ ${MAX_LAG} writes, seed ${SEED}; ` +
    `generated in ${(performance.now() - t0).toFixed(0)} ms`,
);

interface Row {
  checker: string;
  ms: number;
  opsPerSec: number;
  note: string;
}
const rows: Row[] = [];

function bench(checker: string, f: () => { verdict: string; explanation: string }, note = "") {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = f();
    times.push(performance.now() - start);
    if (r.verdict !== "ok") {
      console.error(`${checker}: expected ok, got ${r.verdict}\n${r.explanation}`);
      Deno.exit(1);
    }
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  rows.push({ checker, ms, opsPerSec: g.operations / (ms / 1000), note });
}

bench("causal CC", () => checkCausal(g.history, { model: "CC" }));
bench("causal CCv", () => checkCausal(g.history, { model: "CCv" }));
if (!args.includes("--skip-cm")) bench("causal CM", () => checkCausal(g.history, { model: "CM" }));
bench("session guarantees (all four)", () => checkSessionGuarantees(g.history));
bench(
  "convergence (quiescent reads)",
  () => checkQuiescentReads(g.history, { quiescentAtMs: g.quiescentAtMs }),
);
let staleNote = "";
// A replica misses at most MAX_LAG writes, so a read is at most MAX_LAG versions behind: k-staleness
// holds for k = MAX_LAG + 1 (judged); t-visibility is measured (max lag), not judged.
bench("staleness (k judged, t measured)", () => {
  const r = checkStaleness(g.history, { k: MAX_LAG + 1 });
  staleNote = `${r.staleReads} stale reads, max ${r.maxVersionsBehind} versions / ` +
    `${r.maxLagMs} ms behind`;
  return r;
});
rows.at(-1)!.note = staleNote;
let seqNote = "";
bench("sequential (search)", () => {
  const r = checkSequential(g.history, { stepBudget: 10 * g.operations });
  seqNote = `${r.steps} steps`;
  return r;
});
rows.at(-1)!.note = seqNote;

const w = Math.max(...rows.map((r) => r.checker.length));
console.log(`${"checker".padEnd(w)}  ${"ms".padStart(8)}  ${"ops/s".padStart(10)}`);
for (const r of rows) {
  console.log(
    `${r.checker.padEnd(w)}  ${r.ms.toFixed(0).padStart(8)}  ${
      Math.round(r.opsPerSec).toString().padStart(10)
    }  ${r.note}`,
  );
}
