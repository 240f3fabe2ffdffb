/**
 * lib/experiments/bft_twins.ts: the Twins table of notebook 03 and its claims (flags off: no
 * violation; each flag predicted caught: caught, minimal scenario replayed and safe without the
 * flag, among them HotStuff's quorumOffByOne on the paper's rounds; HotStuff's ignoreLock and
 * Tendermint's flags on whole protocol rounds: out of reach), bad
 * parameters refused, and mutated rows that make each kind of claim fail. PBFT's rows run the
 * same exploration as tests/protocols/bft/twins_test.ts (25 scenarios, seed 1), so they are left
 * out here to keep this file fast.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { assertClaims } from "@lab/experiments/claims.ts";
import {
  type BftTwinsRow,
  parseBftTwinsParams,
  twinsClaims,
  twinsTable,
} from "@lab/experiments/bft_twins.ts";

const field = (fn: () => unknown, path: string) =>
  assert.throws(fn, (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path));

Deno.test("bft twins: bad parameters are ConfigErrors naming the field", () => {
  field(() => parseBftTwinsParams({ vary: [6] }), "vary[0]");
  field(() => parseBftTwinsParams({ vary: [5, 5] }), "vary");
  field(() => parseBftTwinsParams({ vary: [] }), "vary");
  field(() => parseBftTwinsParams({ paperScenarios: 0 }), "paperScenarios");
  field(() => parseBftTwinsParams({ protocols: ["raft" as "pbft"] }), "protocols[0]");
  assert.throws(
    () => parseBftTwinsParams({ seeds: 3 } as never),
    (e) => e instanceof ConfigError && /"seeds"/.test(e.message),
  );
});

Deno.test("bft twins: Tendermint and HotStuff rows bear the claims out", () => {
  const rows = twinsTable({ protocols: ["tendermint", "hotstuff"], paperScenarios: 2 });
  assert.deepEqual(
    rows.map((r) => `${r.protocol}/${r.family}/${r.flag}`),
    [
      "tendermint/paper rounds/none",
      "tendermint/paper rounds/prevoteIgnoresLock",
      "tendermint/paper rounds/unlockOnLowerRound",
      "tendermint/steps, directed/none",
      "tendermint/steps, directed/prevoteIgnoresLock",
      "tendermint/steps, directed/unlockOnLowerRound",
      "hotstuff/paper rounds/none",
      "hotstuff/paper rounds/ignoreLock",
      "hotstuff/paper rounds/quorumOffByOne",
    ],
  );
  assertClaims(twinsClaims(rows));
  const unlock = rows.find((r) => r.flag === "unlockOnLowerRound" && r.family !== "paper rounds")!;
  assert.equal(unlock.explored, 46, "every choice of step 5");
  assert.ok(unlock.violations >= 1 && unlock.replayed && unlock.minimalSafeWithoutFlag);
  assert.ok(unlock.minimalIndex >= 0 && unlock.minimalIndex < unlock.space);
  assert.match(unlock.minimalBreach!, /agreement/);
  console.log("minimal (unlockOnLowerRound):", unlock.minimal);
  const q = rows.find((r) => r.flag === "quorumOffByOne")!;
  assert.equal(q.predicted, "caught");
  assert.ok(q.violations >= 1 && q.replayed && q.minimalSafeWithoutFlag);
  assert.ok(q.minimalIndex >= 0 && q.minimalIndex < q.space);
  assert.match(q.minimalBreach!, /agreement/);
  console.log("minimal (quorumOffByOne):", q.minimal);
});

Deno.test("bft twins: another directed step (the round-0 precommits) also catches both flags", () => {
  const rows = twinsTable({ protocols: ["tendermint"], paperScenarios: 1, vary: [2] });
  assertClaims(twinsClaims(rows));
  const steps = rows.filter((r) => r.family === "steps, directed");
  assert.ok(steps.every((r) => r.explored === 46));
});

Deno.test("bft twins: mutated rows make each kind of claim fail", () => {
  const base: BftTwinsRow = {
    protocol: "tendermint",
    family: "steps, directed",
    flag: "unlockOnLowerRound",
    predicted: "caught",
    space: 100,
    explored: 46,
    violations: 2,
    errors: 0,
    minimal: "n=4 twins n0 | r0 L=n0 {n0 n1 n2 n3 n0'}",
    replayed: true,
    minimalSafeWithoutFlag: true,
    minimalIndex: 3,
  };
  const holds = (r: BftTwinsRow) => twinsClaims([r])[0].holds;
  assert.equal(holds(base), true);
  assert.equal(holds({ ...base, violations: 0 }), false, "a flag not caught");
  assert.equal(holds({ ...base, replayed: false }), false, "a replay that differs");
  assert.equal(holds({ ...base, minimalSafeWithoutFlag: false }), false, "unsafe without flag");
  const off = { ...base, flag: "none", predicted: "safe" as const, violations: 0 };
  assert.equal(holds(off), true);
  assert.equal(holds({ ...off, violations: 1 }), false, "a violation with flags off");
  assert.equal(holds({ ...off, errors: 1 }), false, "a crash with flags off");
  const reach = { ...base, protocol: "hotstuff" as const, predicted: "out of reach" as const };
  assert.equal(holds({ ...reach, violations: 0 }), true);
  assert.equal(holds({ ...reach, violations: 1 }), false, "ignoreLock caught after all");
});
