/**
 * Experiment of notebook 04 on determinism: five Raft replicas agree on one log of ledger
 * commands, and each executes it on its own copy of a small ledger. Three versions of the same
 * state machine differ only in where two commands get a value from: the log (deterministic), the
 * replica's local clock, or the replica's local random stream. A state root (hash of the state)
 * after every block of commands shows when replicas that applied identical logs stop agreeing.
 * Each escrow is released by a command proposed the moment the leader's own state says it has
 * expired; that release reads only its log entry, and still splits what clients read (balances)
 * when the lock took its expiry from each replica's clock.
 * @module
 */
import { type Cluster, createCluster } from "../net/cluster.ts";
import type { ReplicatedLogHooks } from "../protocols/kv/replicated_log.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import { Rng } from "../sim/rng.ts";
import { RunningHash, stableStringify } from "../sim/trace.ts";
import type { NodeContext, NodeId } from "../sim/types.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
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
  }
  | {
    /**
     * Return an expired escrow to its account. Written correctly in every version: "now" is the
     * time the proposer put in the entry. Refused when the escrow is missing or not yet expired.
     */
    readonly kind: "release";
    /** Log index of the lock that made the escrow. */
    readonly lock: number;
    readonly stampMs: number;
  };

/** Where the ledger's two sensitive commands take their values from. */
export type LedgerVariant = "deterministic" | "local clock" | "local randomness";

/** The three variants, in chart order. */
export const LEDGER_VARIANTS: readonly LedgerVariant[] = [
  "deterministic",
  "local clock",
  "local randomness",
];

/** Accounts of the ledger, each starting with {@link INITIAL_BALANCE} units. */
export const ACCOUNTS: readonly string[] = ["alice", "bob", "carol", "dave"];
/** Units each account starts with. */
export const INITIAL_BALANCE = 100;
/** Units a lottery credits to its winner (minted: nobody pays them). */
export const LOTTERY_PRIZE = 50;
/** How long a lock escrows its units (ms of "now" as the version reads it). */
export const LOCK_TTL_MS = 200;

interface LedgerState {
  balances: Map<string, number>;
  escrows: { lock: number; account: string; amount: number; expiresAtMs: number }[];
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
    balances: new Map(ACCOUNTS.map((a) => [a, INITIAL_BALANCE])),
    escrows: [],
    rejected: 0,
  };
  readonly roots: string[] = [];
  readonly log = new RunningHash();
  readonly kinds: string[] = [];
  /** Sum of balances (what clients can spend) after each command. */
  readonly spendable: number[] = [];
  /** Releases this replica refused (escrow missing or not yet expired by the entry's time). */
  refusedReleases = 0;
  constructor(
    readonly ctx: NodeContext<RaftMessage>,
    readonly variant: LedgerVariant,
    /** Called when this replica escrows units: lock index and expiry (this replica's view). */
    readonly onEscrow: (replica: NodeId, lock: number, expiresAtMs: number) => void = () => {},
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
        s.escrows.push({
          lock: e.index,
          account: cmd.account,
          amount: cmd.amount,
          expiresAtMs: now + cmd.ttlMs,
        });
        this.onEscrow(this.ctx.self, e.index, now + cmd.ttlMs);
        break;
      }
      case "release": {
        // correct code: the time is the one in the entry; the escrow's expiry is what the lock stored
        const k = s.escrows.findIndex((x) => x.lock === cmd.lock);
        if (k < 0 || s.escrows[k].expiresAtMs > cmd.stampMs) {
          s.rejected++;
          this.refusedReleases++;
          kind = "release (refused)";
          break;
        }
        const [x] = s.escrows.splice(k, 1);
        s.balances.set(x.account, (s.balances.get(x.account) ?? 0) + x.amount);
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
    this.spendable.push([...s.balances.values()].reduce((a, b) => a + b, 0));
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
  /** Sum of the balances alone: what the accounts' owners can spend, as this replica reports it. */
  readonly spendableUnits: number;
  /** Lotteries this replica applied (each mints the prize). */
  readonly lotteries: number;
  /** Releases this replica refused. */
  readonly refusedReleases: number;
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
  /** Release commands in the log (one per lock the leader executed). */
  readonly releases: number;
  /** 1-based position of the first release in the log (NaN: none). */
  readonly firstRelease: number;
  /** Releases refused, summed over the replicas. */
  readonly refusedReleases: number;
  /**
   * 1-based position of the first command after which replicas report different spendable
   * balances (what a client reading its account sees); NaN: never.
   */
  readonly firstBalanceSplit: number;
  /** Accounts whose final balance differs between replicas. */
  readonly accountsReadDifferently: number;
  /** Commands every replica applied (the stream plus the releases). */
  readonly commandsInLog: number;
}

