/**
 * Twins scenarios (Bano, Sonnino, Chursin, Perelman, Li, Ching, Malkhi, "Twins: BFT Systems Made
 * Robust", OPODIS 2021). f of the n identities run twice (two instances, one key: the simulator's
 * `addTwin`), so equivocation, double voting and lost locks come from honest code. A scenario
 * gives, for each of R protocol rounds, a leader and a partition of the n + f instances; the
 * generator follows the paper's three steps (§5, LibTwins' scenario generator):
 *
 * 1. partitions: every way to split the n + f instances into exactly P non-empty groups (the
 *    Stirling number of the second kind S(n + f, P) of them);
 * 2. leaders: each partition paired with each leader; the paper takes leaders only among the
 *    twinned identities (`leaders: "twins"`, the default; `"all"` lifts that restriction);
 * 3. rounds: every sequence of R (leader, partition) pairs, with replacement:
 *    (S(n + f, P) · |leaders|)^R scenarios.
 *
 * On top of the paper, twin placement (which f identities are twinned) is a fourth factor when
 * `placements: "all"` (C(n, f) choices); the paper fixes it (`"fixed"`: n0..n{f-1}), which loses
 * nothing when every round's leader is set by the scenario, by symmetry among the identities.
 * Scenarios are numbered (a mixed-radix index), so a run can enumerate them in order or sample
 * indices from a seed, and a scenario is plain data that prints, shrinks and replays.
 *
 * A second departure, `links: "oneway"`: each round's groups are ordered and messages flow within
 * a group and from a group to every later group, never back (the P! orderings of each partition:
 * P!·S(n + f, P) per round). The paper's partitions are symmetric, and with symmetric partitions
 * a protocol in which every replica broadcasts its votes and leaves an instance once it decides
 * (Tendermint) cannot break agreement at n = 3f + 1 whatever the lock rules: a decision needs
 * 2f + 1 precommits of one round, so f + 1 correct senders in the decider's group, and each of
 * them receives the same precommits and decides too, leaving f correct replicas, one short of a
 * conflicting quorum. The locking mistakes need one correct replica to hear another's precommit
 * without being heard, which one-way links express (DiemBFT, where the paper ran Twins, sends
 * votes to the next leader only, so its rounds are asymmetric already).
 *
 * One-way links are not enough when a Twins round is a whole protocol round (twins_run.ts
 * `roundMode: "message"`): then a pair of instances hears all or none of each other's messages
 * of a round. A replica Y that locks v in round r without deciding, while X decides v, needs
 * 2f + 1 prevotes for v but fewer than 2f + 1 precommits for v from the instances it hears, and
 * still has to leave round r (2f + 1 precommits of any kind, or f + 1 replicas seen in a later
 * round); at n = 4 with one twin, going through who may hear whom in an order of groups, each case
 * ends in a contradiction (Y hears a precommitter of v it must not hear, or a replica that has to
 * precommit nil never hears 2f + 1 prevotes), and 600 sampled scenarios (3 groups, 2 rounds) found
 * no breach. With `roundMode: "step"` (each step of a protocol round a Twins round) one replica
 * may hear another's prevote but not its precommit, and both lock mistakes are caught (tests).
 *
 * Tendermint's `unlockOnLowerRound` (Buchman, Kwon, Milosevic 2018, Algorithm 1 line 29 without
 * lockedRound ≤ vr) in step rounds, n = 4, twin n0 (instances t, t'), honest a = n1, b = n2,
 * c = n3, every leader n0 (the paper's twin leaders). It needs a stale polka for w (round 0)
 * that b holds without having locked w, a lock of b on v in round 1 while a decides v, and a
 * round-2 proposal of w with validRound 0:
 *
 * - round 0, propose {t a c}{t' b}: t proposes w to a and c, t' proposes w' to b (salted twins);
 *   prevote {a}>{t c b t'}: t and c see a, t, c prevote w and lock w (validRound 0); b sees the
 *   same three prevotes but has no proposal w, so it neither locks nor adopts w (line 36 needs
 *   the proposal); a hears nobody and is pulled into round 1 later by f + 1 round-1 messages;
 * - round 1, propose {t' a b}{t c}: t re-proposes w (its validValue, vr 0) to c only, t' proposes
 *   a fresh v to a and b; a, b, t' prevote v, see the polka and lock v; t and c never get v, so
 *   they precommit nil; precommit {b t c}>{a t'}: a hears a, b, t' precommit v and decides v, b
 *   hears b, t, c (one vote for v) and times out to round 2;
 * - round 2 (not partitioned): t (leader n0 again; t' has decided and left height 1) proposes w
 *   with validRound 0 and relays the round-0 polka. b is locked on v in round 1 > 0, so line 29
 *   makes it prevote nil; with the mistake it prevotes w, and b, c, t precommit w: b decides w.
 *
 * The run confirms it (twins_run.ts, shrunk to the four partitioned steps above; tests), and the
 * scenario is an element of the step space the generator enumerates (`links: "mixed"`,
 * `whole: true`: 1 + S(5, 2) + 2·S(5, 2) = 46 choices a step, 46^6 ≈ 9.5·10^9 scenarios of two
 * protocol rounds; `scenarioIndex` gives its number). Uniform sampling of that space is hopeless
 * at tens of runs a second, so `twinsVariants` enumerates directed families: the argument fixes
 * the steps it needs and the generator tries every choice of the others.
 *
 * HotStuff's `ignoreLock` (Yin et al. 2019, safeNode without its two rules) is out of reach of
 * Twins at n = 3f + 1, salted or not, in basic HotStuff (the executor's variant): a leader
 * proposes only after n − f NEW-VIEW messages of one view, extending the highest QC among them
 * (Algorithm 2). A lock on b (a pre-commit QC of view v in an honest replica) means n − f
 * replicas voted pre-commit, each holding b's prepare QC; at least n − 2f = f + 1 of them are
 * honest, and any n − f NEW-VIEW senders include f + 1 honest ones: 2f + 2 > 2f + 1 honest
 * replicas, so the leader hears a QC of view ≥ v. Each view certifies at most one node per phase
 * (two QCs of one view need f + 1 identities voting twice; only the f twinned ones can), so by
 * induction on views every node an honest-code leader proposes after view v extends b: safeNode's
 * lock check never fails, and dropping it changes nothing. Twins instances run honest code, so
 * none proposes a node on a stale QC the way the mistake's Byzantine leader does (the BFT battery
 * catches it). Measured as well (tests: no breach with the flag, salted twins proposing distinct
 * nodes in one view).
 *
 * HotStuff's `quorumOffByOne` (every n − f wait takes n − f − 1 = 2f) is within reach of one
 * Twins round, honest code only: at n = 4 with twin n0 (instances t, t'), leader n0 and a
 * partition that puts t and t' in different groups, each with at least one honest replica (6 of
 * the S(5, 2) = 15 partitions: each of the 3 honest replicas joins either side, neither side
 * empty), each group holds at least 2 = 2f instances. In each group the twin instance collects 2
 * NEW-VIEWs and proposes its own salted node, and 2 votes certify it in every phase (prepare,
 * pre-commit, commit): both groups decide a different node in view 1 while the partition holds.
 * With the right quorum of 3 the smaller group (2 instances) certifies nothing, so the flag off
 * stays safe. Sampling the paper's space finds it (3 to 6 of 8 scenarios violate on seeds 1, 2,
 * 3, 7, 42); on seed 1 the shrinker reduces it to that one partitioned round (tests/protocols/bft/
 * twins_hotstuff_quorum_test.ts), other seeds may shrink to another minimal scenario (seed 2: two
 * rounds, the twin instances together in the first).
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { Rng } from "../../sim/rng.ts";
import type { NodeId } from "../../sim/types.ts";

/** One round of a scenario: who leads it and which instances can talk. */
export interface TwinsRound {
  /** The leader (an identity; both of its instances think they lead). */
  readonly leader: NodeId;
  /** Groups of instance ids ("n0", "n0'", ...); a message of this round crosses no group border. */
  readonly partition: readonly (readonly NodeId[])[];
  /**
   * One-way links (an extension, see the module comment): groups are ordered and a message
   * also flows from a group to every later one, never back. Absent or false: no border crossed.
   */
  readonly oneway?: boolean;
}

