/** Messages of the heartbeat failure detector. @module */

/** "I am alive": sent every heartbeat interval; `seq` counts heartbeats of the sender. */
export interface Heartbeat {
  readonly type: "heartbeat";
  readonly seq: number;
}

/** Every message of the protocol. */
export type HeartbeatMessage = Heartbeat;
