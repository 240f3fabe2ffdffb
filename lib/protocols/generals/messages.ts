/**
 * Messages of the Byzantine generals protocols (Lamport, Shostak, Pease, "The Byzantine Generals
 * Problem", ACM TOPLAS 1982): oral messages for OM(m) (§3) and signed messages for SM(m) (§4).
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";

/** The two orders of the paper. */
export type Order = "ATTACK" | "RETREAT";

/** Both orders, ATTACK first. */
export const ORDERS: readonly Order[] = ["ATTACK", "RETREAT"];

/** The other order. */
export function flip(v: Order): Order {
  return v === "ATTACK" ? "RETREAT" : "ATTACK";
}

/**
 * An oral message of OM(m). `path` is the chain of relayers [commander, j1, ..., jk]: the message
 * is the value jk received as a lieutenant of the sub-instance OM(m−k+1) named by the path without
 * jk, now sent as the commander of OM(m−k). The sender is always the path's last general.
 */
export interface OmMessage {
  /** Discriminant: oral message. */
  readonly type: "om";
  /** The chain of relayers, commander first, sender last. */
  readonly path: readonly NodeId[];
  /** The order carried. */
  readonly value: Order;
}

/**
 * A signed message of SM(m): the paper's v:0:j1:...:jk. `chain[0]` is the commander's signature
 * over `smSignedData(value, [])`; `chain[i]` is lieutenant ji's signature over
 * `smSignedData(value, chain.slice(0, i))`.
 */
export interface SmMessage {
  /** Discriminant: signed message. */
  readonly type: "sm";
  /** The order carried. */
  readonly value: Order;
  /** The signatures, commander first, sender last. */
  readonly chain: readonly Signature[];
}

/** Every message of the generals protocols. */
export type GeneralsMessage = OmMessage | SmMessage;

/** Stable key of an OM path ("n0>n2>n1"). */
export function pathKey(path: readonly NodeId[]): string {
  return path.join(">");
}

/** Key of one send of OM: the path it carries and its recipient ("n0>n2->n1"). */
export function slotKey(path: readonly NodeId[], to: NodeId): string {
  return `${pathKey(path)}->${to}`;
}

/** Key of an SM chain: its value and its signers ("ATTACK:n0>n2"). */
export function chainKey(value: Order, chain: readonly Signature[]): string {
  return `${value}:${chain.map((s) => s.signer).join(">")}`;
}

/** What the k-th signer of an SM chain signs: the value and the signatures before its own. */
export function smSignedData(value: Order, prior: readonly Signature[]): unknown {
  return { protocol: "generals-sm", value, prior };
}
