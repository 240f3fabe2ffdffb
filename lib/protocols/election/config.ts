/** Configuration of the leader-election protocols (zod; a ConfigError names the bad field). @module */
import { z } from "zod";
import type { NodeId } from "../../sim/types.ts";

/** Identifiers must be unique: an election compares them, and a tie has no winner. */
function refineUids(
  members: readonly NodeId[],
  uids: Readonly<Record<NodeId, number>>,
  ctx: z.RefinementCtx,
  membersField: string,
): void {
  const seenMember = new Set<NodeId>();
  members.forEach((m, i) => {
    if (seenMember.has(m)) {
      ctx.addIssue({ code: "custom", path: [membersField, i], message: `duplicate node "${m}"` });
    }
    seenMember.add(m);
    if (uids[m] === undefined) {
      ctx.addIssue({ code: "custom", path: ["uids", m], message: `no identifier for "${m}"` });
    }
  });
  const owner = new Map<number, NodeId>();
  for (const m of members) {
    const u = uids[m];
    if (u === undefined) continue;
    const prev = owner.get(u);
    if (prev !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["uids", m],
        message: `duplicate identifier ${u} (also "${prev}")`,
      });
    }
    owner.set(u, m);
  }
}

/** A ring election (Chang–Roberts, Hirschberg–Sinclair). */
export const RingConfigSchema = z.object({
  /** The ring in order: `ring[i]`'s clockwise neighbour is `ring[i + 1]` (wrapping). At least 2. */
  ring: z.array(z.string().min(1)).min(2, "a ring needs at least 2 nodes"),
  /** Each node's unique identifier (UID); the largest wins. */
  uids: z.record(z.string(), z.number().int()),
  /** Nodes that wake up and start the election at start (default: every node). */
  initiators: z.array(z.string().min(1)).optional(),
}).strict().superRefine((c, ctx) => refineUids(c.ring, c.uids, ctx, "ring"));

/** Ring configuration as written. */
export type RingConfigInput = z.input<typeof RingConfigSchema>;
/** Ring configuration, validated. */
export type RingConfig = z.output<typeof RingConfigSchema>;

/** The bully algorithm (Garcia-Molina 1982). */
export const BullyConfigSchema = z.object({
  /** Every member (the ids in `uids` order nothing; priority is the identifier). At least 2. */
  members: z.array(z.string().min(1)).min(2, "an election needs at least 2 nodes"),
  /** Each node's unique priority; the largest alive wins. */
  uids: z.record(z.string(), z.number().int()),
  /** Nodes that call an election at start (default: none; heartbeats may start one later). */
  initiators: z.array(z.string().min(1)).default([]),
  /** Garcia-Molina's T: wait this long for an answer from a higher node before taking over. */
  answerTimeoutMs: z.number().positive().default(20),
  /** After an answer, wait this long for the coordinator message before calling a new election. */
  coordinatorTimeoutMs: z.number().positive().default(60),
  /** The coordinator's "I am alive" period; 0 turns failure detection off. */
  heartbeatIntervalMs: z.number().min(0).default(0),
  /** Silence from the coordinator after which a node calls an election. */
  leaderTimeoutMs: z.number().positive().default(100),
}).strict().superRefine((c, ctx) => refineUids(c.members, c.uids, ctx, "members"));

/** Bully configuration as written. */
export type BullyConfigInput = z.input<typeof BullyConfigSchema>;
/** Bully configuration, validated. */
export type BullyConfig = z.output<typeof BullyConfigSchema>;