/** A Twins scenario: plain data (print it, shrink it, replay it). */
export interface TwinsScenario {
  /** Replicas (identities n0..n{n-1}). */
  readonly n: number;
  /** The twinned identities (each also runs as instance `id'`). */
  readonly twins: readonly NodeId[];
  /** Round r's leader and partition, r = 0..R-1; later rounds: no partition, default leader. */
  readonly rounds: readonly TwinsRound[];
}

/** Generator parameters (zod): n, the number of twins, P, R, leader and placement policy. */
export const TwinsGeneratorSchema = z.object({
  /** Replicas n (identities n0..n{n-1}). */
  n: z.number().int().min(1).max(64),
  /** Twinned identities (default ⌊(n − 1)/3⌋ = f: the most a safe protocol must survive). */
  f: z.number().int().min(0).optional(),
  /** Explicit twinned identities (instead of a count); at most f of them. */
  twins: z.array(z.string().min(1)).optional(),
  /** The f the protocol tolerates (default ⌊(n − 1)/3⌋); more twins than this is refused. */
  tolerated: z.number().int().min(0).optional(),
  /** Groups per partition, P (the paper's experiments use 2). Default 2. */
  partitions: z.number().int().min(1).default(2),
  /** Rounds R with a scenario-set leader and partition. Default 2. */
  rounds: z.number().int().min(1).max(64).default(2),
  /** Leader candidates: the twinned identities (the paper) or every identity. Default "twins". */
  leaders: z.enum(["twins", "all"]).default("twins"),
  /** Twin placement: fixed n0..n{f-1} (the paper) or every f-subset. Default "fixed". */
  placements: z.enum(["fixed", "all"]).default("fixed"),
  /**
   * Links across groups: none (the paper), one way (earlier group to later), or "mixed" (each
   * round either: S + P!·S choices). Default "symmetric".
   */
  links: z.enum(["symmetric", "oneway", "mixed"]).default("symmetric"),
  /** Also offer each round unpartitioned (one group, nothing cut): one more choice. Default false. */
  whole: z.boolean().default(false),
}).strict();

