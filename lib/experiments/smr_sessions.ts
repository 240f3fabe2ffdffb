/**
 * Experiment of notebook 04 on exactly-once semantics (Raft thesis §6.3): clients append unique
 * tokens to one key over a lossy network, time out, and retry with the same request id. With
 * client sessions the state machine recognises a retry of a command it already executed and
 * answers it from the session; without, every retry that reaches the log is executed again, and
 * the duplicates are visible in the value a later get returns.
 * @module
 */
import { checkLinearizability, kvModel, type LinearizabilityResult } from "../checkers/mod.ts";
import { createCluster } from "../net/cluster.ts";
import { kvClientDriver } from "../protocols/kv/client.ts";
import type { KvServer } from "../protocols/kv/server.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { type RaftKvMessage, raftKvServer } from "../protocols/raft/kv.ts";
import { type Operation, pairOperations } from "../workload/history.ts";
import { installWorkload, type OpGenerator } from "../workload/client.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { currentLeader } from "./smr_kv.ts";
import { SMR_RAFT, type SmrParams } from "./smr_params.ts";

/** The two delivery semantics compared. */
export type RetryMode = "sessions on (exactly-once)" | "sessions off (at-least-once)";

/** One mode's outcome. */
export interface ExactlyOnceRow {
  readonly mode: RetryMode;
  readonly sessions: boolean;
  readonly appendsInvoked: number;
  readonly appendsAcked: number;
  /** Commands in the log whose (client, request id) appeared earlier in the log: retries. */
  readonly retriesInLog: number;
  /** Retries the session table recognised and answered without executing. */
  readonly suppressed: number;
  /** Executions beyond the first, summed over tokens (0 means exactly once). */
  readonly extraApplications: number;
  /** Tokens that appear more than once in the final value. */
  readonly duplicatedTokens: number;
  /** Acknowledged appends whose token is missing from the final value. */
  readonly missingAcked: number;
  readonly verdict: LinearizabilityResult["verdict"];
}

/** How many tokens were applied once, twice, ... (bar chart rows). */
export interface ApplicationCountRow {
  readonly mode: RetryMode;
  /** "sessions on" or "sessions off" (a short legend label). */
  readonly sessions: string;
  /** Times executed (only counts that occur are listed). */
  readonly applied: number;
  readonly tokens: number;
}

/** Both runs. */
export interface ExactlyOnceResult {
  readonly rows: ExactlyOnceRow[];
  readonly counts: ApplicationCountRow[];
  /** Each mode's operations and linearizability result (for history charts). */
  readonly runs: readonly {
    readonly mode: RetryMode;
    readonly ops: readonly Operation[];
    readonly linearizability: LinearizabilityResult;
    /** The final values of the keys, concatenated, as the state machine holds them. */
    readonly finalValue: string;
  }[];
}

/** The keys of the experiment. */
export const RETRY_KEYS: readonly string[] = ["x", "y", "z", "w"];

/**
 * Appends of unique tokens ("0;", "1;", ...) to a random key, and as many gets. The gets pin down
 * the order of the appends early, which keeps the linearizability search short.
 */
function appendsAndGets(): OpGenerator {
  let n = 0;
  return (rng) => {
    const key = rng.pick(RETRY_KEYS);
    return rng.next() < 0.5
      ? { f: "get", key, value: null }
      : { f: "append", key, value: `${n++};` };
  };
}

function runMode(p: SmrParams, sessions: boolean) {
  const c = createCluster<RaftKvMessage>({
    seed: p.seed,
    nodes: 3,
    factory: raftKvServer({ raft: SMR_RAFT, kv: { sessions } }),
    network: {
      latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
      lossRatio: p.retryLossRatio,
    },
    trace: { mode: "off" },
  });
  const w = installWorkload(c.sim, kvClientDriver<RaftMessage>(), appendsAndGets(), {
    mode: "closed",
    clients: 4,
    endMs: p.retryRunMs,
    // short enough that a lost reply (or a slow commit) makes the client send the request again
    timeoutMs: p.retryTimeoutMs,
    retries: 100,
    retryBackoffMs: 5,
  });
  c.sim.run({ untilMs: p.retryRunMs + 1_500 });
  const leader = currentLeader(c.sim) ?? c.nodes[0];
  const server = c.sim.instanceOf<KvServer<RaftMessage>>(leader)!;
  const finalValue = RETRY_KEYS.map((k) => server.machine.read(k) ?? "").join("");
  const applies = c.sim.events.filter((e) => e.node === leader && e.event.type === "kv-apply");
  const seen = new Set<string>();
  let retriesInLog = 0;
  for (const e of applies) {
    const k = `${e.event.clientId}/${e.event.seq}`;
    if (seen.has(k)) retriesInLog++;
    seen.add(k);
  }
  return {
    ops: pairOperations(w.history),
    finalValue,
    retriesInLog,
    suppressed: applies.filter((e) => e.event.duplicate === true).length,
  };
}

