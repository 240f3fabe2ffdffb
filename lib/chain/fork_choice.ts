/**
 * Fork-choice rules as plug-ins, chosen by name: the longest chain (height), the heaviest chain
 * (total work) and GHOST (Sompolinsky and Zohar, FC 2015). Each rule keeps the tip of one view
 * incrementally as blocks join it, and respects the view's finalized block: the tip always
 * descends from it.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { type BlockId, type BlockStore, NO_BLOCK } from "./store.ts";
import { GrowableF64, GrowableU32 } from "./_dense.ts";

/** The names of the fork-choice rules. */
export const forkChoiceNames = ["longest", "heaviest", "ghost"] as const;

/** A fork-choice rule's name. */
export type ForkChoiceName = typeof forkChoiceNames[number];

/** zod schema of a fork-choice name (use it inside a protocol's config schema). */
export const forkChoiceNameSchema: z.ZodEnum<
  { longest: "longest"; heaviest: "heaviest"; ghost: "ghost" }
> = z
  .enum(forkChoiceNames);

/** Parse a fork-choice name, or throw a ConfigError naming `field` (default "forkChoice"). */
export function parseForkChoiceName(input: unknown, field = "forkChoice"): ForkChoiceName {
  return parseConfig(
    z.object({ [field]: forkChoiceNameSchema }),
    { [field]: input },
    "chain options",
  )[
    field
  ] as ForkChoiceName;
}

/** What a rule may ask of the view it serves. */
export interface ForkChoiceHost {
  /** The shared store. */
  readonly store: BlockStore;
  /** Whether the view has the block in its tree (its whole ancestry known). */
  has(id: BlockId): boolean;
  /** The view's finalized block (genesis until a gadget finalizes something). */
  readonly finalized: BlockId;
}

/** One view's fork-choice state: told about every block joining the view and every finality step. */
export interface ForkChoice {
  /** The rule's name. */
  readonly name: ForkChoiceName;
  /** The tip of the main chain; it always descends from the host's finalized block. */
  readonly tip: BlockId;
  /** `id` just joined the view (its parent was already there). */
  onBlock(id: BlockId): void;
  /** The host's finalized block just moved down to `id` (a descendant of the old one). */
  onFinalize(id: BlockId): void;
  /** Bytes of per-view arrays this rule holds (for memory reports). */
  readonly bytes: number;
}

/**
 * The best known block under a score (height or total work). Ties go to the first received: a
 * new block replaces the tip only with a strictly higher score. After a finality step that forces
 * the tip off its chain, the view keeps no arrival order, so ties among the rescanned subtree go
 * to the lowest id (the block added to the store first).
 */
class ScoreForkChoice implements ForkChoice {
  tip: BlockId = 0;
  readonly bytes = 0;
  constructor(
    readonly name: "longest" | "heaviest",
    private readonly host: ForkChoiceHost,
  ) {}

  #score(id: BlockId): number {
    const s = this.host.store;
    return this.name === "longest" ? s.height(id) : s.totalWork(id);
  }

  onBlock(id: BlockId): void {
    const { host } = this;
    if (host.finalized !== 0 && !host.store.isAncestor(host.finalized, id)) return;
    if (this.#score(id) > this.#score(this.tip)) this.tip = id;
  }

  onFinalize(f: BlockId): void {
    const { host } = this;
    const store = host.store;
    if (store.isAncestor(f, this.tip)) return; // still the first received best in the subtree
    // Rescan the known subtree of f: O(its size + unknown children).
    let best = f, bestScore = this.#score(f);
    const stack = [f];
    while (stack.length > 0) {
      const x = stack.pop()!;
      const sx = this.#score(x);
      if (sx > bestScore || (sx === bestScore && x < best)) {
        best = x;
        bestScore = sx;
      }
      for (let c = store.firstChild(x); c !== NO_BLOCK; c = store.nextSibling(c)) {
        if (host.has(c)) stack.push(c);
      }
    }
    this.tip = best;
  }
}

/**
 * GHOST (Sompolinsky and Zohar, "Secure High-Rate Transaction Processing in Bitcoin", FC 2015,
 * Algorithm 1): starting at genesis (here: at the finalized block), repeatedly move to the child
 * whose subtree is heaviest, until a leaf. The paper weighs subtrees by block count; we weigh them
 * by total work, which is the count when every block has work 1. Ties go to the child received
 * first.
 *
 * Cost: each arriving block adds its work to the subtree weight of every ancestor down to the
 * finalized block, O(depth − finalized height) per block; the tip then moves in O(log n) unless
 * the block's branch overtakes the main chain at their fork point, when the rule descends from
 * there (O(length of the new branch × children)). Per view: 8 bytes of weight and 4 bytes of
 * arrival order per store id up to the highest known id.
 */
class GhostForkChoice implements ForkChoice {
  readonly name = "ghost";
  tip: BlockId = 0;
  #weight = new GrowableF64();
  #seq = new GrowableU32();
  #received = 0;

  constructor(private readonly host: ForkChoiceHost) {
    this.#weight.set(0, 0);
    this.#seq.set(0, 0);
  }

  get bytes(): number {
    return this.#weight.bytes + this.#seq.bytes;
  }

  /** Subtree weight of `id` within the view. */
  weight(id: BlockId): number {
    return this.#weight.get(id);
  }

  #better(a: BlockId, b: BlockId): boolean {
    const wa = this.#weight.get(a), wb = this.#weight.get(b);
    return wa > wb || (wa === wb && this.#seq.get(a) < this.#seq.get(b));
  }

  #descend(from: BlockId): BlockId {
    const { host } = this;
    const store = host.store;
    let x = from;
    for (;;) {
      let best = NO_BLOCK;
      for (let c = store.firstChild(x); c !== NO_BLOCK; c = store.nextSibling(c)) {
        if (host.has(c) && (best === NO_BLOCK || this.#better(c, best))) best = c;
      }
      if (best === NO_BLOCK) return x;
      x = best;
    }
  }

  onBlock(id: BlockId): void {
    const { host } = this;
    const store = host.store;
    const fin = host.finalized;
    this.#seq.set(id, ++this.#received);
    const w = store.work(id);
    this.#weight.set(id, w);
    if (fin !== 0 && !store.isAncestor(fin, id)) return; // outside the finalized subtree: never read
    // Every ancestor down to the finalized block gains w: steps = height(id) − height(fin).
    const parents = store.parentArray;
    const weight = this.#weight.raw; // ancestors have smaller ids, all already set
    for (let x = parents[id], k = store.height(id) - store.height(fin); k > 0; k--) {
      weight[x] += w;
      x = parents[x];
    }
    const tip = this.tip;
    const p = store.parent(id);
    if (p === tip) {
      this.tip = id; // the tip was a leaf
      return;
    }
    // Above the fork point only main-chain children gained weight, so the choices there stand.
    const a = store.commonAncestor(id, tip);
    if (a === tip) {
      this.tip = this.#descend(tip);
      return;
    }
    const h = store.height(a) + 1;
    const onMain = store.ancestorAt(tip, h);
    const onNew = store.ancestorAt(id, h);
    if (this.#better(onNew, onMain)) this.tip = this.#descend(onNew);
  }

  onFinalize(f: BlockId): void {
    if (!this.host.store.isAncestor(f, this.tip)) this.tip = this.#descend(f);
  }
}

/** Build the named rule for one view. */
export function createForkChoice(name: ForkChoiceName, host: ForkChoiceHost): ForkChoice {
  switch (name) {
    case "longest":
    case "heaviest":
      return new ScoreForkChoice(name, host);
    case "ghost":
      return new GhostForkChoice(host);
  }
}
