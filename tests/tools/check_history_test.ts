/**
 * `deno task check-history` as a subprocess on small EDN files written to a temp dir, and on the
 * Porcupine corpus: verdicts, witnesses, exit codes 0 / 1 / 2 / 3.
 */
import assert from "node:assert/strict";
import { corpusDir } from "../checkers/_helpers.ts";

const TOOL = new URL("../../tools/check_history.ts", import.meta.url).pathname;
const corpus = (name: string) => new URL(name, corpusDir).pathname;
const dir = await Deno.makeTempDir({ prefix: "check_history_" });

/** Write an EDN history (one map per line) into the temp dir. */
async function edn(name: string, ...lines: string[]): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

const op = (p: number, f: string, key: string | null, inV: string, outV: string) => {
  const k = key === null ? "" : ` :key "${key}"`;
  return [
    `{:process ${p} :type :invoke :f :${f}${k} :value ${inV}}`,
    `{:process ${p} :type :ok :f :${f}${k} :value ${outV}}`,
  ];
};
const w = (p: number, key: string, v: number) => op(p, "write", key, String(v), String(v));
const r = (p: number, key: string, v: number | null) =>
  op(p, "read", key, "nil", String(v ?? "nil"));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOOL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(res.stdout) + new TextDecoder().decode(res.stderr);
  return { code: res.code, out };
}

// Store buffering: p0 writes x, reads y = nil; p1 writes y, reads x = nil (causal, not sequential).
const storeBuffering = await edn(
  "store_buffering.edn",
  ...w(0, "x", 1),
  ...w(1, "y", 1),
  ...r(0, "y", null),
  ...r(1, "x", null),
);
// p0 writes x then reads nil; p1 reads 1: a stale read of one's own write only.
const staleOwn = await edn("stale_own.edn", ...w(0, "x", 1), ...r(0, "x", null), ...r(1, "x", 1));

Deno.test("check-history: one model accepts, the stronger one rejects with a witness", async () => {
  const causal = await cli("--model", "causal", storeBuffering);
  assert.equal(causal.code, 0, causal.out);
  assert.match(causal.out, /store_buffering\.edn\s+ok\s+4 ops\s+[\d.]+ ms\s+causal/);
  const seq = await cli("--model", "sequential", storeBuffering);
  assert.equal(seq.code, 1, seq.out);
  assert.match(seq.out, /\sillegal\s+4 ops/);
  // the witness: the four operations, each printed
  for (const o of ['write\\("x", 1\\)', 'write\\("y", 1\\)', 'read\\("y"\\) → nil']) {
    assert.match(seq.out, new RegExp(o), seq.out);
  }
});

Deno.test("check-history: a stale read of one's own write breaks read-your-writes only", async () => {
  const ryw = await cli("--model", "read-your-writes", staleOwn);
  assert.equal(ryw.code, 1, ryw.out);
  assert.match(ryw.out, /illegal/);
  assert.match(ryw.out, /read-your-writes/);
  const mr = await cli("--model", "monotonic-reads", staleOwn);
  assert.equal(mr.code, 0, mr.out);
});

Deno.test('check-history: the sequential step budget runs out: "unknown", exit 3', async () => {
  // 6 sessions each writing then reading a value nobody else wrote last: the search branches.
  const lines: string[] = [];
  for (let p = 0; p < 6; p++) lines.push(...w(p, "x", p + 1));
  for (let p = 0; p < 6; p++) lines.push(...r(p, "x", ((p + 1) % 6) + 1));
  const file = await edn("branchy.edn", ...lines);
  const res = await cli("--model", "sequential", "--budget", "3", file);
  assert.equal(res.code, 3, res.out);
  assert.match(res.out, /\sunknown\s/);
  const full = await cli("--model", "sequential", file);
  assert.notEqual(full.code, 3, full.out);
});