/** Generator parameters as written. */
export type TwinsGeneratorInput = z.input<typeof TwinsGeneratorSchema>;

/** The scenario space of one generator configuration. */
export interface TwinsSpace {
  /** Replicas. */
  readonly n: number;
  /** Twins per scenario. */
  readonly f: number;
  /** Groups per partition. */
  readonly partitions: number;
  /** Rounds per scenario. */
  readonly rounds: number;
  /** The twin placements (each a list of twinned identities). */
  readonly placements: readonly (readonly NodeId[])[];
  /** Partitions of the n + f instance slots into P groups, as a group number per slot (ordered ones for one-way links). */
  readonly blocks: readonly (readonly number[])[];
  /** Per block: whether its groups are ordered with one-way links. */
  readonly blockOneway: readonly boolean[];
  /** Leader choices per round. */
  readonly leaderChoices: number;
  /** Whether leaders are the twinned identities only (else all n). */
  readonly twinLeaders: boolean;
  /** Whether groups are ordered with one-way links (`links: "oneway"`; "mixed": some are). */
  readonly oneway: boolean;
  /** (leader, partition) pairs per round: S(n + f, P) × leaders. */
  readonly perRound: number;
  /** Scenarios in all: placements × perRound^R (may exceed 2^53: then approximate). */
  readonly total: number;
}

/** Replica ids n0..n{n-1}. */
export function replicaIds(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i}`);
}

/** The instance id of an identity's twin ("n0" → "n0'"), as `Simulation.addTwin` names it. */
export function twinOf(id: NodeId): NodeId {
  return `${id}'`;
}

/** S(m, k): ways to split m labelled items into k non-empty groups. */
export function stirling2(m: number, k: number): number {
  const row: number[] = Array.from({ length: k + 1 }, (_, j) => (j === 0 ? 1 : 0));
  for (let i = 1; i <= m; i++) {
    for (let j = Math.min(i, k); j >= 1; j--) row[j] = j * row[j] + row[j - 1];
    row[0] = 0;
  }
  return m === 0 && k === 0 ? 1 : row[k];
}

