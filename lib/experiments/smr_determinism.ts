/**
 * Experiment of notebook 04 on determinism: five Raft replicas agree on one log of ledger
 * commands, and each executes it on its own copy of a small ledger. Three versions of the same
 * state machine differ only in where two commands get a value from: the log (deterministic), the
 * replica's local clock, or the replica's local random stream. A state root (hash of the state)
 * after every block of commands shows when replicas that applied identical logs stop agreeing.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { ReplicatedLogHooks } from "../protocols/kv/replicated_log.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import { Rng } from "../sim/rng.ts";
import { RunningHash, stableStringify } from "../sim/trace.ts";
import type { NodeContext, NodeId } from "../sim/types.ts";
import { type Claim, claim } from "./claims.ts";
import { currentLeader } from "./smr_kv.ts";
import { SMR_RAFT, type SmrParams } from "./smr_params.ts";

/**
 * A ledger command. `lock` escrows funds until an expiry time; `lottery` credits a prize to one
 * account. `stampMs` and `beacon` are what a deterministic machine reads instead of its own clock
 * and randomness: values fixed once, by the proposer, in the log entry itself.
 */
export type LedgerCommand =
  | {
    readonly kind: "transfer";
    readonly from: string;
    readonly to: string;
    readonly amount: number;
  }
  | {
    readonly kind: "lock";
    readonly account: string;
    readonly amount: number;
    readonly ttlMs: number;
    /** The proposer's clock when it proposed the command (a block timestamp). */
    readonly stampMs: number;
  }
  | {
    readonly kind: "lottery";
    readonly prize: number;
    /** A random number drawn once by the proposer and stored in the log (a randomness beacon). */
    readonly beacon: number;
  };

/** Where the ledger's two sensitive commands take their values from. */
export type LedgerVariant = "deterministic" | "local clock" | "local randomness";

/** The three variants, in chart order. */
export const LEDGER_VARIANTS: readonly LedgerVariant[] = [
  "deterministic",
  "local clock",
  "local randomness",
];

/** Accounts of the ledger, each starting with 100 units. */
export const ACCOUNTS: readonly string[] = ["alice", "bob", "carol", "dave"];

interface LedgerState {
  balances: Map<string, number>;
  escrows: { account: string; amount: number; expiresAtMs: number }[];
  rejected: number;
}

/** The state root: a hash of the ledger's state in a canonical form (sorted, plain). */
function stateRoot(s: LedgerState): string {
  const h = new RunningHash();
  h.update(stableStringify({
    balances: [...s.balances].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    escrows: s.escrows,
    rejected: s.rejected,
  }));
  return h.digest();
}

/**
 * The ledger state machine of one replica. `apply` is called by Raft for every committed command,
 * in log order; the root after each is recorded with the command's digest.
 */
class LedgerMachine implements ReplicatedLogHooks<LedgerCommand> {
  readonly state: LedgerState = {
    balances: new Map(ACCOUNTS.map((a) => [a, 100])),
    escrows: [],
    rejected: 0,
  };
  readonly roots: string[] = [];
  readonly log = new RunningHash();
  readonly kinds: string[] = [];
  constructor(
    readonly ctx: NodeContext<RaftMessage>,
    readonly variant: LedgerVariant,
  ) {}

  apply(e: { index: number; command: LedgerCommand }): void {
    const s = this.state;
    const cmd = e.command;
    let kind: string = cmd.kind;
    switch (cmd.kind) {
      case "transfer": {
        const have = s.balances.get(cmd.from) ?? 0;
        if (have < cmd.amount) {
          s.rejected++;
          break;
        }
        s.balances.set(cmd.from, have - cmd.amount);
        s.balances.set(cmd.to, (s.balances.get(cmd.to) ?? 0) + cmd.amount);
        break;
      }
      case "lock": {
        const have = s.balances.get(cmd.account) ?? 0;
        if (have < cmd.amount) {
          s.rejected++;
          kind = "lock (rejected)";
          break;
        }
        // the bug: "now" is this replica's clock at the moment it happens to apply the entry
        const now = this.variant === "local clock" ? this.ctx.nowMs() : cmd.stampMs;
        s.balances.set(cmd.account, have - cmd.amount);
        s.escrows.push({ account: cmd.account, amount: cmd.amount, expiresAtMs: now + cmd.ttlMs });
        break;
      }
      case "lottery": {
        // the bug: each replica draws its own winner from its own random stream
        const r = this.variant === "local randomness" ? this.ctx.rng.next() : cmd.beacon;
        const winner = ACCOUNTS[Math.floor(r * ACCOUNTS.length)];
        s.balances.set(winner, (s.balances.get(winner) ?? 0) + cmd.prize);
        break;
      }
    }
    this.log.update(`${e.index}:${stableStringify(cmd)}`);
    this.kinds.push(kind);
    this.roots.push(stateRoot(s));
  }
}

