/**
 * A checker of mutual exclusion on a protected resource's history. Input: the holds (who believed
 * it held the lock, from when to when, in true time) and the writes the resource received. It
 * reports, each with its witness (the two operations):
 * - "overlapping-holds": two clients believed they held the lock at the same instant (two leaders
 *   by their own belief);
 * - "stale-write": the resource accepted a write from a hold after a newer hold of another client
 *   had begun (a stale holder wrote in, or after, the new holder's interval);
 * - "interleaved-writes": the resource accepted a write from an older hold after a write from a
 *   newer hold of another client (both holders' writes landed in the same interval);
 * - "fencing-order": accepted writes' fencing tokens decreased.
 * The resource is safe when neither "interleaved-writes" nor "fencing-order" occurs: its accepted
 * writes then come in lock order, as if the holds had run one after the other. A "stale-write"
 * that lands before the newer holder's first write is reported (it was made without the lock)
 * but leaves such an order intact, and no fencing token can refuse it: the resource has not yet
 * seen the newer token. Belief overlap alone is what leases and pauses make unavoidable; fencing
 * is what keeps it from reaching the resource.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";

/** One hold: `client`'s `hold`-th acquisition, believed from `fromMs` to `toMs` (true time). */
export interface Hold {
  /** The holder. */
  readonly client: NodeId;
  /** The holder's hold number (1, 2, ...). */
  readonly hold: number;
  /** Its fencing token (null: none). */
  readonly token: number | null;
  /** When the client learned it holds the lock. */
  readonly fromMs: number;
  /** When it stopped believing so (release, noticed expiry, crash, end of run). */
  readonly toMs: number;
}

/** One write at the resource (true time of arrival). */
export interface Write {
  /** The writing client. */
  readonly client: NodeId;
  /** The hold it was made under. */
  readonly hold: number;
  /** Fencing token sent (null: none). */
  readonly token: number | null;
  /** Arrival time at the resource. */
  readonly timeMs: number;
  /** Whether the resource applied it. */
  readonly accepted: boolean;
}

/** The history a checker reads. */
export interface LockHistory {
  /** Every hold, in any order. */
  readonly holds: readonly Hold[];
  /** Every write, in arrival order at the resource. */
  readonly writes: readonly Write[];
}

/** Kinds of violation. */
export type MutexViolationKind =
  | "overlapping-holds"
  | "stale-write"
  | "interleaved-writes"
  | "fencing-order";

/** A violation with the two operations that witness it. */
export interface MutexViolation {
  /** Which property failed. */
  readonly kind: MutexViolationKind;
  /** The earlier (or older-hold) operation. */
  readonly first: Hold | Write;
  /** The operation that conflicts with it. */
  readonly second: Hold | Write;
  /** For overlapping holds and writes in a foreign hold: how long the conflict lasted (ms). */
  readonly overlapMs: number;
  /** One line for people. */
  readonly message: string;
}

/** The checker's verdict. */
export interface MutexVerdict {
  /** No two holds of different clients overlap (mutual exclusion by belief). */
  readonly exclusiveHolds: boolean;
  /** The resource's accepted writes are in lock order (no interleaved writes, no token decrease). */
  readonly resourceSafe: boolean;
  /** No accepted write was made under a hold another client's newer hold had superseded. */
  readonly noStaleWrites: boolean;
  /** The first violation of each kind found. */
  readonly violations: readonly MutexViolation[];
  /** Sum over pairs of holds of different clients of the time both believed they held it (ms). */
  readonly overlapMs: number;
}

const key = (client: NodeId, hold: number) => `${client}#${hold}`;

function describe(o: Hold | Write): string {
  const tok = o.token === null ? "no token" : `token ${o.token}`;
  return "fromMs" in o
    ? `${o.client} hold ${o.hold} (${tok}) ${+o.fromMs.toFixed(3)}–${+o.toMs.toFixed(3)} ms`
    : `${o.client} write (hold ${o.hold}, ${tok}) at ${+o.timeMs.toFixed(3)} ms ` +
      (o.accepted ? "accepted" : "rejected");
}

/**
 * Check a lock history. Holds are ordered by their start (ties by token); an accepted write is
 * attributed to its hold by (client, hold number).
 * @example
 * ```ts
 * const v = checkMutex({ holds, writes });
 * if (!v.resourceSafe) console.log(v.violations[0].message);
 * ```
 */
export function checkMutex(history: LockHistory): MutexVerdict {
  const holds = [...history.holds].sort((a, b) =>
    a.fromMs - b.fromMs || (a.token ?? 0) - (b.token ?? 0) || (a.client < b.client ? -1 : 1)
  );
  const rank = new Map<string, number>();
  holds.forEach((h, i) => rank.set(key(h.client, h.hold), i));
  const violations: MutexViolation[] = [];
  const add = (v: MutexViolation) => {
    if (!violations.some((x) => x.kind === v.kind)) violations.push(v);
  };
  // belief overlap: sweep holds by start; total measure of instants covered by two clients
  let overlapMs = 0;
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i], b = holds[j];
      if (b.fromMs >= a.toMs) break;
      if (a.client === b.client) continue;
      const o = Math.min(a.toMs, b.toMs) - b.fromMs;
      overlapMs += o;
      add({
        kind: "overlapping-holds",
        first: a,
        second: b,
        overlapMs: o,
        message: `two holders at once for ${+o.toFixed(3)} ms: ${describe(a)} and ${describe(b)}`,
      });
    }
  }
  const accepted = history.writes.filter((w) => w.accepted);
  // a stale hold's write accepted after a newer hold of another client began
  for (const w of accepted) {
    const r = rank.get(key(w.client, w.hold));
    if (r === undefined) continue;
    const newer = holds.find((h, i) =>
      i > r && h.client !== w.client && h.fromMs <= w.timeMs && h.fromMs > holds[r].fromMs
    );
    if (newer) {
      add({
        kind: "stale-write",
        first: newer,
        second: w,
        overlapMs: w.timeMs - newer.fromMs,
        message: `${describe(w)} after ${describe(newer)} began`,
      });
      break;
    }
  }
  // a write of an older hold accepted after a write of a newer hold of another client
  let newest: { w: Write; r: number } | undefined;
  for (const w of accepted) {
    const r = rank.get(key(w.client, w.hold));
    if (r === undefined) continue;
    if (newest && r < newest.r && w.client !== newest.w.client) {
      add({
        kind: "interleaved-writes",
        first: newest.w,
        second: w,
        overlapMs: w.timeMs - newest.w.timeMs,
        message: `${describe(w)} after the newer holder's ${describe(newest.w)}`,
      });
      break;
    }
    if (!newest || r > newest.r) newest = { w, r };
  }
  // fencing order: accepted tokens never decrease
  let top: Write | undefined;
  for (const w of accepted) {
    if (w.token === null) continue;
    if (top && w.token < top.token!) {
      add({
        kind: "fencing-order",
        first: top,
        second: w,
        overlapMs: w.timeMs - top.timeMs,
        message: `accepted token ${w.token} after token ${top.token}: ${describe(w)}`,
      });
      break;
    }
    if (!top || w.token > top.token!) top = w;
  }
  return {
    exclusiveHolds: !violations.some((v) => v.kind === "overlapping-holds"),
    resourceSafe: !violations.some((v) =>
      v.kind === "interleaved-writes" || v.kind === "fencing-order"
    ),
    noStaleWrites: !violations.some((v) => v.kind === "stale-write"),
    violations,
    overlapMs,
  };
}