/** Every split of m slots into exactly k non-empty groups, as restricted growth strings. */
export function setPartitions(m: number, k: number): number[][] {
  const out: number[][] = [];
  const a = new Array<number>(m).fill(0);
  const go = (i: number, used: number) => {
    if (m - i < k - used) return; // not enough slots left to open the remaining groups
    if (i === m) {
      if (used === k) out.push([...a]);
      return;
    }
    for (let g = 0; g < Math.min(used + 1, k); g++) {
      a[i] = g;
      go(i + 1, Math.max(used, g + 1));
    }
  };
  if (m > 0) go(0, 0);
  return out;
}

/** Every split of m slots into k non-empty ordered groups: k!·S(m, k) surjections onto 0..k−1. */
export function orderedPartitions(m: number, k: number): number[][] {
  const perms: number[][] = [];
  const perm = (acc: number[]) => {
    if (acc.length === k) return void perms.push([...acc]);
    for (let g = 0; g < k; g++) if (!acc.includes(g)) perm([...acc, g]);
  };
  perm([]);
  return setPartitions(m, k).flatMap((a) => perms.map((p) => a.map((g) => p[g])));
}

function combinations(items: readonly NodeId[], k: number): NodeId[][] {
  const out: NodeId[][] = [];
  const pick = (start: number, acc: NodeId[]) => {
    if (acc.length === k) return void out.push([...acc]);
    for (let i = start; i < items.length; i++) pick(i + 1, [...acc, items[i]]);
  };
  pick(0, []);
  return out;
}

/**
 * Validate a generator configuration and describe its space. Impossible twin placements are
 * refused with a ConfigError naming the field: more twins than f (`f` or `twins`), unknown or
 * repeated identities (`twins[i]`), more groups than instances (`partitions`), twin leaders
 * with no twin (`leaders`).
 * @example
 * ```ts
 * twinsSpace({ n: 4 }).total; // (S(5, 2) · 1)^2 = 225
 * ```
 */
export function twinsSpace(input: TwinsGeneratorInput): TwinsSpace {
  const o = parseConfig(TwinsGeneratorSchema, input, "twins generator");
  const ids = replicaIds(o.n);
  const tolerated = o.tolerated ?? Math.floor((o.n - 1) / 3);
  const issues: { path: string; message: string }[] = [];
  if (o.twins !== undefined) {
    const seen = new Set<string>();
    o.twins.forEach((id, i) => {
      if (!ids.includes(id)) {
        issues.push({
          path: `twins[${i}]`,
          message: `"${id}" is not a replica (replicas: ${ids.join(", ")})`,
        });
      } else if (seen.has(id)) {
        issues.push({ path: `twins[${i}]`, message: `"${id}" is twinned twice` });
      }
      seen.add(id);
    });
    if (o.f !== undefined && o.f !== o.twins.length) {
      issues.push({ path: "f", message: `f = ${o.f} but ${o.twins.length} twins are listed` });
    }
  }
  const f = o.twins?.length ?? o.f ?? tolerated;
  if (f > tolerated) {
    issues.push({
      path: o.twins !== undefined ? "twins" : "f",
      message: `${f} twins > f = ${tolerated} for n = ${o.n}: a twin pair is a faulty identity, ` +
        `and more than f of them may break any protocol`,
    });
  }
  if (o.partitions > o.n + f) {
    issues.push({
      path: "partitions",
      message: `${o.partitions} groups > n + f = ${o.n + f} instances`,
    });
  }
  if (o.leaders === "twins" && f === 0) {
    issues.push({ path: "leaders", message: `"twins" leaders need at least one twin` });
  }
  if (o.placements === "all" && o.twins !== undefined) {
    issues.push({ path: "placements", message: `"all" placements conflict with explicit twins` });
  }
  if (issues.length) throw new ConfigError("twins generator", issues);
  const placements = o.twins !== undefined
    ? [o.twins]
    : o.placements === "all"
    ? combinations(ids, f)
    : [ids.slice(0, f)];
  const oneway = o.links === "oneway";
  const sym = o.links === "oneway" ? [] : setPartitions(o.n + f, o.partitions);
  const ord = o.links === "symmetric" ? [] : orderedPartitions(o.n + f, o.partitions);
  // "whole": the one-group block (every slot in group 0) first, unless P = 1 has it already
  const whole = o.whole && o.partitions > 1 ? [new Array<number>(o.n + f).fill(0)] : [];
  const blocks = [...whole, ...sym, ...ord];
  const blockOneway = blocks.map((_, i) => i >= whole.length + sym.length);
  const leaderChoices = o.leaders === "twins" ? f : o.n;
  const perRound = blocks.length * leaderChoices;
  return {
    n: o.n,
    f,
    partitions: o.partitions,
    rounds: o.rounds,
    placements,
    blocks,
    blockOneway,
    leaderChoices,
    twinLeaders: o.leaders === "twins",
    oneway,
    perRound,
    total: placements.length * perRound ** o.rounds,
  };
}

