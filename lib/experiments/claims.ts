/**
 * Claims: what theory predicts, checked against what a run measured. Notebooks display them as a
 * table and fail the notebook when one does not hold; tests call the same checks.
 * @module
 */

/** One prediction and whether the run bore it out. */
export interface Claim {
  /** The prediction in words. */
  readonly claim: string;
  /** Whether the measurement bore the prediction out. */
  readonly holds: boolean;
  /** The measured numbers behind the verdict. */
  readonly detail: string;
  /**
   * False when the parameters leave the regime the prediction covers: the claim then neither
   * passes nor fails, and `detail` says why (default true).
   */
  readonly applicable?: boolean;
}

/** Build a claim. */
export function claim(text: string, holds: boolean, detail: string): Claim {
  return { claim: text, holds, detail };
}

/**
 * A prediction that does not apply to these parameters (outside the regime it covers): shown as
 * "n/a" with the reason, never counted as passed or failed.
 * @example
 * ```ts
 * p.lossRatio > 0 ? claim(...) : notApplicable("loss slows detection", "the run has no loss");
 * ```
 */
export function notApplicable(text: string, why: string): Claim {
  return { claim: text, holds: true, detail: why, applicable: false };
}

/** Whether a claim applies to its run (see {@link notApplicable}). */
export function isApplicable(c: Claim): boolean {
  return c.applicable !== false;
}

/** Thrown when a prediction fails: a wrong simulator (or a wrong theory) fails the notebook. */
export class ClaimError extends Error {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "ClaimError";
}

/**
 * Throw a ClaimError listing every claim that does not hold; return the claims otherwise
 * (so a notebook cell can end with `assertClaims(...)` and show the table).
 */
export function assertClaims(claims: readonly Claim[]): ClaimsTable {
  const bad = claims.filter((c) => isApplicable(c) && !c.holds);
  if (bad.length) {
    throw new ClaimError(
      `${bad.length} of ${claims.length} predictions failed:\n` +
        bad.map((c) => `  ✗ ${c.claim} (${c.detail})`).join("\n"),
    );
  }
  return new ClaimsTable(claims);
}

/** Claims that render as a table in Jupyter (markdown) and as text elsewhere. */
export class ClaimsTable {
  /** A table of `claims`, in the order given. */
  constructor(readonly claims: readonly Claim[]) {}
  /** Plain text, one line per claim. */
  toString(): string {
    return this.claims.map((c) => `${mark(c)} ${c.claim} — ${c.detail}`).join("\n");
  }
  /** The Jupyter MIME bundle: a markdown table and plain text. */
  bundle(): Record<string, string> {
    const esc = (s: string) => s.replace(/\|/g, "\\|");
    const md = "| | prediction | measured |\n|---|---|---|\n" +
      this.claims.map((c) => `| ${mark(c)} | ${esc(c.claim)} | ${esc(c.detail)} |`)
        .join("\n");
    return { "text/markdown": md, "text/plain": this.toString() };
  }
  /** Jupyter's display hook: the Deno kernel renders the {@link bundle} it returns. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return this.bundle();
  }
}

function mark(c: Claim): string {
  return !isApplicable(c) ? "n/a" : c.holds ? "✓" : "✗";
}
