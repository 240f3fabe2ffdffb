/**
 * Configuration of a Nakamoto network (zod, defaults applied): nodes and their peer graph,
 * regions and bandwidth, miners and their hash-power shares, block interval and size limit,
 * validation delay, the transaction workload and the fork-choice rule. Every check that can fail
 * runs here, before anything is built: a ConfigError names the field.
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { forkChoiceNameSchema } from "../../chain/mod.ts";

/** One region: its name and the fraction of nodes placed in it. */
export const RegionSchema = z.object({
  name: z.string().min(1),
  /** Fraction of nodes in the region (weights are normalised). */
  weight: z.number().positive(),
}).strict();

/** A one-way delay between two regions (both directions), in ms. */
export const RegionLatencySchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  ms: z.number().min(0),
}).strict();

/**
 * Six continental regions with rough shares of public Bitcoin nodes. A sketch for teaching, not a
 * measurement: shares are rounded from public node-count maps.
 */
export const DEFAULT_REGIONS: readonly z.input<typeof RegionSchema>[] = [
  { name: "na", weight: 0.33 },
  { name: "eu", weight: 0.42 },
  { name: "as", weight: 0.13 },
  { name: "sa", weight: 0.04 },
  { name: "oc", weight: 0.04 },
  { name: "af", weight: 0.04 },
];

const ONE_WAY: Record<string, number> = {
  "na-na": 20,
  "eu-eu": 15,
  "as-as": 35,
  "sa-sa": 25,
  "oc-oc": 15,
  "af-af": 30,
  "na-eu": 45,
  "na-as": 85,
  "na-sa": 70,
  "na-oc": 80,
  "na-af": 110,
  "eu-as": 100,
  "eu-sa": 100,
  "eu-oc": 140,
  "eu-af": 70,
  "as-sa": 160,
  "as-oc": 60,
  "as-af": 140,
  "sa-oc": 150,
  "sa-af": 170,
  "oc-af": 180,
};

/**
 * Approximate one-way delays (half a typical round trip, rounded) between and within the
 * {@link DEFAULT_REGIONS}. Illustrative figures, not a measurement.
 */
export const DEFAULT_REGION_LATENCIES: readonly z.input<typeof RegionLatencySchema>[] = Object
  .entries(ONE_WAY).map(([k, ms]) => {
    const [from, to] = k.split("-");
    return { from, to, ms };
  });

/** Parameters of a Nakamoto network; every field has a default. */
export const NakamotoConfigSchema = z.object({
  /** Root seed. Default 1. */
  seed: z.union([z.number().int(), z.string().min(1)]).default(1),
  /** Nodes of the peer-to-peer network. Default 1000. */
  nodes: z.number().int().min(2).max(65535).default(1000),
  /**
   * "random": each node opens `outboundPeers` connections to distinct nodes drawn uniformly
   * (links are bidirectional, so inbound links add to that: Bitcoin Core's 8 outbound);
   * "fullMesh": every pair of nodes is linked. Default "random".
   */
  topology: z.enum(["random", "fullMesh"]).default("random"),
  /** Outbound connections per node in the random graph (must be below `nodes`). Default 8. */
  outboundPeers: z.number().int().min(1).default(8),
  /**
   * "regions": nodes placed in `regions` by weight, latency per region pair (`regionLatencies`);
   * "constant": every link has `latencyMs`. Default "regions".
   */
  latencyModel: z.enum(["regions", "constant"]).default("regions"),
  /** Regions and their node shares. Default {@link DEFAULT_REGIONS}. */
  regions: z.array(RegionSchema).min(1).default(() => DEFAULT_REGIONS.map((r) => ({ ...r }))),
  /** One-way delay per region pair (every pair must be listed). Default {@link DEFAULT_REGION_LATENCIES}. */
  regionLatencies: z.array(RegionLatencySchema).default(() =>
    DEFAULT_REGION_LATENCIES.map((r) => ({ ...r }))
  ),
  /** One-way delay of every link when `latencyModel` is "constant" (ms). Default 50. */
  latencyMs: z.number().min(0).default(50),
  /**
   * Bandwidth of every link (bytes per ms; 1250 = 10 Mbit/s): a message of s bytes occupies its
   * link for s / bandwidth ms, so block size sets transfer time. null: unlimited. Default 1250.
   */
  bandwidthBytesPerMs: z.number().positive().nullable().default(1250),
  /**
   * Hash-power shares of the miners (non-negative, summing to 1). Miner i sits on a node drawn by
   * the seed (on node i in a full mesh). Default: `miners` equal shares.
   */
  hashShares: z.array(z.number().min(0)).min(1).optional(),
  /** Number of equal miners when `hashShares` is not given. Default 16. */
  miners: z.number().int().min(1).default(16),
  /** Expected block interval T (ms): the network finds blocks at rate 1/T. Default 600 000. */
  blockIntervalMs: z.number().positive().default(600_000),
  /** Block size limit (bytes, header included). Default 1 000 000. */
  blockSizeBytes: z.number().int().positive().default(1_000_000),
  /** Header and coinbase bytes of every block. Default 80. */
  headerBytes: z.number().int().min(0).default(80),
  /** Bytes per transaction. Default 250. */
  txSizeBytes: z.number().int().positive().default(250),
  /**
   * Open-loop Poisson transaction arrivals (tx/s). Omitted: a saturated mempool (every block is
   * filled to the size limit).
   */
  txRatePerSec: z.number().positive().optional(),
  /** Validation delay of every block before it is adopted and relayed (ms). Default 50. */
  validationMs: z.number().min(0).default(50),
  /** Extra validation delay per MB of block (ms). Default 100. */
  validationMsPerMB: z.number().min(0).default(100),
  /**
   * "inv": announce (inv) → request (getdata) → transfer (block), as Bitcoin relays blocks;
   * "push": send the whole block to every peer unasked (one hop = one delay, for the mesh model);
   * "compact": BIP 152 compact block relay in high-bandwidth mode: each node names the (up to) 3
   * peers that most recently gave it a new block first as its high-bandwidth peers; those push a
   * `cmpctblock` (short transaction ids, rebuilt from the shared mempool with no round trip) as
   * soon as it arrives, before validating it (BIP 152: "possibly even before fully validating the
   * block"), and after validation every other peer gets a BIP 130 `headers`
   * announcement and fetches a `cmpctblock` with getdata if it still lacks the block. An
   * announcement or push to a node that already has the block, or is validating it, changes
   * nothing when it arrives, so it is not delivered (its bytes are still charged to the link):
   * the run's deliveries are the messages that can matter. Assumes nodes do not crash (partitions
   * are fine). The mode the 10,000-node scale run uses. Default "inv".
   */
  relay: z.enum(["inv", "push", "compact"]).default("inv"),
  /** Re-request a block announced again after this long without it arriving (ms). Default 20 000. */
  requestTimeoutMs: z.number().positive().default(20_000),
  /** Fork-choice rule by name. Default "longest". */
  forkChoice: forkChoiceNameSchema.default("longest"),
  /** Trace mode of the simulator (keep "off" for big runs). Default "off". */
  trace: z.enum(["off", "sampled", "full"]).default("off"),
}).strict();

