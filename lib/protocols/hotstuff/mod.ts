/**
 * HotStuff (Yin, Malkhi, Reiter, Gueta, Abraham, PODC 2019): basic and chained HotStuff with a
 * pacemaker over the shared block tree, the KV store on top, its adversary kit, statements and
 * scenarios.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./tree.ts";
export * from "./node.ts";
export * from "./kv.ts";
export * from "./byzantine.ts";
export * from "./evidence.ts";
export * from "./cluster.ts";
export * from "./scenarios.ts";
