/**
 * Experiments of notebook 04 (state machine replication): one request followed through the
 * replicated key-value store, the store under a leader crash and a partition, replicas that
 * diverge when execution is not deterministic, and exactly-once against at-least-once retries.
 * Each function takes parsed parameters and returns plain rows; each `check…` function returns
 * the claims the notebook asserts and the tests run.
 * @module
 */
import type { Claim } from "./claims.ts";
import type { SmrParams } from "./smr_params.ts";
import {
  checkKvUnderFaults,
  checkWalkthrough,
  kvUnderFaults,
  requestWalkthrough,
} from "./smr_kv.ts";
import { checkDeterminism, determinismExperiment } from "./smr_determinism.ts";
import { checkExactlyOnce, exactlyOnceExperiment } from "./smr_sessions.ts";

export * from "./smr_params.ts";
export * from "./smr_kv.ts";
export * from "./smr_determinism.ts";
export * from "./smr_sessions.ts";

/** Every prediction of notebook 04 for one parameter set (what tests and sweeps assert). */
export function allSmrClaims(p: SmrParams): Claim[] {
  return [
    ...checkWalkthrough(requestWalkthrough(p)),
    ...checkKvUnderFaults(kvUnderFaults(p), p),
    ...checkDeterminism(determinismExperiment(p), p),
    ...checkExactlyOnce(exactlyOnceExperiment(p), p),
  ];
}
