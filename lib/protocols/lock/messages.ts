/** Messages of the lock protocols: writes to the protected resource, Redis-style lock commands. @module */
import type { NodeId } from "../../sim/types.ts";

/**
 * A write to the protected resource. `token` is the fencing token of the hold it was made under
 * (null when the lock service issues none, as Redlock does); `hold` numbers the writer's holds.
 */
export interface ResourceWrite {
  /** Message kind. */
  readonly type: "ResourceWrite";
  /** The writing client. */
  readonly client: NodeId;
  /** The client's hold (1 for its first acquisition, 2 for its second, ...). */
  readonly hold: number;
  /** Fencing token of that hold, or null. */
  readonly token: number | null;
  /** The value written. */
  readonly value: string;
}

/** `SET key value NX PX ttlMs` on one independent Redis-like node. */
export interface RedisSet {
  /** Message kind. */
  readonly type: "RedisSet";
  /** The lock's key. */
  readonly key: string;
  /** The client's random value for this acquisition (unique per attempt). */
  readonly value: string;
  /** Time to live, in the node's local clock. */
  readonly ttlMs: number;
}

/** A node's answer to {@link RedisSet}: whether the key was set. */
export interface RedisSetReply {
  /** Message kind. */
  readonly type: "RedisSetReply";
  /** The value of the request answered. */
  readonly value: string;
  /** True when the key was absent (or expired on the node's clock) and is now set. */
  readonly ok: boolean;
}

/** Delete the key if it still holds `value` (the Redis release script). */
export interface RedisDel {
  /** Message kind. */
  readonly type: "RedisDel";
  /** The lock's key. */
  readonly key: string;
  /** Only this acquisition's value is deleted. */
  readonly value: string;
}

/** Every message of this folder. */
export type LockMessage = ResourceWrite | RedisSet | RedisSetReply | RedisDel;
