/** Messages of the heartbeat failure detector. @module */

/** "I am alive": sent every heartbeat interval; `seq` counts heartbeats of the sender. */
export interface Heartbeat {
  /** Message kind. */
  readonly type: "heartbeat";
  /** The sender's heartbeat counter: 1, 2, ... since its last (re)start. */
  readonly seq: number;
}

/** Every message of the protocol. */
export type HeartbeatMessage = Heartbeat;
