/** PBFT accountability: signed statements read off messages, and the cross-view forensics rules. */
import assert from "node:assert/strict";
import { digestOf } from "../../../lib/sim/trace.ts";
import { StatementLog } from "../../../lib/protocols/bft/evidence.ts";
import { pbftForensics, pbftStatements, VIEW_SLOT } from "../../../lib/protocols/pbft/evidence.ts";
import { signedPart } from "../../../lib/protocols/pbft/messages.ts";

function sig<T extends { type: string }>(i: string, msg: T) {
  return { ...msg, signature: { signer: i, digest: digestOf(signedPart(msg)) } };
}
const m = { requests: [{ clientId: "p0", seq: 1 }] };
const d = digestOf(m);
const pp = { ...sig("n0", { type: "PRE-PREPARE" as const, v: 0, n: 1, d, i: "n0" }), m };
const prep = (i: string, v = 0, dd = d) => sig(i, { type: "PREPARE" as const, v, n: 1, d: dd, i });
const commit = (i: string, v = 0, dd = d) => sig(i, { type: "COMMIT" as const, v, n: 1, d: dd, i });
const vc = (i: string, P: unknown[]) =>
  sig(i, { type: "VIEW-CHANGE" as const, v: 1, n: 0, C: [], P: P as never[], i });

Deno.test("pbft evidence: statements of pre-prepare, prepare, commit, and nested in a VIEW-CHANGE", () => {
  assert.deepEqual(
    pbftStatements(pp).map((s) => [s.signer, s.phase, s.slot, s.round, s.digest]),
    [["n0", "pre-prepare", 1, 0, d]],
  );
  assert.equal(pbftStatements(pp)[0].signature.digest, digestOf(pbftStatements(pp)[0].signed));
  assert.equal(pbftStatements(commit("n2"))[0].phase, "commit");
  const v = vc("n2", [{ prePrepare: pp, prepares: [prep("n1"), prep("n2")] }]);
  const st = pbftStatements(v);
  assert.deepEqual(st.map((s) => `${s.signer}:${s.phase}:${s.slot}`), [
    `n2:view-change:${VIEW_SLOT}`,
    "n0:pre-prepare:1",
    "n1:prepare:1",
    "n2:prepare:1",
  ]);
  assert.deepEqual(st[0].extra, { n: 0, prepared: [[1, 0, d]] });
  assert.deepEqual(pbftStatements({ type: "FORWARD" }), []);
});

Deno.test("pbft forensics: committing then hiding the certificate in a view change names the signer", () => {
  const log = new StatementLog();
  for (const s of [...pbftStatements(commit("n3")), ...pbftStatements(vc("n3", []))]) log.add(s);
  // an honest replica reports its certificate: not accused
  for (
    const s of [
      ...pbftStatements(commit("n2")),
      ...pbftStatements(vc("n2", [{ prePrepare: pp, prepares: [prep("n1"), prep("n2")] }])),
    ]
  ) log.add(s);
  const culprits = pbftForensics(log, 1, d, "other");
  assert.deepEqual(culprits.map((c) => c.node), ["n3"]);
  assert.match(culprits[0].rule, /hides the prepared certificate/);
});

Deno.test("pbft forensics: a vote for another digest in a later view without NEW-VIEW names the signer", () => {
  const log = new StatementLog();
  for (const s of [...pbftStatements(commit("n3")), ...pbftStatements(prep("n3", 2, "dx"))]) {
    log.add(s);
  }
  assert.deepEqual(pbftForensics(log, 1, d, "dx").map((c) => c.node), ["n3"]);
  const nv = sig("n2", { type: "NEW-VIEW" as const, v: 2, V: [], O: [], i: "n2" });
  for (const s of pbftStatements(nv)) log.add(s);
  assert.deepEqual(pbftForensics(log, 1, d, "dx"), [], "a NEW-VIEW for view 2 may justify it");
});

Deno.test("pbft adversary kit: conflicting pre-prepare keeps the requests, changes the digest, is signed by the primary", async () => {
  const { pbftAdversaryKit } = await import("../../../lib/protocols/pbft/byzantine.ts");
  const { Coalition } = await import("../../../lib/net/adversary.ts");
  const kit = pbftAdversaryKit<{ clientId: string; seq: number }>();
  const co = new Coalition();
  const tools = {
    self: "n0",
    peers: ["n1", "n2", "n3"],
    nowMs: () => 0,
    rng: undefined as never,
    sign: (x: unknown) => ({ signer: "n0", digest: digestOf(x) }),
    verify: () => true,
    send: () => {},
  };
  const alt = kit.conflicting(pp, tools, co);
  assert.ok(alt && alt.type === "PRE-PREPARE");
  assert.notEqual(alt.d, pp.d);
  assert.equal(alt.d, digestOf(alt.m));
  assert.deepEqual(alt.m.requests, pp.m.requests);
  assert.equal(co.twin.get(pp.d), alt.d);
  const v = kit.conflicting(prep("n1"), { ...tools, self: "n1" }, co);
  assert.ok(v && v.type === "PREPARE" && v.d === alt.d);
  assert.equal(kit.conflicting(prep("n1", 0, "unknown"), tools, co), null);
  const forged = kit.forge(commit("n1"), "n2");
  assert.ok(
    forged && forged.type === "COMMIT" && forged.i === "n2" && forged.signature.signer === "n1",
  );
  assert.ok(kit.isProposal(pp) && kit.isVote(commit("n1")) && !kit.isVote(pp));
});
