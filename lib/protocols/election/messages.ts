/** Messages of the leader-election protocols (discriminated unions on `type`). @module */
import type { NodeId } from "../../sim/types.ts";

/** Chang–Roberts: a candidate's identifier travelling clockwise. */
export interface CrElection {
  /** Message kind. */
  readonly type: "cr-election";
  /** The candidate's UID. */
  readonly uid: number;
}
/** Chang–Roberts: the winner's announcement, once around the ring. */
export interface CrElected {
  /** Message kind. */
  readonly type: "cr-elected";
  /** The winner's UID. */
  readonly uid: number;
  /** The winner's node id. */
  readonly leader: NodeId;
}
/** Every Chang–Roberts message. */
export type ChangRobertsMessage = CrElection | CrElected;

/** Hirschberg–Sinclair: a probe going out `2^phase` hops in one direction. */
export interface HsProbe {
  /** Message kind. */
  readonly type: "hs-probe";
  /** The candidate's UID. */
  readonly uid: number;
  /** The candidate's phase k (probes travel 2^k hops). */
  readonly phase: number;
  /** Hops travelled so far, including this one. */
  readonly hop: number;
  /** Direction of travel: "cw" towards ring[i+1], "ccw" towards ring[i-1]. */
  readonly dir: "cw" | "ccw";
}
/** Hirschberg–Sinclair: the reply sent back to the candidate when its probe survived 2^k hops. */
export interface HsReply {
  /** Message kind. */
  readonly type: "hs-reply";
  /** The candidate's UID. */
  readonly uid: number;
  /** The phase answered. */
  readonly phase: number;
  /** Direction of travel of the reply. */
  readonly dir: "cw" | "ccw";
}
/** Hirschberg–Sinclair: the winner's announcement, once around the ring. */
export interface HsElected {
  /** Message kind. */
  readonly type: "hs-elected";
  /** The winner's UID. */
  readonly uid: number;
  /** The winner's node id. */
  readonly leader: NodeId;
}
/** Every Hirschberg–Sinclair message. */
export type HirschbergSinclairMessage = HsProbe | HsReply | HsElected;

/** Bully: "I call an election" sent to every higher-priority node. */
export interface BullyElection {
  /** Message kind. */
  readonly type: "election";
}
/** Bully: "I am alive and higher than you; I take over" (Garcia-Molina's answer). */
export interface BullyAnswer {
  /** Message kind. */
  readonly type: "answer";
}
/** Bully: "I am the coordinator", sent to every other node. */
export interface BullyCoordinator {
  /** Message kind. */
  readonly type: "coordinator";
}
/** Bully: the coordinator's periodic "I am alive" (failure detection, not part of the count). */
export interface BullyHeartbeat {
  /** Message kind. */
  readonly type: "leader-heartbeat";
}
/** Every bully message. */
export type BullyMessage = BullyElection | BullyAnswer | BullyCoordinator | BullyHeartbeat;
