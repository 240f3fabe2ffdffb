/** Messages of gossip broadcast. @module */

/** A rumor: an id and an opaque payload. */
export interface Rumor {
  readonly id: string;
  readonly payload?: unknown;
  /** Hops from the origin when sent. */
  readonly hops: number;
}

/** Push: "here are rumors I know". */
export interface Push {
  readonly type: "push";
  readonly rumors: readonly Rumor[];
}

/** Pull: "these are the rumor ids I have; send me the others". */
export interface Pull {
  readonly type: "pull";
  readonly have: readonly string[];
  /** Push-pull carries the sender's rumors too. */
  readonly rumors: readonly Rumor[];
}

/** Reply to a pull with the rumors the puller lacked. */
export interface PullReply {
  readonly type: "pullReply";
  readonly rumors: readonly Rumor[];
}

/** Every gossip message. */
export type GossipMessage = Push | Pull | PullReply;
