/** Messages of gossip broadcast. @module */

/** A rumor: an id and an opaque payload. */
export interface Rumor {
  /** Unique rumor id; nodes compare ids to tell which rumors they already know. */
  readonly id: string;
  /** Application data, carried unchanged from the origin. */
  readonly payload?: unknown;
  /** Hops from the origin when sent. */
  readonly hops: number;
}

/** Push: "here are rumors I know". */
export interface Push {
  /** Message kind. */
  readonly type: "push";
  /** The sender's rumors still within their lifetime, `hops` already incremented. */
  readonly rumors: readonly Rumor[];
}

/** Pull: "these are the rumor ids I have; send me the others". */
export interface Pull {
  /** Message kind. */
  readonly type: "pull";
  /** Ids of every rumor the sender knows. */
  readonly have: readonly string[];
  /** Push-pull carries the sender's rumors too. */
  readonly rumors: readonly Rumor[];
}

/** Reply to a pull with the rumors the puller lacked. */
export interface PullReply {
  /** Message kind. */
  readonly type: "pullReply";
  /** The replier's live rumors whose ids were not in the pull's `have`. */
  readonly rumors: readonly Rumor[];
}

/** Every gossip message. */
export type GossipMessage = Push | Pull | PullReply;
