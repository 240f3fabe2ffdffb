/**
 * Handler tests of the key-value server over a fake replicated log: the server depends only on the
 * protocol-neutral interface (propose, apply in order, readIndex, leader hint), so any log works.
 */
import assert from "node:assert/strict";
import type {
  ProposeResult,
  ReadResult,
  ReplicatedLog,
  ReplicatedLogHooks,
} from "../../../lib/protocols/kv/replicated_log.ts";
import type { KvResponse, KvServerMessage } from "../../../lib/protocols/kv/messages.ts";
import type { KvCommand } from "../../../lib/protocols/kv/state_machine.ts";
import type { KvConfigInput } from "../../../lib/protocols/kv/config.ts";
import { KvServer } from "../../../lib/protocols/kv/server.ts";
import { kvClientDriver } from "../../../lib/protocols/kv/client.ts";
import { FakeContext } from "./_fake_context.ts";

type LogMsg = { type: "LogPing" };
type Msg = KvServerMessage<LogMsg>;

class FakeLog implements ReplicatedLog<KvCommand, LogMsg> {
  leader = true;
  proposed: KvCommand[] = [];
  reads: ((r: ReadResult) => void)[] = [];
  messages: LogMsg[] = [];
  timers: string[] = [];
  started = false;
  constructor(readonly hooks: ReplicatedLogHooks<KvCommand>) {}
  start() {
    this.started = true;
  }
  onMessage(_from: string, msg: LogMsg) {
    this.messages.push(msg);
  }
  onTimer(name: string) {
    this.timers.push(name);
  }
  propose(command: KvCommand): ProposeResult {
    if (!this.leader) return { ok: false, reason: "not-leader", leaderHint: "n2" };
    this.proposed.push(command);
    return { ok: true, index: this.proposed.length };
  }
  readIndex(cb: (r: ReadResult) => void) {
    if (!this.leader) return cb({ ok: false, reason: "not-leader", leaderHint: "n2" });
    this.reads.push(cb);
  }
  isLeader() {
    return this.leader;
  }
  leaderHint() {
    return this.leader ? "n0" : "n2";
  }
  inspect() {
    return { proposed: this.proposed.length };
  }
}

function server(config: KvConfigInput = {}) {
  const ctx = new FakeContext<Msg>("n0", ["n1", "n2"]);
  let log!: FakeLog;
  const s = new KvServer<LogMsg>(ctx, {
    ...config,
    log: (_c, hooks) => (log = new FakeLog(hooks)),
  });
  s.start();
  return { ctx, s, log: log! };
}

const req = (seq: number, f: string, key: string, value: unknown, clientId = "p0"): Msg => ({
  type: "KvRequest",
  clientId,
  seq,
  f,
  key,
  value,
});

const replies = (ctx: FakeContext<Msg>) => ctx.take("c0") as KvResponse[];

Deno.test("kv server: a write is proposed, then answered when the log applies it", () => {
  const { ctx, s, log } = server();
  assert.ok(log.started);
  s.onMessage("c0", req(1, "put", "x", "5"));
  assert.deepEqual(log.proposed, [{
    clientId: "p0",
    seq: 1,
    op: { f: "put", key: "x", value: "5" },
  }]);
  assert.deepEqual(replies(ctx), []);
  log.hooks.apply({ index: 1, command: log.proposed[0] });
  assert.deepEqual(replies(ctx), [{ type: "KvResponse", clientId: "p0", seq: 1, ok: true }]);
  assert.equal(s.machine.read("x"), "5");
  assert.deepEqual(ctx.eventsOf("kv-apply")[0], {
    type: "kv-apply",
    index: 1,
    clientId: "p0",
    seq: 1,
    f: "put",
    duplicate: false,
  });
});

Deno.test("kv server: a non-leader refuses with the leader hint; the driver redirects there", () => {
  const { ctx, s, log } = server();
  log.leader = false;
  s.onMessage("c0", req(7, "append", "x", "a"));
  const [r] = replies(ctx);
  assert.deepEqual(r, {
    type: "KvResponse",
    clientId: "p0",
    seq: 7,
    ok: false,
    error: "not-leader",
    leaderHint: "n2",
  });
  const driver = kvClientDriver<LogMsg>();
  const client = new FakeContext<Msg>("c0", ["n0", "n1", "n2"]);
  assert.deepEqual(driver.response(client, "n0", r), {
    id: 7,
    type: "retry",
    error: "not-leader",
    redirect: "n2",
  });
  // without a hint the driver tries the next server
  const { leaderHint: _, ...noHint } = r;
  assert.equal((driver.response(client, "n2", noHint) as { redirect: string }).redirect, "n0");
});

Deno.test("kv server: an entry replaced by a new leader's is answered 'lost-leadership'", () => {
  const { ctx, s, log } = server();
  s.onMessage("c0", req(1, "put", "x", "1"));
  log.hooks.apply({
    index: 1,
    command: { clientId: "p9", seq: 4, op: { f: "put", key: "x", value: "other" } },
  });
  const [r] = replies(ctx);
  assert.equal(r.error, "lost-leadership");
  assert.equal(s.machine.read("x"), "other");
});

Deno.test("kv server: reads use readIndex by default and the log in 'log' mode", () => {
  const a = server();
  a.s.onMessage("c0", req(1, "get", "x", null));
  assert.equal(a.log.proposed.length, 0);
  assert.equal(a.log.reads.length, 1);
  a.log.reads[0]({ ok: true, index: 0 });
  assert.deepEqual(replies(a.ctx).map((r) => [r.ok, r.value]), [[true, null]]);
  const b = server({ reads: "log" });
  b.s.onMessage("c0", req(1, "get", "x", null));
  assert.equal(b.log.proposed.length, 1);
});

Deno.test("kv server: a failed cas is a definite failure; a bad request is refused", () => {
  const { ctx, s, log } = server();
  s.onMessage("c0", req(1, "cas", "x", ["1", "2"]));
  log.hooks.apply({ index: 1, command: log.proposed[0] });
  const [r] = replies(ctx);
  assert.deepEqual([r.ok, r.error, r.value], [false, "cas-mismatch", null]);
  const d = kvClientDriver<LogMsg>();
  const client = new FakeContext<Msg>("c0", ["n0"]);
  assert.equal(d.response(client, "n0", r)?.type, "fail");
  s.onMessage("c0", req(2, "put", "x", { bad: true }));
  assert.equal(replies(ctx)[0].error, "bad-request");
});

Deno.test("kv server: log traffic and log timers are forwarded; snapshots go through the hooks", () => {
  const { s, log } = server();
  s.onMessage("n1", { type: "LogPing" });
  s.onTimer("raft:election");
  s.onTimer("kv:own");
  assert.deepEqual(log.messages, [{ type: "LogPing" }]);
  assert.deepEqual(log.timers, ["raft:election"]);
  s.machine.execute({ f: "put", key: "k", value: "v" });
  const snap = log.hooks.snapshot!();
  const { s: other, log: otherLog } = server();
  otherLog.hooks.restore!(structuredClone(snap), 3);
  assert.equal(other.machine.read("k"), "v");
});