/** Nakamoto parameters as written. */
export type NakamotoConfigInput = z.input<typeof NakamotoConfigSchema>;
/** Nakamoto parameters, defaults applied and cross-checked. */
export type NakamotoConfig = z.output<typeof NakamotoConfigSchema> & {
  /** The hash shares in force (from `hashShares` or `miners`). */
  readonly shares: readonly number[];
};

/**
 * Parse and cross-check a Nakamoto configuration: shares sum to 1, fewer outbound peers than
 * nodes, no more miners than nodes, a block holds its header, every region pair has a latency.
 * Throws a ConfigError naming the field before anything is built.
 * @example
 * ```ts
 * parseNakamotoConfig({ nodes: 100, hashShares: [0.5, 0.5] }).shares; // [0.5, 0.5]
 * parseNakamotoConfig({ hashShares: [0.5, 0.4] }); // ConfigError: hashShares: ... sum to 1
 * ```
 */
export function parseNakamotoConfig(input: unknown = {}): NakamotoConfig {
  const what = "nakamoto config";
  const c = parseConfig(NakamotoConfigSchema, input, what);
  const issues: { path: string; message: string }[] = [];
  const shares = c.hashShares ?? Array.from({ length: c.miners }, () => 1 / c.miners);
  const sum = shares.reduce((a, b) => a + b, 0);
  if (c.hashShares && Math.abs(sum - 1) > 1e-9) {
    issues.push({ path: "hashShares", message: `shares must sum to 1, got ${sum}` });
  }
  if (shares.length > c.nodes) {
    issues.push({
      path: c.hashShares ? "hashShares" : "miners",
      message: `${shares.length} miners but only ${c.nodes} nodes`,
    });
  }
  if (c.topology === "random" && c.outboundPeers >= c.nodes) {
    issues.push({
      path: "outboundPeers",
      message: `${c.outboundPeers} outbound peers need more than ${c.outboundPeers} other nodes ` +
        `(nodes: ${c.nodes})`,
    });
  }
  if (c.blockSizeBytes < c.headerBytes) {
    issues.push({
      path: "blockSizeBytes",
      message: `${c.blockSizeBytes} bytes cannot hold the ${c.headerBytes}-byte header`,
    });
  }
  if (c.latencyModel === "regions") {
    const names = c.regions.map((r) => r.name);
    if (new Set(names).size !== names.length) {
      issues.push({ path: "regions", message: "region names must be unique" });
    }
    const known = new Set(names);
    c.regionLatencies.forEach((r, i) => {
      for (const k of ["from", "to"] as const) {
        if (!known.has(r[k])) {
          issues.push({
            path: `regionLatencies[${i}].${k}`,
            message: `unknown region "${r[k]}" (regions: ${names.join(", ")})`,
          });
        }
      }
    });
    const have = new Set(
      c.regionLatencies.flatMap((r) => [`${r.from}|${r.to}`, `${r.to}|${r.from}`]),
    );
    for (const a of names) {
      for (const b of names) {
        if (a <= b && !have.has(`${a}|${b}`)) {
          issues.push({ path: "regionLatencies", message: `no latency for regions ${a} and ${b}` });
        }
      }
    }
  }
  if (issues.length) throw new ConfigError(what, issues);
  return { ...c, shares };
}

/** Transactions a block can hold under the size limit. */
export function blockCapacityTxs(c: NakamotoConfig): number {
  return Math.floor((c.blockSizeBytes - c.headerBytes) / c.txSizeBytes);
}

/** Validation delay of a block of `sizeBytes` (ms). */
export function validationDelayMs(c: NakamotoConfig, sizeBytes: number): number {
  return c.validationMs + c.validationMsPerMB * sizeBytes / 1e6;
}
