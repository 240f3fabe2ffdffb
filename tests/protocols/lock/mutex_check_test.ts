import assert from "node:assert/strict";
import fc from "fast-check";
import { checkMutex, type Hold, type Write } from "@lab/protocols/lock/mod.ts";

const hold = (client: string, token: number | null, fromMs: number, toMs: number, n = 1): Hold => ({
  client,
  hold: n,
  token,
  fromMs,
  toMs,
});
const write = (
  client: string,
  token: number | null,
  timeMs: number,
  accepted = true,
  n = 1,
): Write => ({ client, hold: n, token, timeMs, accepted });

Deno.test("mutex: serial holds with writes inside them are exclusive and safe", () => {
  const v = checkMutex({
    holds: [hold("a", 1, 0, 100), hold("b", 2, 150, 300)],
    writes: [write("a", 1, 10), write("a", 1, 90), write("b", 2, 160)],
  });
  assert.equal(v.exclusiveHolds, true);
  assert.equal(v.resourceSafe, true);
  assert.deepEqual(v.violations, []);
  assert.equal(v.overlapMs, 0);
});

Deno.test("mutex: the paused client's late write is reported with both operations", () => {
  // Kleppmann 2016: A (token 33) pauses, B (token 34) writes, A resumes and writes
  const a = hold("a", 33, 0, 1000), b = hold("b", 34, 500, 1200);
  const bw = write("b", 34, 510), aw = write("a", 33, 1001);
  const v = checkMutex({ holds: [b, a], writes: [write("a", 33, 5), bw, aw] });
  assert.equal(v.exclusiveHolds, false);
  assert.equal(v.resourceSafe, false);
  const kinds = v.violations.map((x) => x.kind);
  assert.deepEqual(kinds, [
    "overlapping-holds",
    "stale-write",
    "interleaved-writes",
    "fencing-order",
  ]);
  const overlap = v.violations[0];
  assert.deepEqual([overlap.first, overlap.second], [a, b]);
  assert.equal(overlap.overlapMs, 500);
  const inter = v.violations.find((x) => x.kind === "interleaved-writes")!;
  assert.deepEqual([inter.first, inter.second], [bw, aw]);
  const fence = v.violations.find((x) => x.kind === "fencing-order")!;
  assert.deepEqual([fence.first, fence.second], [bw, aw]);
  assert.match(fence.message, /token 33 after token 34/);
});

Deno.test("mutex: a rejected late write leaves the resource safe (fencing), holds still overlap", () => {
  const v = checkMutex({
    holds: [hold("a", 33, 0, 1000), hold("b", 34, 500, 1200)],
    writes: [write("a", 33, 5), write("b", 34, 510), write("a", 33, 1001, false)],
  });
  assert.equal(v.resourceSafe, true);
  assert.equal(v.exclusiveHolds, false);
  assert.deepEqual(v.violations.map((x) => x.kind), ["overlapping-holds"]);
});

Deno.test("mutex: a stale write before the new holder wrote is reported, not counted as corruption", () => {
  const v = checkMutex({
    holds: [hold("a", null, 0, 1000), hold("b", null, 500, 1200)],
    writes: [write("a", null, 600)],
  });
  assert.deepEqual(v.violations.map((x) => x.kind), ["overlapping-holds", "stale-write"]);
  // reported, but the resource's writes are still in lock order: no fencing could refuse it
  assert.equal(v.noStaleWrites, false);
  assert.equal(v.resourceSafe, true);
  assert.equal(v.violations[1].overlapMs, 100);
});

Deno.test("mutex: one client's consecutive holds never conflict with themselves", () => {
  const v = checkMutex({
    holds: [hold("a", 1, 0, 100, 1), hold("a", 2, 50, 200, 2)],
    writes: [write("a", 2, 60, true, 2), write("a", 1, 70, true, 1)],
  });
  assert.equal(v.exclusiveHolds, true);
  // the fencing order still notices the token going down
  assert.deepEqual(v.violations.map((x) => x.kind), ["fencing-order"]);
});

Deno.test("mutex (property): disjoint holds in token order with writes inside are always safe; swapping two clients' writes is caught", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })), {
        minLength: 2,
        maxLength: 8,
      }),
      (spans) => {
        const holds: Hold[] = [];
        const writes: Write[] = [];
        let t = 0;
        spans.forEach(([gap, len], i) => {
          const from = t + gap, to = from + len;
          holds.push(hold(`c${i}`, i + 1, from, to));
          writes.push(write(`c${i}`, i + 1, from + len / 2));
          t = to;
        });
        const ok = checkMutex({ holds, writes });
        assert.ok(ok.exclusiveHolds && ok.resourceSafe, JSON.stringify(ok.violations));
        // the last holder's write delivered late, after the next holder's write
        const k = writes.length - 2;
        const late = { ...writes[k], timeMs: writes[k + 1].timeMs + 1 };
        const bad = checkMutex({ holds, writes: [...writes.slice(0, k), writes[k + 1], late] });
        assert.equal(bad.resourceSafe, false);
        assert.ok(bad.violations.some((v) => v.kind === "interleaved-writes"));
      },
    ),
    { seed: 13, numRuns: 200 },
  );
});
