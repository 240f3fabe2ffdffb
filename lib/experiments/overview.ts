/**
 * Notebook 00 (the overview): the reading list as a registry (paper → notebook and section that
 * reproduces its key result → a fast check run here, so "does the reproduction match?" is computed,
 * not typed), the link checker that keeps the overview's links pointing at real headings, and the
 * learner's progress record. The checks call the same experiment functions and claim checks as the
 * notebooks, on small, fast parameters.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, isApplicable } from "./claims.ts";
import * as clocks from "./clocks.ts";
import * as generals from "./bft_generals.ts";
import * as bft from "./bft.ts";
import * as flp from "./consensus_flp.ts";
import { parseConsensusParams } from "./consensus_params.ts";
import * as duel from "./consensus_duel.ts";
import * as walk from "./raft_walkthrough.ts";
import { parseRaftExerciseParams } from "./raft_params.ts";
import * as chainAttacks from "./chain_attacks.ts";
import * as hotstuff from "./bft_hotstuff.ts";
import * as fm from "./failure_models.ts";
import * as kv from "./smr_kv.ts";
import { parseSmrParams } from "./smr_params.ts";
import * as alg from "./algorithms.ts";
import * as locks from "./locks.ts";
import * as cap from "./cap.ts";

/** The curriculum's notebooks, in reading order. */
export const NOTEBOOKS: readonly { readonly file: string; readonly title: string }[] = [
  { file: "00-overview.ipynb", title: "Overview" },
  { file: "01-cap-theorem.ipynb", title: "CAP theorem" },
  { file: "02-consistency-models.ipynb", title: "Consistency models" },
  { file: "03-byzantine-fault-tolerance.ipynb", title: "Byzantine fault tolerance" },
  { file: "04-state-machine-replication.ipynb", title: "State machine replication" },
  { file: "05-consensus.ipynb", title: "Consensus" },
  { file: "06-failure-models.ipynb", title: "Failure models" },
  { file: "07-clock-synchronization.ipynb", title: "Clock synchronization" },
  { file: "08-distributed-algorithms.ipynb", title: "Distributed algorithms" },
  { file: "09-exercise-raft.ipynb", title: "Exercise: Raft" },
  { file: "10-exercise-byzantine.ipynb", title: "Exercise: Byzantine fault simulation" },
  { file: "11-exercise-clock-sync.ipynb", title: "Exercise: clock synchronization" },
  { file: "12-blockchain.ipynb", title: "Blockchain-specific considerations" },
];

/** Where a paper's key result is reproduced: a notebook and one of its headings. */
export interface Place {
  /** Notebook file name, e.g. "07-clock-synchronization.ipynb". */
  readonly notebook: string;
  /** The heading's text exactly as written (without the leading #s). */
  readonly heading: string;
}

/** One entry of the reading list. */
export interface ReadingEntry {
  /** Authors, title, venue, year (and the section the key result is in). */
  readonly cite: string;
  /** The key result, in a sentence. */
  readonly keyResult: string;
  /** Where the curriculum reproduces it (the first place is the main one). */
  readonly places: readonly Place[];
  /**
   * A fast check of the reproduction (the notebook's own claim checks on small parameters);
   * absent when the curriculum explains the result without reproducing it (see `why`).
   */
  readonly check?: () => Claim[];
  /** Why there is no check (required when `check` is absent). */
  readonly why?: string;
}

const only = (cs: readonly Claim[], prefix: string) => cs.filter((c) => c.claim.startsWith(prefix));

/** A value computed on first use and kept (runs are deterministic, so sharing one is exact). */
function once<T>(f: () => T): () => T {
  let box: { value: T } | undefined;
  return () => (box ??= { value: f() }).value;
}

const ALG = once(() => alg.parseAlgorithmsParams({ ringSizes: [4, 8, 16, 32], trials: 20 }));
const complexity = once(() => alg.checkComplexity(alg.complexityTable(ALG()), ALG()));
const commit = once(() => alg.checkCommit(alg.commitRuns(ALG()), ALG()));
const kvFaults = once(() => {
  const p = parseSmrParams({});
  return kv.checkKvUnderFaults(kv.kvUnderFaults(p), p);
});

