/**
 * The client half of the key-value store for lib/workload: a {@link ClientDriver} that sends each
 * operation to its home server and follows "not leader" redirections, and operation generators.
 * Histories come out in Jepsen's shape: f = "get" | "put" | "append" | "cas", `key`, `value`
 * (cas `[from, to]`; an ok get carries the value read, null for a missing key).
 * @module
 */
import type { NodeId } from "../../sim/types.ts";
import type { ClientDriver, OpGenerator, OpSpec } from "../../workload/client.ts";
import type { Rng } from "../../sim/rng.ts";
import type { KvRequest, KvServerMessage } from "./messages.ts";

/** Options of {@link kvClientDriver}. */
export interface KvClientOptions {
  /** Servers to rotate through when a refusal carries no leader hint (default: every server). */
  readonly servers?: readonly NodeId[];
  /**
   * Follow the leader: send new requests to the server that last answered (or that a refusal
   * named), and after a timeout try the next server instead of waiting on the same one. Without
   * it (default false) every request starts at the client's home server and a timed-out retry
   * goes there again, so a crashed leader holds its clients until it restarts, as a client bound
   * to one node would be.
   */
  readonly followLeader?: boolean;
}

/**
 * A workload driver for key-value servers. The session id is the workload process (one request at
 * a time, a fresh process after an unknown outcome) and the sequence number is the request id,
 * which retries reuse, so a server with sessions applies each operation at most once.
 * @example
 * ```ts
 * const w = installWorkload(sim, kvClientDriver(), kvOpGenerator({ keys: 3 }), { endMs: 10_000, retries: 20 });
 * ```
 */
export function kvClientDriver<LM = never>(
  options: KvClientOptions = {},
): ClientDriver<KvServerMessage<LM>> {
  const base = bareDriver<LM>(options);
  return options.followLeader ? followingDriver(base, options) : base;
}

function bareDriver<LM>(options: KvClientOptions): ClientDriver<KvServerMessage<LM>> {
  // session ids "p<process>", made once per process rather than once per request
  const sessionIds: string[] = [];
  const sessionId = (p: number) => sessionIds[p] ??= `p${p}`;
  return {
    request(ctx, op) {
      const msg: KvRequest = {
        type: "KvRequest",
        clientId: sessionId(op.process),
        seq: op.id,
        f: op.f,
        key: op.key ?? "",
        value: op.value,
      };
      ctx.send(op.home, msg as KvServerMessage<LM>);
    },
    response(ctx, from, raw) {
      const msg = raw as KvServerMessage<never>;
      if (msg.type !== "KvResponse") return undefined;
      const id = msg.seq;
      if (msg.ok) return { id, type: "ok", value: msg.value };
      if (msg.error === "cas-mismatch" || msg.error === "bad-request") {
        return { id, type: "fail", error: msg.error };
      }
      // not the leader (or no longer): go where the server points, else try the next server
      const servers = options.servers ?? ctx.peers;
      const next = servers[(servers.indexOf(from) + 1) % servers.length];
      return { id, type: "retry", error: msg.error, redirect: msg.leaderHint ?? next };
    },
  };
}

// Per client node: where it believes the leader is, and where the request in flight went.
function followingDriver<M>(base: ClientDriver<M>, options: KvClientOptions): ClientDriver<M> {
  const leaderGuess = new Map<NodeId, NodeId>();
  const last = new Map<NodeId, { id: number; sentTo: NodeId; home: NodeId }>();
  return {
    request(ctx, op) {
      const servers = options.servers ?? ctx.peers;
      const prev = last.get(ctx.self);
      let to: NodeId;
      if (op.attempt === 0 || !prev || prev.id !== op.id) to = leaderGuess.get(ctx.self) ?? op.home;
      else if (op.home !== prev.home) to = op.home; // a redirect: a server named the leader
      else to = servers[(servers.indexOf(prev.sentTo) + 1) % servers.length]; // a timeout
      last.set(ctx.self, { id: op.id, sentTo: to, home: op.home });
      base.request(ctx, { ...op, home: to });
    },
    response(ctx, from, msg) {
      const c = base.response(ctx, from, msg);
      if (c?.type === "ok" || c?.type === "fail") leaderGuess.set(ctx.self, from);
      else if (c?.type === "retry" && c.redirect !== undefined) {
        leaderGuess.set(ctx.self, c.redirect);
      }
      return c;
    },
  };
}

/** Relative weights of the operations (need not sum to 1). */
export interface KvOpMix {
  /** Weight of get operations (0 when absent). */
  readonly get?: number;
  /** Weight of put operations (0 when absent). */
  readonly put?: number;
  /** Weight of append operations (0 when absent). */
  readonly append?: number;
  /** Weight of cas operations (0 when absent). */
  readonly cas?: number;
}

/** Options of {@link kvOpGenerator}. */
export interface KvOpGeneratorOptions {
  /** Number of keys ("k0", "k1", ...). Default 3. */
  readonly keys?: number;
  /** Operation weights. Default get 0.4, put 0.3, append 0.1, cas 0.2. */
  readonly mix?: KvOpMix;
  /** Values are the strings "0" .. String(values − 1). Default 5. */
  readonly values?: number;
}

/**
 * Random key-value operations.
 * @example
 * ```ts
 * const gen = kvOpGenerator({ keys: 2, mix: { get: 1, cas: 1 } });
 * gen(rng, 0); // e.g. { f: "cas", key: "k1", value: ["3", "0"] }
 * ```
 */
export function kvOpGenerator(options: KvOpGeneratorOptions = {}): OpGenerator {
  const keys = options.keys ?? 3;
  const values = options.values ?? 5;
  const m = options.mix ?? { get: 0.4, put: 0.3, append: 0.1, cas: 0.2 };
  const weights: [string, number][] = [
    ["get", m.get ?? 0],
    ["put", m.put ?? 0],
    ["append", m.append ?? 0],
    ["cas", m.cas ?? 0],
  ];
  const total = weights.reduce((a, [, w]) => a + w, 0);
  if (!(total > 0)) throw new Error("kvOpGenerator: the operation mix has no positive weight");
  // names and values are made once each, not once per operation
  const names = weights.map(([name]) => name), ws = weights.map(([, w]) => w);
  const keyNames: string[] = [], valueNames: string[] = [];
  const v = (rng: Rng) => {
    const i = rng.int(0, values - 1);
    return valueNames[i] ??= String(i);
  };
  return (rng): OpSpec => {
    let x = rng.next() * total;
    let f = "get";
    for (let i = 0; i < ws.length; i++) {
      if (x < ws[i]) {
        f = names[i];
        break;
      }
      x -= ws[i];
    }
    const k = rng.int(0, keys - 1);
    const key = keyNames[k] ??= `k${k}`;
    switch (f) {
      case "get":
        return { f, key, value: null };
      case "cas":
        return { f, key, value: [v(rng), v(rng)] };
      default:
        return { f, key, value: v(rng) };
    }
  };
}

/**
 * Append-only operations with a unique token each ("<n>;"), to count how often each was applied.
 * @example
 * ```ts
 * const gen = kvUniqueAppends({ keys: 1 }); // { f: "append", key: "k0", value: "0;" }, "1;", ...
 * ```
 */
export function kvUniqueAppends(options: { keys?: number } = {}): OpGenerator {
  let n = 0;
  const keys = options.keys ?? 1;
  return (rng) => ({ f: "append", key: `k${rng.int(0, keys - 1)}`, value: `${n++};` });
}
