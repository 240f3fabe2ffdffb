/**
 * The random adversary a BFT seed sweep draws: one node (at most f for n ≥ 4) with one of the
 * generic strategies of lib/net/adversary.ts, or (one seed in about seven) none. Shared by the
 * Tendermint, HotStuff and GRANDPA sweeps; each draws from its own named stream, so their seeds
 * stay independent.
 * @module
 */
import { Rng } from "../../sim/rng.ts";
import type { AdversaryInput, StrategyInput } from "../../net/adversary.ts";
import { nodeIds } from "../../net/cluster.ts";

/** Options of {@link randomAdversary}. */
export interface RandomAdversaryOptions {
  /** Name of the random stream forked from the seed (one per protocol). */
  readonly stream: string;
  /** Nodes n0..n{n-1} (default 4). */
  readonly n?: number;
  /** Range of the extra delay of the `delay` strategy (ms, inclusive; default [5, 200]). */
  readonly delayMs?: readonly [number, number];
  /** Range of the `replay` strategy's lag (ms, inclusive; default [10, 500]). */
  readonly replayMs?: readonly [number, number];
  /** Use this strategy instead of a random one (and always a traitor), e.g. an equivocator. */
  readonly forced?: StrategyInput;
}

/**
 * One seed's adversary: a random node with a random strategy, 15 % of seeds none.
 * @example
 * ```ts
 * randomAdversary(7, { stream: "tendermint-sweep-adversary" }); // [{ nodes: ["n2"], strategies: [...] }]
 * ```
 */
export function randomAdversary(seed: number, o: RandomAdversaryOptions): AdversaryInput[] {
  const rng = new Rng(seed).fork(o.stream);
  const ids = nodeIds(o.n ?? 4);
  const node = rng.pick(ids);
  if (o.forced) return [{ nodes: [node], strategies: [o.forced] }];
  const victim = rng.pick(ids.filter((x) => x !== node));
  const [dLo, dHi] = o.delayMs ?? [5, 200];
  const [rLo, rHi] = o.replayMs ?? [10, 500];
  const choices: StrategyInput[] = [
    { kind: "equivocate" },
    { kind: "silent" },
    { kind: "delay", delayMs: rng.int(dLo, dHi) },
    { kind: "withholdVotes" },
    { kind: "replay", afterMs: rng.int(rLo, rHi) },
    { kind: "impersonate", victim },
  ];
  if (rng.chance(0.15)) return [];
  return [{ nodes: [node], strategies: [rng.pick(choices)] }];
}
