/**
 * The two classic Paxos mistakes of notebook 05, each replayed as a short scripted scenario on
 * three nodes (n0, n1, n2, every node holding all three roles, no leader election, every message
 * 10 ms), once with the mistake flag and once without. The invariant checker records what breaks.
 *
 * - `mistakeProposeOwnValue`: A is chosen by {n0, n1}. n2 never heard of it; it runs phase 1 with
 *   n1, which reports A — and n2 proposes its own B anyway. {n1, n2} accept B: a second value.
 * - `mistakeForgetPromiseOnCrash`: n1 promises n0's ballot, then n2's higher one, and crashes
 *   before accepting anything. Restarted, it has forgotten the second promise and accepts n0's
 *   A (chosen by {n0, n1}); n2, whose phase 1 saw nothing accepted, then gets B accepted by
 *   {n1, n2}.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { NodeFactory, NodeId, TraceRecord } from "../sim/types.ts";
import { paxosFactory, type PaxosNode } from "../protocols/paxos/node.ts";
import { type PaxosBreach, PaxosInvariants } from "../protocols/paxos/invariants.ts";
import { ballotKey, type LogValue, type PValue } from "../protocols/paxos/messages.ts";
import { type Claim, claim } from "./claims.ts";

/** Which classic mistake a scenario shows. */
export type PaxosMistake = "mistakeProposeOwnValue" | "mistakeForgetPromiseOnCrash";

/** What an acceptor holds for slot 1 at the end of a scenario. */
export interface AcceptorRow {
  readonly node: NodeId;
  readonly promised: string;
  /** Ballot and value accepted in slot 1 ("—" when none). */
  readonly acceptedBallot: string;
  readonly acceptedValue: string;
  /** What the node's learner learned for slot 1 ("—" when nothing). */
  readonly learned: string;
}

/** The outcome of one scripted scenario. */
export interface MistakeScenario {
  readonly mistake: PaxosMistake;
  readonly flag: boolean;
  /** Every breach the checker recorded (empty when safe). */
  readonly breaches: readonly PaxosBreach[];
  /** The values chosen in slot 1 over the run, in order (one when safe). */
  readonly chosenInSlot1: readonly string[];
  readonly acceptors: readonly AcceptorRow[];
  /** The full trace (three nodes, a few hundred ms). */
  readonly trace: readonly TraceRecord[];
  readonly endMs: number;
}

function show(v: LogValue | undefined): string {
  if (!v) return "—";
  return v.kind === "noop" ? "no-op" : String(v.command);
}

/** The trace without the messages that were dropped (here: those cut between n0 and n2). */
export function withoutDropped(trace: readonly TraceRecord[]): TraceRecord[] {
  const dropped = new Set<number>();
  for (const r of trace) if (r.type === "drop") dropped.add(r.id);
  return trace.filter((r) => !((r.type === "send" || r.type === "drop") && dropped.has(r.id)));
}

/** Run one scripted scenario with the mistake flag on or off. */
export function mistakeScenario(mistake: PaxosMistake, flag: boolean): MistakeScenario {
  const c = createCluster<unknown>({
    seed: 5,
    nodes: 3,
    factory: paxosFactory({
      election: "none",
      backoff: "randomized",
      backoffMs: 400, // a preempted proposer stays quiet while the script plays out
      retryMs: 100,
      [mistake]: flag,
    }) as NodeFactory<unknown>,
    network: { latency: { kind: "constant", ms: 10 } },
    trace: { mode: "full" },
  });
  const { sim, net } = c;
  const inv = new PaxosInvariants({ throwOnBreach: false }).attach(sim);
  const node = (id: NodeId) => sim.instanceOf<PaxosNode>(id)!;
  const endMs = 1_200;
  if (mistake === "mistakeProposeOwnValue") {
    // n0 and n2 cannot talk: n0 gets A chosen with n1; n2 never hears of it
    net.cut([["n0", "n2"]]);
    sim.at(1, () => node("n0").submit("A"));
    sim.at(100, () => net.isolate("n0"));
    sim.at(110, () => node("n2").submit("B"));
  } else {
    net.cut([["n0", "n2"]]);
    // n0's phase 1 with n1; its Accept(A) to n1 is lost (cut just before it is sent)
    sim.at(1, () => node("n0").submit("A"));
    sim.at(16, () => net.cutOneWay(["n0"], ["n1"]));
    // n2's higher ballot: n1 promises it; n2's Accept(B) to n1 is lost too
    sim.at(16, () => node("n2").submit("B"));
    sim.at(31, () => net.cutOneWay(["n2"], ["n1"]));
    // n1 crashes having promised n2's ballot and accepted nothing, and comes back at once
    sim.at(40, () => sim.crash("n1"));
    sim.at(45, () => sim.restart("n1"));
    // n0's re-sent Accept(A) reaches n1; later n2's re-sent Accept(B) does too
    sim.at(50, () => net.heal());
    sim.at(50, () => net.cut([["n0", "n2"]]));
  }
  sim.run({ untilMs: endMs });
  const acceptors: AcceptorRow[] = c.nodes.map((id) => {
    const n = node(id);
    const pv: PValue | undefined = n.acceptor?.acceptedIn(1);
    return {
      node: id,
      promised: ballotKey(n.promised),
      acceptedBallot: pv ? ballotKey(pv.ballot) : "—",
      acceptedValue: show(pv?.value),
      learned: show(n.valueAt(1)),
    };
  });
  return {
    mistake,
    flag,
    breaches: inv.breaches,
    chosenInSlot1: inv.chosenValues(1).map((v) => show(v as LogValue)),
    acceptors,
    trace: sim.trace.records,
    endMs,
  };
}

/** Both mistakes, each with its flag on and off. */
export function mistakeScenarios(): MistakeScenario[] {
  const out: MistakeScenario[] = [];
  for (const m of ["mistakeProposeOwnValue", "mistakeForgetPromiseOnCrash"] as const) {
    out.push(mistakeScenario(m, true), mistakeScenario(m, false));
  }
  return out;
}

/** Each mistake breaks agreement; the same script without it is safe. */
export function checkMistakes(scenarios: readonly MistakeScenario[]): Claim[] {
  const claims: Claim[] = [];
  for (const s of scenarios) {
    const learned = [...new Set(s.acceptors.map((a) => a.learned).filter((x) => x !== "—"))];
    const kinds = [...new Set(s.breaches.map((b) => b.invariant))];
    if (s.flag) {
      claims.push(claim(
        `${s.mistake}: two values are chosen in one slot and learners disagree`,
        kinds.includes("agreement") && s.chosenInSlot1.length === 2 && learned.length === 2,
        `chosen ${s.chosenInSlot1.join(" then ")}; learned ${learned.join(", ")}; ` +
          `breaches: ${kinds.join(", ")}`,
      ));
    } else {
      claims.push(claim(
        `the same script without ${s.mistake}: one value, every learner agrees`,
        s.breaches.length === 0 && s.chosenInSlot1.length === 1 && learned.length === 1,
        `chosen ${s.chosenInSlot1.join(", ")}; learned ${learned.join(", ")}`,
      ));
    }
  }
  return claims;
}