Deno.test("check-history: bad input exits 2 naming the line and field", async () => {
  const mixed = await edn(
    "mixed.edn",
    ...w(0, "x", 1),
    ...op(1, "read", null, "nil", "nil"), // lines 3-4: no :key
  );
  const wrongType = await edn(
    "wrong_type.edn",
    ...w(0, "x", 1),
    '{:process "one" :type :invoke :f :read :key "x" :value nil}',
  );
  const badTime = await edn(
    "bad_time.edn",
    '{:process 0 :type :invoke :f :write :key "x" :value 1 :time "noon"}',
  );
  const mapValue = await edn(
    "map_value.edn",
    ...w(0, "x", 1),
    '{:process 1 :type :invoke :f :write :key "x" :value {:a 1}}',
    '{:process 1 :type :ok :f :write :key "x" :value {:a 1}}',
  );
  const cas = await edn("cas.edn", ...w(0, "x", 1), ...op(0, "cas", "x", "[1 2]", "[1 2]"));
  const malformed = await edn("malformed.edn", ...w(0, "x", 1), "{:process 1 :type");
  const empty = await edn("empty.edn", "");
  const cases: [string[], RegExp][] = [
    [["--model", "causal", mixed], /mixed\.edn:3: :key: the history mixes models/],
    [["--model", "session", wrongType], /wrong_type\.edn:3:\d*:? expected an integer :process/],
    [["--model", "causal", badTime], /bad_time\.edn:1:\d*:? expected a numeric :time/],
    [["--model", "ccv", mapValue], /map_value\.edn:3: :value: expected nil, a number/],
    [["--model", "cm", cas], /cas\.edn:3: :f: expected read\|get\|write\|put/],
    [
      ["--model", "causal", malformed],
      /malformed\.edn:\d+:\d+: expected a value for map key :type/,
    ],
    [["--model", "causal", empty], /no operations/],
    [["--model", "causal", `${dir}/missing.edn`], /missing\.edn: no such file/],
    [["--model", "strong", staleOwn], /--model "strong": must be one of linearizable, /],
    [["--model", "k-staleness", staleOwn], /needs --k/],
    [["--model", "causal", "--budget", "5", staleOwn], /--budget: only linearizable/],
    [[staleOwn], /--model is required/],
  ];
  for (const [args, re] of cases) {
    const res = await cli(...args);
    assert.equal(res.code, 2, `${args.join(" ")}\n${res.out}`);
    assert.match(res.out, re, res.out);
  }
});

Deno.test("check-history: the Porcupine corpus gives its known verdicts; append is not read/write", async () => {
  const expected = JSON.parse(await Deno.readTextFile(corpus("expected.json")));
  const good = await cli("--model", "linearizable", corpus("jepsen/etcd_002.log"));
  assert.equal(expected["jepsen/etcd_002.log"].linearizable, true);
  assert.equal(good.code, 0, good.out);
  const bad = await cli("--model", "linearizable", corpus("jepsen/etcd_000.log"));
  assert.equal(expected["jepsen/etcd_000.log"].linearizable, false);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /not linearizable/);
  // Porcupine's kv corpus (append, keys start as ""): both verdicts, in one run (exit: worst)
  const kvBoth = await cli(
    "--model",
    "linearizable",
    corpus("kv/c01-ok.txt"),
    corpus("kv/c01-bad.txt"),
  );
  assert.equal(kvBoth.code, 1, kvBoth.out);
  assert.match(kvBoth.out, /c01-ok\.txt\s+ok/);
  assert.match(kvBoth.out, /c01-bad\.txt\s+illegal/);
  // in a read/write history nil is the initial value: a read of nil before the write is fine
  const nilFirst = await edn("nil_first.edn", ...r(1, "x", null), ...w(0, "x", 1));
  const lin = await cli("--model", "linearizable", nilFirst, storeBuffering);
  assert.equal(lin.code, 1, lin.out);
  assert.match(lin.out, /nil_first\.edn\s+ok/);
  assert.match(lin.out, /store_buffering\.edn\s+illegal/);
  // the kv corpus uses :append, which the causal checker cannot read: bad input, with the line
  const kv = await cli("--model", "causal", corpus("kv/c01-ok.txt"));
  assert.equal(kv.code, 2, kv.out);
  assert.match(kv.out, /c01-ok\.txt:1: :f: expected read\|get\|write\|put/);
});

Deno.test("check-history: convergence and staleness", async () => {
  // after the last write (line 4), p0 and p1 read different values of x
  const diverged = await edn(
    "diverged.edn",
    ...w(0, "x", 1),
    ...w(1, "x", 2),
    ...r(0, "x", 1),
    ...r(1, "x", 2),
  );
  const c = await cli("--model", "convergence", diverged, storeBuffering);
  assert.equal(c.code, 1, c.out);
  assert.match(c.out, /diverged\.edn\s+illegal/);
  assert.match(c.out, /store_buffering\.edn\s+ok/);
  // the stale read returned the initial value although x = 1 completed before: 1 version behind
  const k1 = await cli("--model", "k-staleness", "--k", "1", staleOwn);
  assert.equal(k1.code, 1, k1.out);
  const k2 = await cli("--model", "k-staleness", "--k", "2", staleOwn);
  assert.equal(k2.code, 0, k2.out);
});

Deno.test("check-history: cleanup", async () => {
  await Deno.remove(dir, { recursive: true });
});