/** The instance slots of a placement: the n identities, then the twins' instances. */
function slots(space: TwinsSpace, twins: readonly NodeId[]): NodeId[] {
  return [...replicaIds(space.n), ...twins.map(twinOf)];
}

function roundOf(space: TwinsSpace, twins: readonly NodeId[], k: number): TwinsRound {
  const b = k % space.blocks.length;
  const l = Math.floor(k / space.blocks.length);
  const inst = slots(space, twins);
  const groups: NodeId[][] = Array.from({ length: space.partitions }, () => []);
  space.blocks[b].forEach((g, i) => groups[g].push(inst[i]));
  const partition = groups.filter((g) => g.length > 0);
  const leader = space.twinLeaders ? twins[l] : replicaIds(space.n)[l];
  return space.blockOneway[b] ? { leader, partition, oneway: true } : { leader, partition };
}

/**
 * Scenario number `index` of the space (0 ≤ index < total): placement, then one (partition,
 * leader) digit per round, round 0 least significant.
 */
export function scenarioAt(space: TwinsSpace, index: number): TwinsScenario {
  if (!(Number.isSafeInteger(index) && index >= 0 && index < space.total)) {
    throw new ConfigError("twins scenario", [{
      path: "index",
      message: `index ${index} outside [0, ${space.total})`,
    }]);
  }
  let rest = index;
  const digits: number[] = [];
  for (let r = 0; r < space.rounds; r++) {
    digits.push(rest % space.perRound);
    rest = Math.floor(rest / space.perRound);
  }
  const twins = space.placements[rest];
  return { n: space.n, twins, rounds: digits.map((d) => roundOf(space, twins, d)) };
}

/** A round's key: leader, then its groups (member order ignored; kept in order when one-way). */
function roundKey(r: TwinsRound): string {
  const groups = r.partition.filter((g) => g.length > 0).map((g) => [...g].sort().join(" "));
  if (groups.length <= 1) return `${r.leader}|${groups.join("")}`;
  return `${r.leader}|${r.oneway ? groups.join(">") : groups.sort().join("|")}`;
}

/**
 * The index of `s` in `space` (the inverse of {@link scenarioAt}), or -1 when the space does not
 * hold it (another n, placement, round count, or a round no choice of the space gives).
 */
export function scenarioIndex(space: TwinsSpace, s: TwinsScenario): number {
  const p = space.placements.findIndex((t) => t.join(",") === s.twins.join(","));
  if (s.n !== space.n || p < 0 || s.rounds.length !== space.rounds) return -1;
  const keys = new Map<string, number>();
  for (let k = space.perRound - 1; k >= 0; k--) {
    keys.set(roundKey(roundOf(space, space.placements[p], k)), k);
  }
  let index = 0;
  for (let r = space.rounds - 1; r >= 0; r--) {
    const d = keys.get(roundKey(s.rounds[r]));
    if (d === undefined) return -1;
    index = index * space.perRound + d;
  }
  return p * space.perRound ** space.rounds + index;
}