/** The reading list: every paper and book the notebooks lean on, with its reproduction. */
export const READING_LIST: readonly ReadingEntry[] = [
  {
    cite: "Lamport, *Time, Clocks, and the Ordering of Events in a Distributed System*, CACM 1978",
    keyResult: "happens-before; logical clocks satisfy the clock condition a → b ⇒ C(a) < C(b)",
    places: [
      { notebook: "07-clock-synchronization.ipynb", heading: "Logical time: Lamport clocks" },
    ],
    check: () => clocks.checkLogicalDemo(clocks.logicalDemo(clocks.parseClocksParams({}))),
  },
  {
    cite: "Lamport, Shostak, Pease, *The Byzantine Generals Problem*, ACM TOPLAS 1982",
    keyResult: "oral messages need n > 3m for m traitors; OM(m) and SM(m) reach agreement",
    places: [
      {
        notebook: "03-byzantine-fault-tolerance.ipynb",
        heading: "The Byzantine generals problem, in plain words",
      },
      { notebook: "10-exercise-byzantine.ipynb", heading: "Byzantine agreement on one page" },
    ],
    check: () => generals.generalsClaims(generals.parseBftGeneralsParams({})),
  },
  {
    cite: "Castro, Liskov, *Practical Byzantine Fault Tolerance*, OSDI 1999",
    keyResult: "3f + 1 replicas tolerate f Byzantine faults; three phases, O(n²) messages per " +
      "request (2n² − n + 1 as notebook 03 counts them)",
    places: [
      {
        notebook: "03-byzantine-fault-tolerance.ipynb",
        heading: "PBFT: three phases and a view change",
      },
    ],
    check: () =>
      only(
        bft.checkScale(bft.scaleTable(bft.parseNotebook03Params({ scaleNodes: [4, 7, 10] }))),
        "pbft",
      ),
  },
  {
    cite: "Fischer, Lynch, Paterson, *Impossibility of Distributed Consensus with One Faulty " +
      "Process*, JACM 1985",
    keyResult: "no deterministic asynchronous consensus protocol tolerates one crash: some run " +
      "never decides (illustrated by a scheduler that starves every quorum, not proven)",
    places: [
      { notebook: "05-consensus.ipynb", heading: "FLP: termination cannot be guaranteed" },
      { notebook: "05-consensus.ipynb", heading: "Experiment 3 · A timeout-starving scheduler" },
    ],
    check: () =>
      flp.checkFlp(flp.flpSweep(parseConsensusParams({ flpSeeds: 1, flpReleaseMs: 1000 }))),
  },
  {
    cite: "Lamport, *The Part-Time Parliament*, ACM TOCS 1998",
    keyResult: "Paxos: safe always, live with a single proposer (dueling proposers livelock)",
    places: [
      { notebook: "05-consensus.ipynb", heading: "Paxos: one value" },
      { notebook: "05-consensus.ipynb", heading: "Experiment 2 · Dueling proposers" },
    ],
    check: () => duel.checkDuelingProposers(duel.duelingProposers(parseConsensusParams({}))),
  },
  {
    cite: "Ongaro, Ousterhout, *In Search of an Understandable Consensus Algorithm*, " +
      "USENIX ATC 2014",
    keyResult: "Raft: one leader per term, the election restriction keeps committed entries",
    places: [
      { notebook: "09-exercise-raft.ipynb", heading: "Step-through 1 · An election" },
      { notebook: "05-consensus.ipynb", heading: "Raft, and how the two map onto each other" },
    ],
    check: () => walk.checkStepThrough(walk.raftStepThrough(parseRaftExerciseParams({}))),
  },
  {
    cite: "Herlihy, Wing, *Linearizability: A Correctness Condition for Concurrent Objects*, " +
      "ACM TOPLAS 1990",
    keyResult:
      "linearizability; a Raft key-value store stays linearizable under crash and partition",
    places: [
      {
        notebook: "04-state-machine-replication.ipynb",
        heading: "Experiment 2 · The store under a leader crash and a partition",
      },
      { notebook: "02-consistency-models.ipynb", heading: "The ladder: one history per step" },
    ],
    check: kvFaults,
  },
  {
    cite: "Gilbert, Lynch, *Brewer's Conjecture and the Feasibility of Consistent, Available, " +
      "Partition-Tolerant Web Services*, SIGACT News 2002",
    keyResult: "under a partition a store gives up consistency or availability",
    places: [
      {
        notebook: "04-state-machine-replication.ipynb",
        heading: "Experiment 2 · The store under a leader crash and a partition",
      },
      { notebook: "01-cap-theorem.ipynb", heading: "The experiment: one partition, four stores" },
      {
        notebook: "12-blockchain.ipynb",
        heading: "Finality under partition: CAP as blockchains meet it",
      },
    ],
    // the CP side as notebook 04 measures it: the cut-off leader commits nothing, the majority serves
    check: () => [
      ...only(kvFaults(), "the cut-off leader"),
      ...only(kvFaults(), "the majority keeps serving"),
    ],
  },
  {
    cite: "Abadi, *Consistency Tradeoffs in Modern Distributed Database System Design: CAP is " +
      "Only Part of the Story*, IEEE Computer 2012 (PACELC)",
    keyResult: "else (no partition) a replicated store trades latency for consistency: R + W > N " +
      "reads are never stale and cost more",
    places: [{
      notebook: "01-cap-theorem.ipynb",
      heading: "PACELC: the trade-off when nothing is broken",
    }],
    check: () => cap.checkPacelc(cap.pacelcSweep(cap.parseCapParams({}))),
  },
  {
    cite: "Tanenbaum, van Steen, *Distributed Systems* (3rd ed., 2017), ch. 6 (coordination: " +
      "election algorithms, mutual exclusion) and ch. 8 (fault tolerance: commit protocols)",
    keyResult: "the bully and ring elections; 2PC blocks, 3PC does not under crash failures",
    places: [
      { notebook: "08-distributed-algorithms.ipynb", heading: "Leader election" },
      { notebook: "08-distributed-algorithms.ipynb", heading: "Atomic commitment" },
    ],
    check: () => [
      ...only(complexity(), "bully"),
      ...only(commit(), "2PC, coordinator crashed"),
      ...only(commit(), "3PC with"),
    ],
  },
  {
    cite: "Chang, Roberts, *An Improved Algorithm for Decentralized Extrema-Finding in Circular " +
      "Configurations of Processes*, CACM 1979",
    keyResult: "n(n+1)/2 messages in the worst case, n·H_n on average over identifier orders",
    places: [{
      notebook: "08-distributed-algorithms.ipynb",
      heading: "Experiment 1 · Message complexity against theory",
    }],
    check: () => only(complexity(), "Chang–Roberts"),
  },
  {
    cite: "Hirschberg, Sinclair, *Decentralized Extrema-Finding in Circular Configurations of " +
      "Processors*, CACM 1980 (bound as in Lynch, *Distributed Algorithms*, 1996, §3.4)",
    keyResult: "at most 8n(1 + ⌈log₂ n⌉) messages on a bidirectional ring",
    places: [{
      notebook: "08-distributed-algorithms.ipynb",
      heading: "Experiment 1 · Message complexity against theory",
    }],
    check: () => only(complexity(), "Hirschberg–Sinclair"),
  },
  {
    cite:
      "Garcia-Molina, *Elections in a Distributed Computing System*, IEEE Trans. Computers 1982",
    keyResult: "the bully algorithm; correct only with bounded delays (two leaders otherwise)",
    places: [{
      notebook: "08-distributed-algorithms.ipynb",
      heading: "Experiment 2 · Partitions and a paused leader",
    }],
    check: () => {
      const p = ALG();
      return only(alg.checkElectionFaults(alg.electionFaults(p), p), "bully");
    },
  },
  {
    cite: "Skeen, *Nonblocking Commit Protocols*, SIGMOD 1981; Gray, Lamport, *Consensus on " +
      "Transaction Commit*, ACM TODS 2006",
    keyResult: "3PC is non-blocking with a reliable detector and unsafe under a partition; " +
      "Paxos Commit is non-blocking and safe",
    places: [{ notebook: "08-distributed-algorithms.ipynb", heading: "Atomic commitment" }],
    check: () => [...only(commit(), "3PC"), ...only(commit(), "Paxos Commit")],
  },
  {
    cite: "Kleppmann, *Designing Data-Intensive Applications* (2017), ch. 8–9; Kleppmann, " +
      "*How to do distributed locking* (2016)",
    keyResult: "a paused process acts on stale authority; fencing tokens stop it, Redlock cannot",
    places: [
      { notebook: "08-distributed-algorithms.ipynb", heading: "Distributed locking" },
      {
        notebook: "06-failure-models.ipynb",
        heading: "Experiment 4 · A paused node that still believes it is in charge",
      },
    ],
    check: () => {
      const p = locks.parseLockParams({});
      return locks.checkLocks(locks.runLockExperiment(p), p);
    },
  },
  {
    cite: "Karp, Schindelhauer, Shenker, Vöcking, *Randomized Rumor Spreading*, FOCS 2000; " +
      "Demers et al., *Epidemic Algorithms for Replicated Database Maintenance*, PODC 1987",
    keyResult: "push-pull gossip informs n nodes in log₃ n + O(log log n) rounds",
    places: [
      { notebook: "06-failure-models.ipynb", heading: "Experiment 3 · Gossip under a partition" },
    ],
    check: () => {
      const p = fm.parseFailureModelsParams({});
      return fm.checkGossip(fm.gossipSpread(p), fm.gossipUnderPartition(p), p);
    },
  },
  {
    cite: "Nakamoto, *Bitcoin: A Peer-to-Peer Electronic Cash System*, 2008, §11",
    keyResult: "the attacker's catch-up probability falls exponentially with confirmations",
    places: [
      { notebook: "12-blockchain.ipynb", heading: "Confirmations: how deep is safe enough?" },
    ],
    check: () =>
      chainAttacks.checkNakamotoTables(chainAttacks.nakamotoTable(), chainAttacks.riskTable()),
  },
  {
    cite: "Eyal, Sirer, *Majority Is Not Enough: Bitcoin Mining Is Vulnerable*, FC 2014",
    keyResult: "selfish mining pays above the threshold (1 − γ)/(3 − 2γ)",
    places: [{
      notebook: "12-blockchain.ipynb",
      heading: "Selfish mining: following the protocol does not always pay",
    }],
    check: () => {
      const p = chainAttacks.parseSelfishParams({
        alphas: [0.1, 0.25, 0.3, 0.35, 0.4],
        gammas: [0],
      });
      return chainAttacks.checkSelfishMining(chainAttacks.selfishMiningCurve(p), p);
    },
  },
  {
    cite: "Buchman, Kwon, Milosevic, *The latest gossip on BFT consensus*, 2018",
    keyResult: "proposer(h, r) is fixed in advance (weighted round-robin in the paper, equal " +
      "weights here); a correct proposer's height is decided in 3δ, a faulty one costs one " +
      "round of timeouts",
    places: [
      {
        notebook: "03-byzantine-fault-tolerance.ipynb",
        heading: "Tendermint: rounds, locks and a rotating proposer",
      },
      { notebook: "08-distributed-algorithms.ipynb", heading: "Blockchain connections" },
    ],
    check: () => alg.checkProposerRotation(alg.proposerRotation(ALG())),
  },
  {
    cite: "Yin, Malkhi, Reiter, Gueta, Abraham, *HotStuff: BFT Consensus with Linearity and " +
      "Responsiveness*, PODC 2019",
    keyResult: "linear message complexity per view through the leader",
    places: [{
      notebook: "03-byzantine-fault-tolerance.ipynb",
      heading: "HotStuff: votes through the leader, a linear view change",
    }],
    check: () => hotstuff.hotstuffClaims(hotstuff.hotstuffMessageRows({ ns: [4, 7] })),
  },
  {
    cite: "Herlihy, *Atomic Cross-Chain Swaps*, PODC 2018",
    keyResult: "hashed time-lock contracts make a strongly connected swap atomic for conforming " +
      "parties",
    places: [{ notebook: "08-distributed-algorithms.ipynb", heading: "Blockchain connections" }],
    why: "explained as atomic commitment without a coordinator; the swap protocol is not simulated",
  },
];

