/**
 * Versions of a key and how replicas reconcile them (Dynamo §4.4).
 *
 * Every put gets a dot (coordinator, counter), the counter counting that coordinator's puts of
 * that key. In "vv" mode a version also carries the causal context its client read (the dots of
 * every version the client saw), and a version is obsolete once some other version's context
 * holds its dot: concurrent versions stay side by side as siblings and a read returns them all.
 * This is the dotted version vector of Preguiça, Baquero, Almeida et al. (a context of dots rather
 * than per-coordinator maxima), which departs from the paper's plain vector clocks so that two
 * concurrent puts through one coordinator are kept as siblings instead of one silently winning.
 * In "lww" mode a replica keeps only the version with the highest (timestamp, coordinator,
 * counter), the timestamp being the coordinator's local clock: a coordinator whose clock runs
 * behind loses writes that happened later in true time.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";

/** A version's identity: the coordinator and its per-key put counter. */
export interface Dot {
  /** The coordinating node. */
  readonly node: NodeId;
  /** Its counter for this key (1, 2, ...). */
  readonly counter: number;
}

/** A set of dots: per node, sorted disjoint inclusive ranges of counters. */
export type DotSet = Readonly<Record<NodeId, readonly (readonly [number, number])[]>>;

/** The causal context a client passes back with a put: the dots of every version it read. */
export type DynamoContext = DotSet;

/** The empty context (a blind put: concurrent with every version stored). */
export const EMPTY_CONTEXT: DynamoContext = Object.freeze({});

/** One stored version of a key. */
export interface Version {
  /** The value written. */
  readonly value: unknown;
  /** Who coordinated the put, and its counter. */
  readonly dot: Dot;
  /** "vv": the dots this version supersedes (its client's context). */
  readonly context: DotSet;
  /** The coordinator's local clock at the put (what "lww" compares). */
  readonly ts: number;
}

/** Whether `set` holds `dot`. */
export function dotSetHas(set: DotSet, dot: Dot): boolean {
  const rs = set[dot.node];
  if (!rs) return false;
  for (const [a, b] of rs) {
    if (dot.counter < a) return false;
    if (dot.counter <= b) return true;
  }
  return false;
}

function mergeRanges(
  a: readonly (readonly [number, number])[],
  b: readonly (readonly [number, number])[],
): [number, number][] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The union of two dot sets (node ids sorted, so equal sets serialize equally). */
export function dotSetUnion(a: DotSet, b: DotSet): DotSet {
  const nodes = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: Record<NodeId, [number, number][]> = {};
  for (const n of nodes) out[n] = mergeRanges(a[n] ?? [], b[n] ?? []);
  return out;
}

/** `set` with `dot` added. */
export function dotSetAdd(set: DotSet, dot: Dot): DotSet {
  return dotSetUnion(set, { [dot.node]: [[dot.counter, dot.counter]] });
}

/** The context of a list of versions: every dot they carry or supersede. */
export function contextOf(versions: readonly Version[]): DynamoContext {
  let c: DotSet = EMPTY_CONTEXT;
  for (const v of versions) c = dotSetAdd(dotSetUnion(c, v.context), v.dot);
  return c;
}

function sameDot(a: Dot, b: Dot): boolean {
  return a.node === b.node && a.counter === b.counter;
}

function compareDots(a: Dot, b: Dot): number {
  return a.node < b.node ? -1 : a.node > b.node ? 1 : a.counter - b.counter;
}

/** LWW order: timestamp, then coordinator id, then counter. */
export function compareLww(a: Version, b: Version): number {
  return a.ts - b.ts || compareDots(a.dot, b.dot);
}

/**
 * Reconcile two replicas' versions of one key. "vv": the union without duplicates and without
 * versions another version's context supersedes, sorted by dot. "lww": the single highest.
 */
export function mergeVersions(
  mode: "vv" | "lww",
  a: readonly Version[],
  b: readonly Version[],
): Version[] {
  if (mode === "lww") {
    let best: Version | undefined;
    for (const v of [...a, ...b]) if (!best || compareLww(v, best) > 0) best = v;
    return best ? [best] : [];
  }
  const all: Version[] = [];
  for (const v of [...a, ...b]) if (!all.some((x) => sameDot(x.dot, v.dot))) all.push(v);
  const live = all.filter((v) => !all.some((x) => x !== v && dotSetHas(x.context, v.dot)));
  return live.sort((x, y) => compareDots(x.dot, y.dot));
}

/** Whether two version lists are the same (same dots). */
export function sameVersions(a: readonly Version[], b: readonly Version[]): boolean {
  return a.length === b.length && a.every((v, i) => sameDot(v.dot, b[i].dot));
}

/** A short digest of a version list (its dots in order), for Merkle leaves. */
export function versionsDigest(vs: readonly Version[]): string {
  return vs.map((v) => `${v.dot.node}:${v.dot.counter}`).join(",");
}

/** The values of a version list, sorted by their JSON (a deterministic order for clients). */
export function sortedValues(vs: readonly Version[]): unknown[] {
  return vs.map((v) => v.value).sort((a, b) => {
    const x = JSON.stringify(a), y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