/** The determinism experiment's results. */
export interface DeterminismResult {
  readonly replicas: ReplicaLedgerRow[];
  readonly blocks: BlockRootRow[];
  readonly divergence: DivergenceRow[];
  /** Commands per block, and the kinds of the commands in log order ("lock (rejected)": no funds). */
  readonly blockSize: number;
  /** Kinds of the first variant's commands, in log order. */
  readonly commandKinds: readonly string[];
  /** Servers of every run. */
  readonly servers: number;
  /** Kinds of the local-randomness variant's commands as its first replica applied them. */
  readonly randomnessKinds: readonly string[];
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
        ttlMs: LOCK_TTL_MS,
        stampMs: 0,
      });
    } else {
      out.push({ kind: "lottery", prize: LOTTERY_PRIZE, beacon: rng.next() });
    }
  }
  return out;
}

function runVariant(p: SmrParams, variant: LedgerVariant) {
  const machines = new Map<NodeId, LedgerMachine>();
  const stream = commands(p);
  let k = 0;
  let releasesPending = 0;
  let proposedTotal = 0;
  const released = new Set<number>();
  const sim0: { sim?: Cluster<RaftMessage>["sim"] } = {};
  // The owner of an escrow asks for its release the moment the leader's state says it expired
  // (clients read from the leader); the release carries the leader's clock as its "now".
  const onEscrow = (replica: NodeId, lock: number, expiresAtMs: number) => {
    const sim = sim0.sim!;
    if (released.has(lock) || replica !== currentLeader(sim)) return;
    released.add(lock);
    releasesPending++;
    const tryRelease = () => {
      const leader = currentLeader(sim);
      const cmd: LedgerCommand = {
        kind: "release",
        lock,
        stampMs: leader === undefined ? 0 : sim.localTime(leader),
      };
      if (
        leader !== undefined && sim.instanceOf<RaftNode<LedgerCommand>>(leader)!.propose(cmd).ok
      ) {
        releasesPending--;
        proposedTotal++;
      } else sim.schedule(1, tryRelease);
    };
    sim.schedule(Math.max(0, expiresAtMs - sim.localTime(replica)), tryRelease);
  };
  const c = createCluster<RaftMessage>({
    seed: p.seed,
    nodes: p.nodes,
    factory: (ctx) => {
      const m = new LedgerMachine(ctx, variant, onEscrow);
      machines.set(ctx.self, m);
      return new RaftNode<LedgerCommand>(ctx, { ...SMR_RAFT, snapshotThresholdEntries: 0 }, m);
    },
    network: {
      latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
    },
    trace: { mode: "off" },
  });
  const sim = c.sim;
  sim0.sim = sim;
  const propose = () => {
    const leader = currentLeader(sim);
    if (leader !== undefined && k < stream.length) {
      const cmd = stream[k];
      // the proposer fixes the timestamp in the entry, as a block proposer fixes block.timestamp
      const full = cmd.kind === "lock" ? { ...cmd, stampMs: sim.localTime(leader) } : cmd;
      if (sim.instanceOf<RaftNode<LedgerCommand>>(leader)!.propose(full).ok) {
        k++;
        proposedTotal++;
      }
    }
    if (k < stream.length) sim.schedule(7, propose);
  };
  sim.at(500, propose);
  sim.run({
    untilMs: 500 + stream.length * 50 + LOCK_TTL_MS + 5_000,
    until: () =>
      k >= stream.length && releasesPending === 0 &&
      [...machines.values()].every((m) => m.roots.length === proposedTotal),
  });
  sim.runFor(200);
  return { machines, nodes: c.nodes, proposed: proposedTotal };
}