/** The verdict on one reading-list entry. */
export interface ReadingResult {
  /** The entry. */
  readonly entry: ReadingEntry;
  /** "matches" (every applicable claim holds), "differs", "not reproduced", or "error". */
  readonly status: "matches" | "differs" | "not reproduced" | "error";
  /** Claims checked, and how many held. */
  readonly held: number;
  /** Applicable claims checked. */
  readonly checked: number;
  /** The failing claims, the error, or why there is no check. */
  readonly detail: string;
}

/**
 * Run each entry's check. A check that throws is an "error" (its message kept), never a pass;
 * an entry whose applicable claims are all n/a or empty is an "error" too (nothing was checked).
 */
export function checkReadingList(entries: readonly ReadingEntry[] = READING_LIST): ReadingResult[] {
  return entries.map((entry) => {
    if (!entry.check) {
      return { entry, status: "not reproduced", held: 0, checked: 0, detail: entry.why ?? "" };
    }
    let claims: Claim[];
    try {
      claims = entry.check();
    } catch (e) {
      return { entry, status: "error", held: 0, checked: 0, detail: String(e) };
    }
    const applicable = claims.filter(isApplicable);
    const bad = applicable.filter((c) => !c.holds);
    if (applicable.length === 0) {
      return { entry, status: "error", held: 0, checked: 0, detail: "no applicable claim" };
    }
    return {
      entry,
      status: bad.length ? "differs" : "matches",
      held: applicable.length - bad.length,
      checked: applicable.length,
      detail: bad.map((c) => `✗ ${c.claim} (${c.detail})`).join("; "),
    };
  });
}

