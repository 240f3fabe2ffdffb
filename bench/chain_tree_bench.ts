/**
 * Block tree benchmark: 1,000,000 blocks added to one BlockStore with random forks (time and
 * bytes a block), ancestor queries on it, then 10,000 ChainViews each receiving 1,000 blocks of a
 * forked tree in a per-view shuffled order (orphans included), per fork-choice rule (time and
 * bytes a view).
 *
 * Run: `deno run -A --v8-flags=--expose-gc bench/chain_tree_bench.ts` (without the flag the
 * memory figures are taken without a forced gc and are noisier). Options: `--blocks N`,
 * `--views N`, `--view-blocks N`, `--rules longest,heaviest,ghost`.
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import {
  BlockStore,
  ChainView,
  type ForkChoiceName,
  parseForkChoiceName,
} from "../lib/chain/mod.ts";
import { Rng } from "../lib/sim/rng.ts";

const args = Deno.args;
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const BLOCKS = Number(opt("blocks", "1000000"));
const VIEWS = Number(opt("views", "10000"));
const VIEW_BLOCKS = Number(opt("view-blocks", "1000"));
const RULES = opt("rules", "longest,heaviest,ghost").split(",").map((r) =>
  parseForkChoiceName(r, "--rules")
);

const gc = (globalThis as { gc?: () => void }).gc;
const mem = () => {
  gc?.();
  gc?.();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
};
const fmt = (x: number, d = 1) => x.toLocaleString("en-US", { maximumFractionDigits: d });

/**
 * A forked tree: each block extends the latest block with probability 1 − forkRatio, else one of
 * the 10 blocks before it (a stale sibling or a short fork).
 */
function buildTree(store: BlockStore, n: number, rng: Rng, forkRatio = 0.1): void {
  for (let i = 0; i < n; i++) {
    const last = store.size - 1;
    const parent = rng.chance(forkRatio) ? Math.max(0, last - rng.int(1, 10)) : last;
    store.add({
      parent,
      producer: `n${rng.int(0, 999)}`,
      sizeBytes: 1_000_000,
      work: 1,
      timeMs: i * 600_000,
      txs: 2000,
    });
  }
}

console.log(
  `chain tree bench: ${fmt(BLOCKS)} blocks; ${fmt(VIEWS)} views × ${fmt(VIEW_BLOCKS)} blocks; gc ${
    gc ? "on" : "off (pass --v8-flags=--expose-gc)"
  }`,
);

// 1. the store
{
  const rng = new Rng(1, "bench/store");
  const m0 = mem();
  const t0 = performance.now();
  const store = new BlockStore();
  buildTree(store, BLOCKS, rng);
  const ms = performance.now() - t0;
  const bytes = mem() - m0;
  let maxH = 0;
  for (let id = 0; id < store.size; id += 1) maxH = Math.max(maxH, store.height(id));
  console.log(
    `store: ${fmt(BLOCKS)} adds in ${fmt(ms)} ms (${fmt((ms * 1e6) / BLOCKS)} ns/block), ` +
      `${fmt(bytes / store.size)} bytes/block (typed-array capacity ${
        fmt(store.arrayBytes / store.size)
      }), height ${fmt(maxH)}`,
  );
  const Q = 1_000_000;
  const qrng = new Rng(2, "bench/queries");
  let sink = 0;
  let t = performance.now();
  for (let i = 0; i < Q; i++) {
    const a = qrng.int(0, store.size - 1);
    sink += store.ancestorAt(a, qrng.int(0, store.height(a)));
  }
  const ancMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < Q; i++) {
    sink += store.commonAncestor(qrng.int(0, store.size - 1), qrng.int(0, store.size - 1));
  }
  const lcaMs = performance.now() - t;
  console.log(
    `queries: ancestorAt ${fmt((ancMs * 1e6) / Q)} ns, commonAncestor ${
      fmt((lcaMs * 1e6) / Q)
    } ns (random pairs, ${fmt(Q)} each; sink ${sink % 7})`,
  );
}

// 2. the views
{
  const rng = new Rng(3, "bench/views");
  const store = new BlockStore();
  buildTree(store, VIEW_BLOCKS, rng);
  // per view: the blocks in id order, each swapped with a random one up to 8 places later, so
  // some arrive before their parent and wait in the orphan pool
  const base = Array.from({ length: VIEW_BLOCKS }, (_, i) => i + 1);
  const orders: Int32Array[] = [];
  const ORDERS = 64;
  for (let k = 0; k < ORDERS; k++) {
    const o = Int32Array.from(base);
    for (let i = 0; i < o.length; i++) {
      const j = Math.min(o.length - 1, i + rng.int(0, 8));
      const tmp = o[i];
      o[i] = o[j];
      o[j] = tmp;
    }
    orders.push(o);
  }
  for (const rule of RULES as ForkChoiceName[]) {
    const m0 = mem();
    const t0 = performance.now();
    const views: ChainView[] = [];
    let reorgs = 0;
    for (let v = 0; v < VIEWS; v++) {
      const view = new ChainView(store, rule);
      const order = orders[v % ORDERS];
      for (let i = 0; i < order.length; i++) view.receive(order[i]);
      reorgs += view.reorgs.length;
      views.push(view);
    }
    const ms = performance.now() - t0;
    const bytes = mem() - m0;
    const tips = new Set(views.map((v) => v.tip)).size;
    const deliveries = VIEWS * VIEW_BLOCKS;
    console.log(
      `views[${rule}]: ${fmt(deliveries)} receives in ${fmt(ms)} ms (${
        fmt((ms * 1e6) / deliveries)
      } ns/receive), ` +
        `${fmt(bytes / VIEWS)} bytes/view (arrays ${fmt(views[0].arrayBytes)}), ` +
        `${fmt(reorgs / VIEWS, 2)} reorgs/view, ${tips} distinct tips`,
    );
    views.length = 0;
  }
}