/** A replica's result: what it applied and the state it reached. */
export interface ReplicaLedgerRow {
  readonly variant: LedgerVariant;
  readonly replica: NodeId;
  readonly commandsApplied: number;
  /** Hash of the sequence of (index, command) applied: equal hashes, equal logs. */
  readonly logHash: string;
  /** Hash of the final state. */
  readonly stateRoot: string;
  /** Sum of all balances and escrows. */
  readonly totalUnits: number;
}

/** One replica's state root after one block of commands. */
export interface BlockRootRow {
  readonly variant: LedgerVariant;
  readonly replica: NodeId;
  /** "variant · replica", a heatmap row. */
  readonly row: string;
  /** Block height, from 1. */
  readonly height: number;
  /** The root's first 4 hex digits. */
  readonly root: string;
  /** "agrees" with the root most replicas have (at least a majority), else "diverged". */
  readonly agreement: "agrees" | "diverged";
}

/** Where each variant's replicas first disagree. */
export interface DivergenceRow {
  readonly variant: LedgerVariant;
  /**
   * 1-based position of the first command that reads the variant's source of non-determinism: a
   * lock that goes through (a rejected one reads no clock), or a lottery (NaN: none).
   */
  readonly firstSensitiveCommand: number;
  /** 1-based position of the first command after which some replicas' roots differ (NaN: never). */
  readonly firstDivergentCommand: number;
  /** Distinct final state roots over the replicas. */
  readonly distinctFinalRoots: number;
  /** Distinct log hashes over the replicas (1: every replica applied the same log). */
  readonly distinctLogs: number;
}

/** The determinism experiment's results. */
export interface DeterminismResult {
  readonly replicas: ReplicaLedgerRow[];
  readonly blocks: BlockRootRow[];
  readonly divergence: DivergenceRow[];
  /** Commands per block, and the kinds of the commands in log order ("lock (rejected)": no funds). */
  readonly blockSize: number;
  readonly commandKinds: readonly string[];
}

/** The command stream: the same for every variant (one seeded stream). */
function commands(p: SmrParams): LedgerCommand[] {
  const rng = new Rng(p.seed).fork("ledger-commands");
  const out: LedgerCommand[] = [];
  for (let k = 0; k < p.ledgerCommands; k++) {
    // the first block holds transfers only, so every version starts with an agreed prefix
    const x = k < p.blockSize ? 0 : rng.next();
    if (x < 0.7) {
      const from = rng.pick(ACCOUNTS);
      const to = rng.pick(ACCOUNTS.filter((a) => a !== from));
      out.push({ kind: "transfer", from, to, amount: rng.int(5, 60) });
    } else if (x < 0.85) {
      // stampMs is filled in by the proposer
      out.push({
        kind: "lock",
        account: rng.pick(ACCOUNTS),
        amount: rng.int(1, 20),
        ttlMs: 60_000,
        stampMs: 0,
      });
    } else {
      out.push({ kind: "lottery", prize: 50, beacon: rng.next() });
    }
  }
  return out;
}

function runVariant(p: SmrParams, variant: LedgerVariant) {
  const machines = new Map<NodeId, LedgerMachine>();
  const c = createCluster<RaftMessage>({
    seed: p.seed,
    nodes: p.nodes,
    factory: (ctx) => {
      const m = new LedgerMachine(ctx, variant);
      machines.set(ctx.self, m);
      return new RaftNode<LedgerCommand>(ctx, { ...SMR_RAFT, snapshotThresholdEntries: 0 }, m);
    },
    network: {
      latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
    },
    trace: { mode: "off" },
  });
  const sim = c.sim;
  const stream = commands(p);
  let k = 0;
  const propose = () => {
    const leader = currentLeader(sim);
    if (leader !== undefined && k < stream.length) {
      const cmd = stream[k];
      // the proposer fixes the timestamp in the entry, as a block proposer fixes block.timestamp
      const full = cmd.kind === "lock" ? { ...cmd, stampMs: sim.localTime(leader) } : cmd;
      if (sim.instanceOf<RaftNode<LedgerCommand>>(leader)!.propose(full).ok) k++;
    }
    if (k < stream.length) sim.schedule(7, propose);
  };
  sim.at(500, propose);
  sim.run({
    untilMs: 500 + stream.length * 50 + 5_000,
    until: () => k >= stream.length && [...machines.values()].every((m) => m.roots.length === k),
  });
  sim.runFor(200);
  return { machines, nodes: c.nodes, proposed: k };
}

