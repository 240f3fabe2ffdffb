/**
 * Twins scenarios (Bano, Sonnino, Chursin, Perelman, Li, Ching, Malkhi, "Twins: BFT Systems Made
 * Robust", OPODIS 2021). f of the n identities run twice (two instances, one key: the simulator's
 * `addTwin`), so equivocation, double voting and lost locks come from honest code. A scenario
 * gives, for each of R protocol rounds, a leader and a partition of the n + f instances; the
 * generator follows the paper's three steps (§4, and the authors' twins-generator):
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
 * may hear another's prevote but not its precommit, and the lock mistakes are caught (tests).
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
  /** Links across groups: none (the paper) or one way, earlier group to later. Default "symmetric". */
  links: z.enum(["symmetric", "oneway"]).default("symmetric"),
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
  /** Leader choices per round. */
  readonly leaderChoices: number;
  /** Whether leaders are the twinned identities only (else all n). */
  readonly twinLeaders: boolean;
  /** Whether groups are ordered with one-way links (`links: "oneway"`). */
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
  const blocks = oneway
    ? orderedPartitions(o.n + f, o.partitions)
    : setPartitions(o.n + f, o.partitions);
  const leaderChoices = o.leaders === "twins" ? f : o.n;
  const perRound = blocks.length * leaderChoices;
  return {
    n: o.n,
    f,
    partitions: o.partitions,
    rounds: o.rounds,
    placements,
    blocks,
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
  const leader = space.twinLeaders ? twins[l] : replicaIds(space.n)[l];
  return space.oneway ? { leader, partition: groups, oneway: true } : { leader, partition: groups };
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
