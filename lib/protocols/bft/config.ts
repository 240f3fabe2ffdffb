/**
 * Cluster size and quorums shared by the BFT protocols (PBFT, Tendermint, and later HotStuff and
 * GRANDPA): n replicas tolerate f Byzantine ones only when n ≥ 3f + 1 (Lamport, Shostak, Pease
 * 1982, §3; Castro and Liskov 1999, §2), and quorums of ⌈(n + f + 1)/2⌉ (2f + 1 when n = 3f + 1)
 * intersect in at least f + 1 replicas, one of them honest.
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../../sim/errors.ts";

/** Size fields every BFT protocol config has (spread them into the protocol's zod object). */
export const BftSizeFields = {
  /**
   * Byzantine replicas to tolerate. Default ⌊(n − 1)/3⌋ for the cluster it runs in (the largest
   * safe value).
   */
  f: z.number().int().min(0).optional(),
  /**
   * Quorum size override (default ⌈(n + f + 1)/2⌉). A smaller quorum than that does not intersect
   * in an honest replica; a larger one than n − f cannot be reached with f replicas silent. Either
   * needs `allowUnsafe`.
   */
  quorum: z.number().int().min(1).optional(),
  /** Run a cluster with n < 3f + 1 or an unsafe quorum anyway (the n = 3f demonstrations). */
  allowUnsafe: z.boolean().default(false),
};

/** The size and quorum a BFT replica works with. */
export interface BftSize {
  /** Replicas. */
  readonly n: number;
  /** Byzantine replicas tolerated. */
  readonly f: number;
  /** Matching messages that make a certificate. */
  readonly quorum: number;
  /** f + 1: at least one honest replica among them (the weak certificate). */
  readonly weak: number;
}

/** The default quorum ⌈(n + f + 1)/2⌉: any two intersect in at least f + 1 replicas. */
export function quorumSize(n: number, f: number): number {
  return Math.ceil((n + f + 1) / 2);
}

/**
 * Resolve and check the size of a BFT cluster of `n` replicas: refuses n < 3f + 1 (naming n and
 * f) and a quorum that is unsafe or cannot be reached, unless `allowUnsafe`.
 * @example
 * ```ts
 * bftSize(4, { allowUnsafe: false }); // { n: 4, f: 1, quorum: 3, weak: 2 }
 * bftSize(3, { f: 1, allowUnsafe: false }); // throws: n = 3 < 3f + 1 = 4 for f = 1
 * ```
 */
export function bftSize(
  n: number,
  c: { readonly f?: number; readonly quorum?: number; readonly allowUnsafe: boolean },
  what = "bft config",
): BftSize {
  const f = c.f ?? Math.floor((n - 1) / 3);
  const quorum = c.quorum ?? quorumSize(n, f);
  const issues: { path: string; message: string }[] = [];
  if (!c.allowUnsafe) {
    if (n < 3 * f + 1) {
      issues.push({
        path: "n",
        message: `n = ${n} < 3f + 1 = ${3 * f + 1} for f = ${f}: two quorums need not share an ` +
          `honest replica (set allowUnsafe: true to run it anyway)`,
      });
    }
    if (c.quorum !== undefined && c.quorum < quorumSize(n, f)) {
      issues.push({
        path: "quorum",
        message: `quorum ${c.quorum} < ⌈(n + f + 1)/2⌉ = ${quorumSize(n, f)}: two quorums may ` +
          `share no honest replica (set allowUnsafe: true to run it anyway)`,
      });
    }
    if (quorum > n - f) {
      issues.push({
        path: "quorum",
        message: `quorum ${quorum} > n − f = ${n - f}: f silent replicas stop progress ` +
          `(set allowUnsafe: true to run it anyway)`,
      });
    }
  }
  if (quorum > n) issues.push({ path: "quorum", message: `quorum ${quorum} > n = ${n}` });
  if (issues.length) throw new ConfigError(what, issues);
  return { n, f, quorum, weak: f + 1 };
}