// ---- links ------------------------------------------------------------------------------------

/**
 * The anchor a heading gets, as nbconvert's HTML (and JupyterLab) make it: inline markup removed,
 * spaces to "-", then URI-encoded (non-ASCII and `<` percent-encoded; `'(),:?` kept).
 * @example
 * ```ts
 * headingAnchor("Experiment 1 · Gossip"); // "Experiment-1-%C2%B7-Gossip"
 * ```
 */
export function headingAnchor(heading: string): string {
  return encodeURI(heading.replace(/[*`]/g, "").trim().replace(/ /g, "-"));
}

/** A markdown link `[text](place)` to a place (anchor omitted when the heading is ""). */
export function placeLink(text: string, place: Place): string {
  return `[${text}](${place.notebook}${place.heading ? `#${headingAnchor(place.heading)}` : ""})`;
}

/** The headings of a notebook's markdown cells (ATX headings, text only). */
export function notebookHeadings(ipynbJson: string): string[] {
  const nb = JSON.parse(ipynbJson) as { cells: { cell_type: string; source: string | string[] }[] };
  const out: string[] = [];
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const src = Array.isArray(c.source) ? c.source.join("") : c.source;
    let fenced = false;
    for (const line of src.split("\n")) {
      if (line.startsWith("```")) fenced = !fenced;
      const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (m) out.push(m[1]);
    }
  }
  return out;
}

/** A relative link to a notebook found in markdown. */
export interface NotebookLink {
  /** The link text. */
  readonly text: string;
  /** The notebook file. */
  readonly notebook: string;
  /** The anchor ("" for none). */
  readonly anchor: string;
}

/** Every `[text](NN-name.ipynb#anchor)` link to a sibling notebook in a markdown text. */
export function notebookLinks(markdown: string): NotebookLink[] {
  const out: NotebookLink[] = [];
  // the destination may hold balanced parentheses (CommonMark), so they are read and then judged
  const re = /\[([^\]]+)\]\(([^()\s#/:]+\.ipynb)(?:#((?:[^()\s]|\([^()\s]*\))*))?\)/g;
  for (const m of markdown.matchAll(re)) {
    out.push({ text: m[1], notebook: m[2], anchor: m[3] ?? "" });
  }
  return out;
}

/** The verdict on one link. */
export interface LinkVerdict extends NotebookLink {
  /** "ok", "no such notebook", "no such heading", or "unsafe anchor" (see {@link checkLinks}). */
  readonly status: "ok" | "no such notebook" | "no such heading" | "unsafe anchor";
}

/**
 * Check links against the notebooks present: `headings` maps each notebook file that exists to its
 * headings (see {@link notebookHeadings}). An anchor matches a heading when it equals the heading's
 * id, as a browser first compares the fragment. An anchor with parentheses is "unsafe": older
 * Markdown renderers (nbconvert 6's mistune) end the link at its first ")".
 */
export function checkLinks(
  links: readonly NotebookLink[],
  headings: ReadonlyMap<string, readonly string[]>,
): LinkVerdict[] {
  return links.map((l) => {
    const hs = headings.get(l.notebook);
    if (/[()]/.test(l.anchor)) return { ...l, status: "unsafe anchor" };
    if (!hs) return { ...l, status: "no such notebook" };
    if (l.anchor && !hs.some((h) => headingAnchor(h) === l.anchor)) {
      return { ...l, status: "no such heading" };
    }
    return { ...l, status: "ok" };
  });
}

// ---- progress ---------------------------------------------------------------------------------

/** What a learner may say of one notebook. */
export const PROGRESS_MARKS = ["not started", "reading", "done", "exercise passes"] as const;

/** Parameters of notebook 00: the learner's progress and whether to run the reproductions. */
export const OverviewParamsSchema = z.object({
  /** Run every reading-list check (a few seconds); false shows the list without verdicts. */
  runChecks: z.boolean().default(true),
  /**
   * The learner's own marks, by notebook file name (unlisted notebooks: "not started"); plain
   * strings, as a notebook's `const progress = {...}` is typed, checked against PROGRESS_MARKS.
   */
  progress: z.record(z.string(), z.string()).default({}),
}).strict().superRefine((p, ctx) => {
  const known = new Set(NOTEBOOKS.map((n) => n.file));
  for (const [k, v] of Object.entries(p.progress)) {
    if (!(PROGRESS_MARKS as readonly string[]).includes(v)) {
      ctx.addIssue({
        code: "custom",
        path: ["progress", k],
        message: `"${v}" is not a mark (${PROGRESS_MARKS.map((m) => `"${m}"`).join(", ")})`,
      });
    }
    if (!known.has(k)) {
      ctx.addIssue({
        code: "custom",
        path: ["progress", k],
        message: `not a notebook of the curriculum (${[...known].join(", ")})`,
      });
    }
  }
});

/** Notebook 00's parameters with defaults. */
export type OverviewParams = z.output<typeof OverviewParamsSchema>;

/** Parse notebook 00's parameters (a ConfigError names the bad field). */
export function parseOverviewParams(input: unknown): OverviewParams {
  return parseConfig(OverviewParamsSchema, input, "overview parameters");
}

/** One notebook's status line. */
export interface StatusRow {
  /** Notebook file. */
  readonly notebook: string;
  /** Whether the file exists. */
  readonly present: boolean;
  /** The learner's mark. */
  readonly mark: string;
  /** Reading-list reproductions whose main (first) place is this notebook: matching / checked. */
  readonly reproductions: string;
}

/**
 * The status line of every notebook: the learner's mark and, computed, how many of the
 * reproductions the notebook hosts match their papers right now.
 */
export function statusRows(
  p: OverviewParams,
  results: readonly ReadingResult[],
  present: ReadonlySet<string>,
): StatusRow[] {
  return NOTEBOOKS.filter((n) => n.file !== "00-overview.ipynb").map((n) => {
    const mine = results.filter((r) => r.entry.places[0]?.notebook === n.file);
    const run = mine.filter((r) => r.status !== "not reproduced");
    return {
      notebook: n.file,
      present: present.has(n.file),
      mark: p.progress[n.file] ?? "not started",
      reproductions: run.length
        ? `${run.filter((r) => r.status === "matches").length} of ${run.length} match`
        : "—",
    };
  });
}