/** Run the three variants on the same seed, network and command stream. */
export function determinismExperiment(p: SmrParams): DeterminismResult {
  const replicas: ReplicaLedgerRow[] = [];
  const blocks: BlockRootRow[] = [];
  const divergence: DivergenceRow[] = [];
  let kinds: string[] = [];
  let randomnessKinds: string[] = [];
  for (const variant of LEDGER_VARIANTS) {
    const { machines, nodes, proposed } = runVariant(p, variant);
    const ms = nodes.map((id) => [id, machines.get(id)!] as const);
    const vkinds = ms[0][1].kinds;
    if (variant === LEDGER_VARIANTS[0]) kinds = vkinds;
    if (variant === "local randomness") randomnessKinds = vkinds;
    for (const [id, m] of ms) {
      const spendable = [...m.state.balances.values()].reduce((a, b) => a + b, 0);
      replicas.push({
        variant,
        replica: id,
        commandsApplied: m.roots.length,
        logHash: m.log.digest(),
        stateRoot: m.roots.at(-1) ?? "",
        totalUnits: spendable + m.state.escrows.reduce((a, e) => a + e.amount, 0),
        spendableUnits: spendable,
        lotteries: m.kinds.filter((x) => x === "lottery").length,
        refusedReleases: m.refusedReleases,
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
    const firstSensitive = sensitive ? vkinds.indexOf(sensitive) + 1 : NaN;
    const firstOf = (pred: (i: number) => boolean) => {
      for (let i = 0; i < n; i++) if (pred(i)) return i + 1;
      return NaN;
    };
    const finalBalances = (a: string) => new Set(ms.map(([, m]) => m.state.balances.get(a))).size;
    // the leader's kinds list every release, accepted or refused
    const isRelease = (x: string) => x.startsWith("release");
    divergence.push({
      variant,
      firstSensitiveCommand: firstSensitive === 0 ? NaN : firstSensitive,
      firstDivergentCommand: firstDiv,
      distinctFinalRoots: new Set(ms.map(([, m]) => m.roots.at(-1))).size,
      distinctLogs: new Set(ms.map(([, m]) => m.log.digest())).size,
      releases: vkinds.filter(isRelease).length,
      firstRelease: firstOf((i) => isRelease(vkinds[i])),
      refusedReleases: ms.reduce((a, [, m]) => a + m.refusedReleases, 0),
      firstBalanceSplit: firstOf((i) => new Set(ms.map(([, m]) => m.spendable[i])).size > 1),
      accountsReadDifferently: ACCOUNTS.filter((a) => finalBalances(a) > 1).length,
      commandsInLog: proposed,
    });
  }
  return {
    replicas,
    blocks,
    divergence,
    blockSize: p.blockSize,
    commandKinds: kinds,
    servers: p.nodes,
    randomnessKinds,
  };
}

/** What theory predicts: identical logs always; identical states only for the deterministic one. */
export function checkDeterminism(r: DeterminismResult, p: SmrParams): Claim[] {
  const get = (v: LedgerVariant) => r.divergence.find((d) => d.variant === v)!;
  const det = get("deterministic"), clock = get("local clock"), rand = get("local randomness");
  const rows = (v: LedgerVariant) => r.replicas.filter((x) => x.variant === v);
  const allApplied = r.divergence.every((d) =>
    rows(d.variant).every((x) => x.commandsApplied === d.commandsInLog) &&
    d.commandsInLog >= p.ledgerCommands
  );
  const followers = r.servers - 1;
  const nan = (x: number) => (Number.isNaN(x) ? "none" : String(x));
  // supply: every replica starts with the same units and every lottery mints its prize on every
  // replica (only the winner differs), so the total is the same everywhere in every version
  const supply = r.replicas.map((x) => ({
    ...x,
    expected: ACCOUNTS.length * INITIAL_BALANCE + LOTTERY_PRIZE * x.lotteries,
  }));
  const lotteriesInLog = new Set(r.replicas.map((x) => `${x.variant}:${x.lotteries}`)).size ===
    LEDGER_VARIANTS.length;
  const minted = LOTTERY_PRIZE * (r.replicas[0]?.lotteries ?? 0);
  return [
    claim(
      "consensus did its job in every variant: all replicas applied the same commands in the same order",
      allApplied && r.divergence.every((d) => d.distinctLogs === 1),
      r.divergence.map((d) => `${d.variant}: ${d.distinctLogs} log of ${d.commandsInLog}`)
        .join("; ") + ` (${p.ledgerCommands} commands + one release per executed lock)`,
    ),
    claim(
      "the deterministic machine gives every replica the same state root after every command",
      Number.isNaN(det.firstDivergentCommand) && det.distinctFinalRoots === 1,
      `first divergence: ${nan(det.firstDivergentCommand)}; ${det.distinctFinalRoots} final root`,
    ),
    Number.isNaN(clock.firstSensitiveCommand)
      ? notApplicable(
        "reading the local clock splits the replicas exactly at the first lock that executes",
        "no lock executed in this command stream",
      )
      : claim(
        "reading the local clock splits the replicas exactly at the first lock that executes",
        clock.firstDivergentCommand === clock.firstSensitiveCommand &&
          clock.distinctFinalRoots > 1,
        `first lock: command ${clock.firstSensitiveCommand}; first divergence: command ${
          nan(clock.firstDivergentCommand)
        }; ${clock.distinctFinalRoots} distinct final roots`,
      ),
    Number.isNaN(rand.firstSensitiveCommand)
      ? notApplicable(
        "drawing local randomness splits the replicas at a lottery",
        "no lottery in this command stream",
      )
      : claim(
        "drawing local randomness splits the replicas at a lottery: the first one unless all " +
          `${r.servers} replicas draw the same winner there (probability (1/${ACCOUNTS.length})^${
            r.servers - 1
          } = ${(ACCOUNTS.length ** (1 - r.servers)).toPrecision(2)})`,
        rand.firstDivergentCommand >= rand.firstSensitiveCommand &&
          r.randomnessKinds[rand.firstDivergentCommand - 1] === "lottery" &&
          rand.distinctFinalRoots > 1,
        `first lottery: command ${rand.firstSensitiveCommand}; first divergence: command ${
          nan(rand.firstDivergentCommand)
        } (${
          r.randomnessKinds[rand.firstDivergentCommand - 1] ?? "—"
        }); ${rand.distinctFinalRoots} distinct final roots`,
      ),
    det.releases === 0
      ? notApplicable(
        "with the time in the entry every replica accepts every release at the stamped expiry",
        "no lock executed, so nothing to release",
      )
      : claim(
        "with the time in the entry every replica accepts every release at the stamped expiry",
        det.refusedReleases === 0 && Number.isNaN(det.firstBalanceSplit),
        `${det.releases} releases, ${det.refusedReleases} refused; balances split at ${
          nan(det.firstBalanceSplit)
        }`,
      ),
    clock.releases === 0
      ? notApplicable(
        "local-clock expiries reach what clients read: each follower refuses each release",
        "no lock executed, so nothing to release",
      )
      : claim(
        "local-clock expiries reach what clients read: each of the n − 1 followers refuses each " +
          "release (it applied the lock one message delay after the leader, so its escrow " +
          "expires later than the leader's clock says), and balances split at the first release",
        clock.refusedReleases === followers * clock.releases &&
          clock.firstBalanceSplit === clock.firstRelease && clock.accountsReadDifferently > 0,
        `${clock.refusedReleases} refusals (predicted ${followers} followers × ${clock.releases} releases = ${
          followers * clock.releases
        }); ` +
          `balances first differ after command ${nan(clock.firstBalanceSplit)}, first release ` +
          `${nan(clock.firstRelease)}; ${clock.accountsReadDifferently} of ${ACCOUNTS.length} ` +
          `accounts read differently at the end`,
      ),
    claim(
      "a total-supply check cannot see any of it: every replica of every version holds " +
        `${ACCOUNTS.length} × ${INITIAL_BALANCE} + ${LOTTERY_PRIZE} × lotteries units ` +
        "(the lottery mints its prize on every replica; only the winner differs)",
      lotteriesInLog && supply.every((x) => x.totalUnits === x.expected),
      supply.filter((x) => x.totalUnits !== x.expected).map((x) =>
        `${x.variant} ${x.replica}: ${x.totalUnits} ≠ ${x.expected}`
      ).join("; ") ||
        `${r.replicas.length} replicas, each ${
          ACCOUNTS.length * INITIAL_BALANCE
        } + ${minted} minted`,
    ),
  ];
}
