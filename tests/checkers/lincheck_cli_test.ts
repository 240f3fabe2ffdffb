import assert from "node:assert/strict";
import { lincheck } from "../../tools/lincheck.ts";
import { corpusDir } from "./_helpers.ts";

const file = (name: string) => new URL(name, corpusDir).pathname;

async function run(...args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await lincheck(args, (line) => lines.push(line));
  return { code, lines };
}

async function withTemp(text: string, suffix: string, fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix });
  try {
    await Deno.writeTextFile(path, text);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("lincheck: one line per file, exit 0 when all are linearizable", async () => {
  const { code, lines } = await run(file("jepsen/etcd_002.log"), file("kv/c01-ok.txt"));
  assert.equal(code, 0);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /etcd_002\.log\s+ok\s+77 ops\s+[\d.]+ ms\s+cas-register$/);
  assert.match(lines[1], /c01-ok\.txt\s+ok\s+58 ops\s+[\d.]+ ms\s+kv$/);
});

Deno.test("lincheck: exit 1 when a file is not linearizable; --explain prints the witness", async () => {
  const plain = await run(file("jepsen/etcd_002.log"), file("jepsen/etcd_000.log"));
  assert.equal(plain.code, 1);
  assert.match(plain.lines[0], /etcd_002\.log\s+ok\s+77 ops/);
  assert.match(plain.lines[1], /etcd_000\.log\s+illegal\s+85 ops/);
  const explained = await run("--explain", file("kv/c01-bad.txt"));
  assert.equal(explained.code, 1);
  assert.ok(explained.lines.length > 3);
  assert.match(explained.lines[1], /^ {4}not linearizable: key /);
});

Deno.test('lincheck: an empty or whitespace-only file exits 2 with "no operations", not ok', async () => {
  // the corpus's etcd_095.log is empty (that cluster never started): the library still calls an
  // empty history linearizable (tests/checkers/linearizability_test.ts); the CLI refuses the file
  const corpus = await run(file("jepsen/etcd_095.log"));
  assert.equal(corpus.code, 2);
  assert.match(corpus.lines[0], /etcd_095\.log\s+empty\s+0 ops/);
  assert.match(corpus.lines[1], /no operations/);
  for (const text of ["", "  \n\t\n  "]) {
    await withTemp(text, ".edn", async (path) => {
      const r = await run(path);
      assert.equal(r.code, 2, JSON.stringify(text));
      assert.match(r.lines[0], /\sempty\s/);
      assert.doesNotMatch(r.lines[0], /\sok\s/);
      assert.match(r.lines[1], /no operations/);
    });
  }
  // an empty file among good ones still fails the run
  const mixed = await run(file("kv/c01-ok.txt"), file("jepsen/etcd_095.log"));
  assert.equal(mixed.code, 2);
});

Deno.test("lincheck: exit 2 when a file is unknown or unreadable", async () => {
  const budget = await run(
    "--budget",
    "100",
    file("jepsen/etcd_002.log"),
    file("jepsen/etcd_000.log"),
  );
  assert.equal(budget.code, 2);
  assert.match(budget.lines[0], /\sunknown\s/);
  const missing = await run(file("kv/c01-ok.txt"), "/nonexistent/history.edn");
  assert.equal(missing.code, 2);
  assert.match(missing.lines[1], /\serror\s/);
  assert.match(missing.lines[2], /no such file/);
  await withTemp("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nnonsense\n", ".log", async (path) => {
    const bad = await run(path);
    assert.equal(bad.code, 2);
    assert.match(bad.lines[1], /:2: expected a Jepsen log line/);
  });
});

Deno.test("lincheck: an operation the model does not know is reported with its line", async () => {
  const edn = "{:process 0, :type :invoke, :f :read, :value nil}\n" +
    "{:process 0, :type :ok, :f :read, :value nil}\n" +
    "{:process 1, :type :invoke, :f :enqueue, :value 3}\n";
  await withTemp(edn, ".edn", async (path) => {
    const { code, lines } = await run(path);
    assert.equal(code, 2);
    assert.match(lines[0], /\serror\s+2 ops/);
    assert.match(lines[1], /:3: operation at history\[2\] \(process 1, enqueue\): .*supports read/);
  });
});

Deno.test("lincheck: --model and --initial override the detected model", async () => {
  const edn =
    "{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :ok, :f :read, :value 5}\n";
  await withTemp(edn, ".edn", async (path) => {
    assert.equal((await run(path)).code, 1);
    const r = await run("--model", "register", "--initial", "5", path);
    assert.equal(r.code, 0);
    assert.match(r.lines[0], /\sok\s.*register$/);
  });
  const kv = '{:process 0, :type :invoke, :f :get, :key "k", :value nil}\n' +
    '{:process 0, :type :ok, :f :get, :key "k", :value nil}\n';
  await withTemp(kv, ".edn", async (path) => {
    assert.equal((await run(path)).code, 1); // Porcupine's kv: a missing key reads as ""
    assert.equal((await run("--initial", "nil", path)).code, 0);
  });
});

Deno.test("lincheck: bad flags give a usage error naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [["--model", "queue", "x"], /--model "queue": must be one of register, cas-register, kv/],
    [["--budget", "lots", "x"], /--budget "lots": must be a positive integer/],
    [["--budget", "0", "x"], /--budget "0": must be a positive integer/],
    [["--model", "kv", "--initial", "3", "x"], /--initial "3": a kv value must be a string or nil/],
    [["--initial", "[1", "--model", "register", "x"], /--initial "\[1": not an EDN value/],
    [["--frobnicate", "x"], /Unknown option '--frobnicate'/],
    [[], /no FILE given/],
  ];
  for (const [args, message] of cases) {
    const { code, lines } = await run(...args);
    assert.equal(code, 2, args.join(" "));
    assert.match(lines[0], message);
    assert.match(lines[1], /^usage: deno task lincheck/);
  }
  assert.equal((await run("--help")).code, 0);
});

Deno.test("lincheck: the command's exit status, as a process", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../tools/lincheck.ts", import.meta.url).pathname,
      file("jepsen/etcd_000.log"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(new TextDecoder().decode(out.stdout), /etcd_000\.log\s+illegal/);
});