/**
 * Every scenario of `space` equal to `base` except in the rounds listed in `vary`, each of which
 * takes every (partition, leader) choice of the space: perRound^|vary| scenarios, in index order.
 * A directed enumeration: a protocol argument fixes the rounds it needs, the generator enumerates
 * the rest exhaustively (a ConfigError names `base` or `vary` when they do not fit the space).
 */
export function* twinsVariants(
  space: TwinsSpace,
  base: TwinsScenario,
  vary: readonly number[],
): Generator<TwinsScenario> {
  const issues: { path: string; message: string }[] = [];
  if (base.n !== space.n) issues.push({ path: "base.n", message: `${base.n} ≠ n = ${space.n}` });
  if (base.rounds.length !== space.rounds) {
    issues.push({
      path: "base.rounds",
      message: `${base.rounds.length} rounds ≠ rounds = ${space.rounds}`,
    });
  }
  if (!space.placements.some((t) => t.join(",") === base.twins.join(","))) {
    issues.push({ path: "base.twins", message: `[${base.twins.join(", ")}] is no placement` });
  }
  vary.forEach((r, i) => {
    if (!(Number.isInteger(r) && r >= 0 && r < space.rounds)) {
      issues.push({ path: `vary[${i}]`, message: `round ${r} outside [0, ${space.rounds})` });
    } else if (vary.indexOf(r) !== i) {
      issues.push({ path: `vary[${i}]`, message: `round ${r} listed twice` });
    }
  });
  if (issues.length) throw new ConfigError("twins variants", issues);
  const total = space.perRound ** vary.length;
  for (let i = 0; i < total; i++) {
    let rest = i;
    const rounds = [...base.rounds];
    for (const r of vary) {
      rounds[r] = roundOf(space, base.twins, rest % space.perRound);
      rest = Math.floor(rest / space.perRound);
    }
    yield { n: base.n, twins: base.twins, rounds };
  }
}

/**
 * Scenarios to explore: all of them in index order when `count` ≥ the space (or `count` is
 * omitted), else `count` drawn from `seed` (each round's pair and the placement uniform and
 * independent, i.e. uniform over the space, with replacement as in the paper's sampling).
 * @example
 * ```ts
 * for (const s of twinsScenarios({ n: 4, rounds: 2 }, { count: 100, seed: 1 })) run(s);
 * ```
 */
export function* twinsScenarios(
  input: TwinsGeneratorInput | TwinsSpace,
  options: { count?: number; seed?: number | string } = {},
): Generator<TwinsScenario> {
  const space = "blocks" in input ? input : twinsSpace(input);
  const count = options.count ?? space.total;
  if (count >= space.total && Number.isSafeInteger(space.total)) {
    for (let i = 0; i < space.total; i++) yield scenarioAt(space, i);
    return;
  }
  const rng = new Rng(options.seed ?? 0).fork("twins");
  for (let i = 0; i < count; i++) {
    const twins = space.placements[rng.int(0, space.placements.length - 1)];
    const rounds: TwinsRound[] = [];
    for (let r = 0; r < space.rounds; r++) {
      rounds.push(roundOf(space, twins, rng.int(0, space.perRound - 1)));
    }
    yield { n: space.n, twins, rounds };
  }
}

