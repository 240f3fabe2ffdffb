/**
 * The shared block tree: one append-only {@link BlockStore} per run, fork-choice rules as
 * plug-ins (longest, heaviest, GHOST) and one compact {@link ChainView} per node (known set,
 * orphan pool, tip, reorgs, finality, confirmations). Nakamoto, GRANDPA and chained HotStuff build
 * on it; it imports only lib/sim.
 * @example
 * ```ts
 * import { BlockStore, ChainView } from "@lab/chain/mod.ts";
 * const store = new BlockStore();
 * const view = new ChainView(store, "ghost");
 * const a = store.add({ parent: 0, producer: "n1", sizeBytes: 1_000_000, timeMs: 600_000 });
 * view.receive(a);
 * view.tip; // a
 * ```
 * @module
 */
export * from "./store.ts";
export * from "./fork_choice.ts";
export * from "./view.ts";
