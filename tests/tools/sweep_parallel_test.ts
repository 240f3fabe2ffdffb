/**
 * Sweeps on all cores (tools/sweep_parallel.ts): `--workers 2` prints the serial report byte for
 * byte (failure, replay and shrink lines included), the merge does not depend on how seeds are
 * split or the order shards finish in, and bad input (`--workers 0`, a shard that dies) ends in
 * a clear error naming the missing seeds instead of a short report.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError } from "../../lib/sim/errors.ts";
import {
  formatSeeds,
  mergeReport,
  readShard,
  type SeedResult,
  shardRange,
  type SweepJob,
} from "../../tools/_sweep_shard.ts";
import { parseEngineArgs, shardArgs } from "../../tools/sweep_parallel.ts";

const root = new URL("../..", import.meta.url).pathname;

async function sweep(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/sweep.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

// seed 8 of the Tendermint sweep breaks agreement under this mistake, so the report has a
// FAILED block with its replay and shrink lines
const SMALL = ["tendermint", "--seeds", "8", "--mistake", "prevoteIgnoresLock", "--shrink"];

Deno.test("sweep --workers 2 prints the serial report byte for byte", async () => {
  const [serial, parallel] = await Promise.all([
    sweep([...SMALL, "--workers", "1"]),
    sweep([...SMALL, "--workers", "2"]),
  ]);
  assert.equal(serial.code, 1, serial.err);
  assert.match(serial.out, /FAILED seed=8: .*agreement/);
  assert.match(serial.out, /replay the minimal schedule: deno task sweep tendermint/);
  assert.match(serial.out, /\n7 passed, 1 failed\n$/);
  assert.equal(parallel.code, serial.code, parallel.err);
  assert.equal(parallel.out, serial.out);
  assert.match(parallel.err, /tendermint shard 1\/2: 4\/4 seeds/);
});

Deno.test("sweep: a shard that dies ends in an error naming the missing seeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep_test_" });
  try {
    // shard 1 cannot create its result file: it exits with an error before running a seed
    await Deno.mkdir(`${dir}/shard-1.jsonl`);
    const r = await sweep(["pbft", "--seeds", "6", "--workers", "2", "--shard-dir", dir]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.out, /^3 passed, 0 failed; INCOMPLETE: 3 of 6 seeds missing \(seeds 4-6\)\n$/);
    assert.match(r.err, /shard 1\/2 \(seeds 4-6\) failed: subprocess exited with code 1/);
    assert.match(r.err, /IsADirectory|Is a directory/);
    assert.match(r.err, /rerun: deno task sweep pbft --seeds 3 --from 4/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep --workers 0 is refused before anything runs, naming the flag", async () => {
  assert.throws(() => parseEngineArgs(["pbft", "--workers", "0"]), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.issues[0].path, "workers");
    return true;
  });
  assert.throws(() => parseEngineArgs(["pbft", "--workers", "two"]), /workers/);
  assert.throws(() => parseEngineArgs(["pbft", "--engine", "mpi"]), /engine/);
  assert.throws(() => parseEngineArgs(["pbft", "--shard", "2/2", "--shard-out", "f"]), /shard/);
  assert.equal(parseEngineArgs(["pbft"]).workers, navigator.hardwareConcurrency);
  const r = await sweep(["pbft", "--seeds", "4", "--workers", "0"]);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /invalid sweep arguments: workers: .*>=1/);
});

Deno.test("shards get the sweep's own flags, not the engine's", () => {
  assert.deepEqual(
    shardArgs(["pbft", "--seeds", "9", "--workers", "3", "--engine", "slurm", "--shrink"]),
    ["pbft", "--seeds", "9", "--shrink"],
  );
});

const job = (seeds: number, from: number): SweepJob => ({ name: "x", seeds, from, shrink: false });
const result = (seed: number): SeedResult => ({
  seed,
  ok: seed % 3 !== 0,
  lines: seed % 3 !== 0 ? [`  seed ${seed} ok`] : ["", `FAILED seed=${seed}: boom`],
});

Deno.test("merge: any split into shards, finished in any order, gives the serial report", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer(),
      (n, from, k, salt) => {
        const j = job(n, from);
        const serial = Array.from({ length: n }, (_, i) => result(from + i));
        const shards = Array.from({ length: k }, (_, i) => {
          const r = shardRange(j, i, k);
          return serial.filter((s) => s.seed >= r.start && s.seed < r.end);
        });
        // the shards' ranges cover every seed exactly once
        assert.deepEqual(shards.flat(), serial);
        const shuffled = shards.map((s, i) => ({ s, key: (i * 2654435761 + salt) >>> 0 }))
          .sort((a, b) => a.key - b.key).flatMap((x) => [...x.s].reverse());
        const a = mergeReport(j, serial, [], "serial");
        const b = mergeReport(j, shuffled, [], "local");
        assert.equal(b.blocks + b.summary, a.blocks + a.summary);
        assert.equal(b.code, serial.every((r) => r.ok) ? 0 : 1);
      },
    ),
  );
});

Deno.test("merge: a short result set is never a complete report", () => {
  const j = job(10, 1);
  const got = [1, 2, 3, 5].map(result);
  const m = mergeReport(
    j,
    got,
    [{ shard: 1, of: 2, reason: "array task 7_1 ended CANCELLED" }],
    "t",
  );
  assert.equal(m.code, 3);
  assert.deepEqual(m.missing, [4, 6, 7, 8, 9, 10]);
  assert.match(m.summary, /INCOMPLETE: 6 of 10 seeds missing \(seeds 4, 6-10\)/);
  assert.match(m.error!, /shard 1\/2 \(seeds 6-10\) failed: array task 7_1 ended CANCELLED/);
  assert.match(m.error!, /rerun: deno task sweep x --seeds 1 --from 4\n.*--seeds 5 --from 6/);
  // missing seeds without a failed shard are still reported
  assert.equal(mergeReport(j, got, [], "t").code, 3);
  assert.equal(formatSeeds([7]), "seed 7");
});

Deno.test("readShard: a killed shard's file (torn last line, no done line) is not done", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const j = job(4, 1);
    const f = `${dir}/s.jsonl`;
    const head = JSON.stringify({ shard: 0, of: 1, name: "x", start: 1, end: 5 });
    const lines = [head, JSON.stringify(result(1)), JSON.stringify(result(2))];
    Deno.writeTextFileSync(f, lines.join("\n") + "\n" + '{"seed":3,"ok":tr');
    const torn = readShard(f, j, 0, 1);
    assert.equal(torn.done, false);
    assert.deepEqual(torn.results.map((r) => r.seed), [1, 2]);
    Deno.writeTextFileSync(
      f,
      [...lines, JSON.stringify(result(3)), JSON.stringify(result(4)), '{"done":4}', ""].join("\n"),
    );
    assert.equal(readShard(f, j, 0, 1).done, true);
    // a file of another sweep's shard is refused
    assert.match(readShard(f, job(4, 2), 0, 1).problem!, /another sweep/);
    assert.match(readShard(`${dir}/none`, j, 0, 1).problem!, /no result file/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