/** Parse a scenario given as data (validated: ConfigError naming the field). */
export function parseTwinsScenario(input: unknown, tolerated?: number): TwinsScenario {
  const s = parseConfig(TwinsScenarioSchema, input, "twins scenario");
  const ids = replicaIds(s.n);
  const f = tolerated ?? Math.floor((s.n - 1) / 3);
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  s.twins.forEach((id, i) => {
    if (!ids.includes(id)) {
      issues.push({ path: `twins[${i}]`, message: `"${id}" is not a replica (${ids.join(", ")})` });
    } else if (seen.has(id)) issues.push({ path: `twins[${i}]`, message: `"${id}" twice` });
    seen.add(id);
  });
  if (s.twins.length > f) {
    issues.push({ path: "twins", message: `${s.twins.length} twins > f = ${f} for n = ${s.n}` });
  }
  const instances = new Set([...ids, ...s.twins.map(twinOf)]);
  s.rounds.forEach((r, k) => {
    if (!ids.includes(r.leader)) {
      issues.push({ path: `rounds[${k}].leader`, message: `"${r.leader}" is not a replica` });
    }
    const inRound = new Set<string>();
    r.partition.forEach((g, j) =>
      g.forEach((x, i) => {
        if (!instances.has(x)) {
          issues.push({
            path: `rounds[${k}].partition[${j}][${i}]`,
            message: `"${x}" is not an instance (${[...instances].join(", ")})`,
          });
        } else if (inRound.has(x)) {
          issues.push({
            path: `rounds[${k}].partition[${j}][${i}]`,
            message: `"${x}" in two groups`,
          });
        }
        inRound.add(x);
      })
    );
  });
  if (issues.length) throw new ConfigError("twins scenario", issues);
  return s;
}

/** A scenario as data (zod). */
export const TwinsScenarioSchema = z.object({
  n: z.number().int().min(1).max(64),
  twins: z.array(z.string().min(1)),
  rounds: z.array(
    z.object({
      leader: z.string().min(1),
      partition: z.array(z.array(z.string().min(1))),
      oneway: z.boolean().optional(),
    }).strict(),
  ),
}).strict();

/** One line per scenario: `twins n0 | r0 L=n0 {n0 n1 n2}{n0' n3} | r1 ...` (one-way: `{..}>{..}`). */
export function formatScenario(s: TwinsScenario): string {
  const rounds = s.rounds.map((r, k) =>
    `r${k} L=${r.leader} ${r.partition.map((g) => `{${g.join(" ")}}`).join(r.oneway ? ">" : "")}`
  );
  return [`n=${s.n} twins ${s.twins.join(",") || "-"}`, ...rounds].join(" | ");
}

/**
 * Smaller variants of a scenario for shrinking, most aggressive first: drop a round (the last
 * first: it becomes synchronous; a middle one: later rounds move up), then merge one round's
 * partition into a single group, then make a round's one-way links symmetric, then merge two
 * adjacent groups of a round.
 */
export function shrinkCandidates(s: TwinsScenario): TwinsScenario[] {
  const out: TwinsScenario[] = [];
  for (let k = s.rounds.length - 1; k >= 0 && s.rounds.length > 1; k--) {
    out.push({ ...s, rounds: s.rounds.filter((_, j) => j !== k) });
  }
  for (let k = 0; k < s.rounds.length; k++) {
    if (s.rounds[k].partition.filter((g) => g.length > 0).length <= 1) continue;
    const all = s.rounds[k].partition.flat();
    out.push({
      ...s,
      rounds: s.rounds.map((r, j) => (j === k ? { leader: r.leader, partition: [all] } : r)),
    });
  }
  const withRound = (k: number, r: TwinsRound) => ({
    ...s,
    rounds: s.rounds.map((x, j) => (j === k ? r : x)),
  });
  s.rounds.forEach((r, k) => {
    if (r.oneway) out.push(withRound(k, { leader: r.leader, partition: r.partition }));
  });
  s.rounds.forEach((r, k) => {
    const g = r.partition.filter((x) => x.length > 0);
    for (let i = 0; i + 1 < g.length && g.length > 2; i++) {
      const merged = [...g.slice(0, i), [...g[i], ...g[i + 1]], ...g.slice(i + 2)];
      out.push(withRound(k, { ...r, partition: merged }));
    }
  });
  return out;
}

/**
 * Greedy shrink: keep replacing the scenario by its first smaller variant that still fails,
 * until none does. Returns the minimal scenario and how many runs it took.
 */
export function shrinkScenario(
  fails: (s: TwinsScenario) => boolean,
  scenario: TwinsScenario,
): { scenario: TwinsScenario; runs: number } {
  let cur = scenario;
  let runs = 0;
  for (let progress = true; progress;) {
    progress = false;
    for (const c of shrinkCandidates(cur)) {
      runs++;
      if (fails(c)) {
        cur = c;
        progress = true;
        break;
      }
    }
  }
  return { scenario: cur, runs };
}