/** Run the same seed, network and workload with sessions on and off. */
export function exactlyOnceExperiment(p: SmrParams): ExactlyOnceResult {
  const rows: ExactlyOnceRow[] = [];
  const counts: ApplicationCountRow[] = [];
  const runs: ExactlyOnceResult["runs"][number][] = [];
  for (const sessions of [true, false]) {
    const mode: RetryMode = sessions
      ? "sessions on (exactly-once)"
      : "sessions off (at-least-once)";
    const r = runMode(p, sessions);
    const tokens = r.finalValue.split(";").filter((t) => t !== "");
    const times = new Map<string, number>();
    for (const t of tokens) times.set(t, (times.get(t) ?? 0) + 1);
    const appends = r.ops.filter((o) => o.f === "append");
    const acked = appends.filter((o) => o.status === "ok").map((o) => String(o.input).slice(0, -1));
    const byCount = new Map<number, number>();
    for (const n of times.values()) byCount.set(n, (byCount.get(n) ?? 0) + 1);
    for (const [k, tokens] of byCount) {
      counts.push({
        mode,
        sessions: sessions ? "sessions on" : "sessions off",
        applied: k,
        tokens,
      });
    }
    // shrinking a witness can take seconds on some histories; a near-minimal one reads as well
    const linearizability = checkLinearizability(r.ops, kvModel({ initial: null }), {
      minimizeStepBudget: 200_000,
    });
    rows.push({
      mode,
      sessions,
      appendsInvoked: appends.length,
      appendsAcked: acked.length,
      retriesInLog: r.retriesInLog,
      suppressed: r.suppressed,
      extraApplications: tokens.length - times.size,
      duplicatedTokens: [...times.values()].filter((n) => n > 1).length,
      missingAcked: acked.filter((t) => !times.has(t)).length,
      verdict: linearizability.verdict,
    });
    runs.push({ mode, ops: r.ops, linearizability, finalValue: r.finalValue });
  }
  // every count that occurs in either mode, listed for both (a bar of 0 is information too)
  const all = [...new Set(counts.map((c) => c.applied))].sort((a, b) => a - b);
  const full: ApplicationCountRow[] = [];
  for (const sessions of ["sessions on", "sessions off"]) {
    const mine = counts.filter((c) => c.sessions === sessions);
    for (const k of all) {
      full.push(
        mine.find((c) => c.applied === k) ??
          { mode: mine[0].mode, sessions, applied: k, tokens: 0 },
      );
    }
  }
  return { rows, counts: full, runs };
}

/** What the thesis (§6.3) predicts for both modes. */
export function checkExactlyOnce(r: ExactlyOnceResult, p?: SmrParams): Claim[] {
  const on = r.rows.find((x) => x.sessions)!;
  const off = r.rows.find((x) => !x.sessions)!;
  const offRun = r.runs.find((x) => x.mode === off.mode)!;
  const witnessGets =
    offRun.linearizability.witness?.operations.filter((o) =>
      o.f === "get" && o.role === "critical"
    ) ?? [];
  // retries reach the log when replies are lost, or when the client's timeout is shorter than
  // the four one-way delays a write needs (request, append, acknowledgement, reply)
  const retriesExpected = p === undefined ||
    p.retryLossRatio > 0 || p.retryTimeoutMs < 4 * p.latencyMsMax;
  const why = p
    ? `no loss and a ${p.retryTimeoutMs} ms timeout ≥ 4 × ${p.latencyMsMax} ms: no reply is ` +
      "lost or late, so no retry"
    : "";
  if (!retriesExpected) {
    return [
      claim(
        "no acknowledged append is lost in either mode (at-least-once holds in both)",
        on.missingAcked === 0 && off.missingAcked === 0,
        `missing: ${on.missingAcked} with sessions, ${off.missingAcked} without`,
      ),
      claim(
        "without loss or late replies no retry reaches the log, so both modes execute once",
        on.retriesInLog === 0 && off.retriesInLog === 0 && off.extraApplications === 0,
        `${on.retriesInLog} / ${off.retriesInLog} retries in the log; ${off.extraApplications} extra executions`,
      ),
      notApplicable("without sessions a get shows a token applied twice", why),
    ];
  }
  return [
    claim(
      "the experiment means something: in both modes retries reached the log",
      on.retriesInLog > 0 && off.retriesInLog > 0,
      `${on.retriesInLog} retried commands in the log with sessions, ${off.retriesInLog} without`,
    ),
    claim(
      "no acknowledged append is lost in either mode (at-least-once holds in both)",
      on.missingAcked === 0 && off.missingAcked === 0,
      `missing: ${on.missingAcked} with sessions, ${off.missingAcked} without`,
    ),
    claim(
      "with sessions every retry in the log is recognised and answered, never executed again",
      on.suppressed === on.retriesInLog && on.extraApplications === 0,
      `${on.suppressed} of ${on.retriesInLog} retries suppressed; ${on.extraApplications} extra executions`,
    ),
    claim(
      "without sessions every retry in the log is executed again: extra executions = retries in the log",
      off.extraApplications === off.retriesInLog && off.duplicatedTokens > 0,
      `${off.extraApplications} extra executions, ${off.retriesInLog} retries, ${off.duplicatedTokens} tokens duplicated`,
    ),
    claim(
      "with sessions the history is linearizable; without, a get shows a token applied twice",
      on.verdict === "ok" && off.verdict === "illegal" && witnessGets.length > 0,
      `with: ${on.verdict}; without: ${off.verdict}` +
        (witnessGets.length ? ` (witness: ${witnessGets[0].description})` : ""),
    ),
  ];
}
