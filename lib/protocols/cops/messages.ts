/** Messages of the COPS-style causally consistent store. @module */

/**
 * A version number: a Lamport timestamp with the writing replica's index in the low-order bits
 * (`lamport * 65536 + replica`), so versions are unique and totally ordered, and a write that
 * causally follows another gets a larger version (Lloyd et al. 2011, §4: Lamport-clock
 * version numbers give the last-writer-wins order).
 */
export type Version = number;

/** Replica indexes fit in the low 16 bits of a {@link Version}. */
export const REPLICA_BITS = 65536;

/** One dependency: a key and the version of it that must be visible first. */
export interface Dependency {
  /** The key. */
  readonly key: string;
  /** The version of the key the write depends on. */
  readonly version: Version;
}

/** Client → local replica: read a key. */
export interface CopsGet {
  /** Message kind. */
  readonly type: "get";
  /** Request id (the workload's). */
  readonly id: number;
  /** The key. */
  readonly key: string;
}

/** Client → local replica: write a key after `deps` (the client's nearest dependencies). */
export interface CopsPut {
  /** Message kind. */
  readonly type: "put";
  /** Request id (the workload's). */
  readonly id: number;
  /** The key. */
  readonly key: string;
  /** The value written. */
  readonly value: unknown;
  /** The client's context: the writes it has seen (its nearest dependencies). */
  readonly deps: readonly Dependency[];
}

/** Replica → client: the local value of a key and its version (0 and null when never written). */
export interface CopsGetReply {
  /** Message kind. */
  readonly type: "getReply";
  /** Request id. */
  readonly id: number;
  /** The key. */
  readonly key: string;
  /** The value, null when the key was never written. */
  readonly value: unknown;
  /** The value's version, 0 when the key was never written. */
  readonly version: Version;
}

/** Replica → client: the put is applied locally with this version. */
export interface CopsPutReply {
  /** Message kind. */
  readonly type: "putReply";
  /** Request id. */
  readonly id: number;
  /** The key. */
  readonly key: string;
  /** The version the local replica gave the write. */
  readonly version: Version;
}

/** Replica → replica: a write to apply once its dependencies are visible (put_after). */
export interface CopsReplicate {
  /** Message kind. */
  readonly type: "replicate";
  /** The replica that accepted the write from its client. */
  readonly origin: string;
  /** The origin's count of its own writes: this is its `seq`-th (for anti-entropy). */
  readonly seq: number;
  /** The key. */
  readonly key: string;
  /** The value. */
  readonly value: unknown;
  /** The write's version. */
  readonly version: Version;
  /** Its nearest dependencies. */
  readonly deps: readonly Dependency[];
}

/** Anti-entropy: "of each origin's writes I have received the first `have[origin]`". */
export interface CopsSync {
  /** Message kind. */
  readonly type: "sync";
  /** Per origin, the length of the prefix of its writes received. */
  readonly have: Readonly<Record<string, number>>;
}

/** Every message of the store. */
export type CopsMessage =
  | CopsGet
  | CopsPut
  | CopsGetReply
  | CopsPutReply
  | CopsReplicate
  | CopsSync;