/** Run the three variants on the same seed, network and command stream. */
export function determinismExperiment(p: SmrParams): DeterminismResult {
  const replicas: ReplicaLedgerRow[] = [];
  const blocks: BlockRootRow[] = [];
  const divergence: DivergenceRow[] = [];
  let kinds: string[] = [];
  for (const variant of LEDGER_VARIANTS) {
    const { machines, nodes } = runVariant(p, variant);
    const ms = nodes.map((id) => [id, machines.get(id)!] as const);
    kinds = ms[0][1].kinds;
    for (const [id, m] of ms) {
      replicas.push({
        variant,
        replica: id,
        commandsApplied: m.roots.length,
        logHash: m.log.digest(),
        stateRoot: m.roots.at(-1) ?? "",
        totalUnits: [...m.state.balances.values()].reduce((a, b) => a + b, 0) +
          m.state.escrows.reduce((a, e) => a + e.amount, 0),
      });
    }
    const n = Math.min(...ms.map(([, m]) => m.roots.length));
    const heights = Math.floor(n / p.blockSize);
    for (let h = 1; h <= heights; h++) {
      const at = h * p.blockSize - 1;
      const count = new Map<string, number>();
      for (const [, m] of ms) count.set(m.roots[at], (count.get(m.roots[at]) ?? 0) + 1);
      const [top, topCount] = [...count].sort((a, b) => b[1] - a[1])[0];
      const canonical = topCount > ms.length / 2 ? top : undefined;
      for (const [id, m] of ms) {
        blocks.push({
          variant,
          replica: id,
          row: `${variant} · ${id}`,
          height: h,
          root: m.roots[at].slice(0, 4),
          agreement: m.roots[at] === canonical ? "agrees" : "diverged",
        });
      }
    }
    let firstDiv = NaN;
    for (let i = 0; i < n; i++) {
      if (new Set(ms.map(([, m]) => m.roots[i])).size > 1) {
        firstDiv = i + 1;
        break;
      }
    }
    const sensitive = variant === "local clock"
      ? "lock"
      : variant === "local randomness"
      ? "lottery"
      : undefined;
    const firstSensitive = sensitive ? kinds.indexOf(sensitive) + 1 : NaN;
    divergence.push({
      variant,
      firstSensitiveCommand: firstSensitive === 0 ? NaN : firstSensitive,
      firstDivergentCommand: firstDiv,
      distinctFinalRoots: new Set(ms.map(([, m]) => m.roots.at(-1))).size,
      distinctLogs: new Set(ms.map(([, m]) => m.log.digest())).size,
    });
  }
  return { replicas, blocks, divergence, blockSize: p.blockSize, commandKinds: kinds };
}

/** What theory predicts: identical logs always; identical states only for the deterministic one. */
export function checkDeterminism(r: DeterminismResult, p: SmrParams): Claim[] {
  const get = (v: LedgerVariant) => r.divergence.find((d) => d.variant === v)!;
  const det = get("deterministic"), clock = get("local clock"), rand = get("local randomness");
  const allApplied = r.replicas.every((x) => x.commandsApplied === p.ledgerCommands);
  return [
    claim(
      "consensus did its job in every variant: all replicas applied the same commands in the same order",
      allApplied && r.divergence.every((d) => d.distinctLogs === 1),
      r.divergence.map((d) => `${d.variant}: ${d.distinctLogs} log`).join("; ") +
        `; ${p.ledgerCommands} commands each`,
    ),
    claim(
      "the deterministic machine gives every replica the same state root after every command",
      Number.isNaN(det.firstDivergentCommand) && det.distinctFinalRoots === 1,
      `first divergence: ${
        Number.isNaN(det.firstDivergentCommand) ? "none" : det.firstDivergentCommand
      }; ${det.distinctFinalRoots} final root`,
    ),
    claim(
      "reading the local clock splits the replicas exactly at the first lock that executes",
      clock.firstDivergentCommand === clock.firstSensitiveCommand && clock.distinctFinalRoots > 1,
      `first lock: command ${clock.firstSensitiveCommand}; first divergence: command ${clock.firstDivergentCommand}; ${clock.distinctFinalRoots} distinct final roots`,
    ),
    claim(
      "drawing local randomness splits them exactly at the first lottery command",
      rand.firstDivergentCommand === rand.firstSensitiveCommand && rand.distinctFinalRoots > 1,
      `first lottery: command ${rand.firstSensitiveCommand}; first divergence: command ${rand.firstDivergentCommand}; ${rand.distinctFinalRoots} distinct final roots`,
    ),
  ];
}
