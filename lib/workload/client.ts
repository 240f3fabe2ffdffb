/**
 * Workloads: simulated clients that drive a cluster and record a Jepsen-style history.
 * Open-loop clients issue operations as a Poisson process at a fixed rate whatever the system
 * does (so overload shows up as latency and timeouts); closed-loop clients are N processes that
 * each wait for a reply, think, and issue the next operation. Every operation can time out and
 * be retried with the same request id (so an exactly-once server can deduplicate it).
 * @module
 */
import { z } from "zod";
import type { Simulation } from "../sim/simulation.ts";
import type { NodeContext, NodeId, ProtocolNode } from "../sim/types.ts";
import type { Rng } from "../sim/rng.ts";
import { parseConfig } from "../sim/errors.ts";
import type { HistoryEvent } from "./history.ts";

/** What an operation asks for. */
export interface OpSpec {
  /** Operation name, Jepsen style ("read", "write", "cas", "get", "put", "append", ...). */
  readonly f: string;
  /** The key, for key-value operations; absent for a single register. */
  readonly key?: string;
  /** The argument (write: the value, cas: `[from, to]`, read: null). */
  readonly value: unknown;
}

/** An operation in flight, as the driver sees it. */
export interface ClientOp extends OpSpec {
  /** Unique request id; retries reuse it. */
  readonly id: number;
  /** Logical client process (one operation at a time; retired after an unknown outcome). */
  readonly process: number;
  /** 0 for the first try, then 1, 2, ... for retries. */
  readonly attempt: number;
  /** The server this client prefers (its "home" node). */
  readonly home: NodeId;
}

/** How a driver reports a reply. `retry` asks for another attempt now (e.g. "not the leader"). */
export type Completion =
  | { readonly id: number; readonly type: "ok"; readonly value?: unknown }
  | {
    readonly id: number;
    readonly type: "fail";
    readonly error?: string;
    readonly value?: unknown;
  }
  | { readonly id: number; readonly type: "info"; readonly error?: string }
  | {
    readonly id: number;
    readonly type: "retry";
    readonly error?: string;
    readonly redirect?: NodeId;
  };

/**
 * The protocol-specific half of a client: how to send a request and how to read a reply.
 * @example
 * ```ts
 * const driver: ClientDriver<Msg> = {
 *   request: (ctx, op) => ctx.send(op.home, { type: "req", id: op.id, f: op.f, value: op.value }),
 *   response: (_ctx, _from, m) => m.type === "resp" ? { id: m.id, type: "ok", value: m.value } : undefined,
 * };
 * ```
 */
export interface ClientDriver<M> {
  /** Send the request(s) for `op` (called for the first attempt and every retry). */
  request(ctx: NodeContext<M>, op: ClientOp): void;
  /** Read a message; return the completion it carries, if any. */
  response(ctx: NodeContext<M>, from: NodeId, msg: M): Completion | undefined;
}

/** Workload parameters. */
export const WorkloadSchema = z.object({
  /** "open": Poisson arrivals at `ratePerSec`; "closed": `clients` processes with think time. */
  mode: z.enum(["open", "closed"]).default("closed"),
  /** Arrival rate of the open loop (operations per second). */
  ratePerSec: z.number().positive().default(100),
  /** Closed loop: concurrent processes. Open loop: number of client nodes arrivals spread over. */
  clients: z.number().int().min(1).max(10_000).default(3),
  /** Closed loop: pause between a reply and the next request. */
  thinkTimeMs: z.number().min(0).default(0),
  /** When to issue the first operation. */
  startMs: z.number().min(0).default(0),
  /** No new operation is issued at or after this time. */
  endMs: z.number().positive(),
  /** An attempt with no reply after this long is retried or given up. */
  timeoutMs: z.number().positive().default(1000),
  /** Extra attempts after a timeout or a `retry` reply (same request id). */
  retries: z.number().int().min(0).default(0),
  /** Wait before re-sending after a `retry` reply. */
  retryBackoffMs: z.number().min(0).default(10),
  /** Stop after this many invocations (default unlimited). */
  maxOps: z.number().int().min(1).optional(),
}).strict();

/** Workload parameters as written. */
export type WorkloadInput = z.input<typeof WorkloadSchema>;
/** Workload parameters with defaults. */
export type WorkloadConfig = z.output<typeof WorkloadSchema>;

/** Chooses the next operation for a process. */
export type OpGenerator = (rng: Rng, process: number) => OpSpec;

interface Pending {
  op: ClientOp;
  invokedAt: number;
  /** The name of its time-out timer, built once: a fresh string costs a hash at every timer call. */
  readonly timer: string;
}

/** A running workload; read `history` after the run. */
export class Workload<M> {
  /** The history recorded so far (true times). */
  readonly history: HistoryEvent[] = [];
  /** Workload parameters in force, defaults applied. */
  readonly config: WorkloadConfig;
  /** Client node ids. */
  readonly clientIds: readonly NodeId[];
  #sim: Simulation<M>;
  #driver: ClientDriver<M>;
  #gen: OpGenerator;
  #rng: Rng;
  #nextId = 1;
  #nextProcess = 0;
  #issued = 0;
  #free: number[] = [];
  #pendingByClient = new Map<NodeId, Map<number, Pending>>();
  #ctxOf = new Map<NodeId, NodeContext<M>>();
  #homeOf = new Map<NodeId, NodeId>();

  /** Use {@link installWorkload}. */
  constructor(
    sim: Simulation<M>,
    driver: ClientDriver<M>,
    generator: OpGenerator,
    config: WorkloadConfig,
    prefix: string,
  ) {
    this.#sim = sim;
    this.#driver = driver;
    this.#gen = generator;
    this.config = config;
    this.#rng = sim.rng.fork(`workload/${prefix}`);
    const servers = sim.serverIds;
    if (servers.length === 0) throw new Error("installWorkload: add the server nodes first");
    const ids: NodeId[] = [];
    for (let k = 0; k < config.clients; k++) {
      const id = `${prefix}${k}`;
      ids.push(id);
      this.#homeOf.set(id, servers[k % servers.length]);
      this.#pendingByClient.set(id, new Map());
      sim.addNode(id, (ctx) => this.#clientNode(id, ctx), { role: "client" });
    }
    this.clientIds = ids;
    if (config.mode === "closed") {
      for (let p = 0; p < config.clients; p++) {
        this.#nextProcess = Math.max(this.#nextProcess, p + 1);
        sim.at(config.startMs, () => this.#issue(ids[p], p));
      }
    } else {
      this.#nextProcess = 0;
      this.#scheduleArrival(config.startMs);
    }
  }

  /** Number of operations still awaiting a reply. */
  get inFlight(): number {
    let n = 0;
    for (const m of this.#pendingByClient.values()) n += m.size;
    return n;
  }

  #clientNode(id: NodeId, ctx: NodeContext<M>): ProtocolNode<M> {
    this.#ctxOf.set(id, ctx);
    return {
      onMessage: (from, msg) => {
        const c = this.#driver.response(ctx, from, msg);
        if (c) this.#complete(id, c);
      },
      onTimer: (name) => {
        if (name.startsWith("timeout:")) this.#timeout(id, Number(name.slice(8)));
        else if (name.startsWith("resend:")) this.#resend(id, Number(name.slice(7)));
      },
    };
  }

  #scheduleArrival(atMs: number): void {
    const gap = this.#rng.exponential(1000 / this.config.ratePerSec);
    const t = Math.max(atMs, this.#sim.nowMs) + gap;
    if (t >= this.config.endMs) return;
    this.#sim.at(t, () => {
      const process = this.#free.length ? this.#free.shift()! : this.#nextProcess++;
      const client = this.clientIds[process % this.clientIds.length];
      this.#issue(client, process);
      this.#scheduleArrival(t);
    });
  }

  #issue(client: NodeId, process: number): void {
    const c = this.config;
    if (this.#sim.nowMs >= c.endMs || (c.maxOps !== undefined && this.#issued >= c.maxOps)) return;
    const ctx = this.#ctxOf.get(client);
    if (!ctx) return;
    const spec = this.#gen(this.#rng, process);
    const op: ClientOp = {
      f: spec.f,
      key: spec.key,
      value: spec.value,
      id: this.#nextId++,
      process,
      attempt: 0,
      home: this.#homeOf.get(client)!,
    };
    this.#issued++;
    this.history.push(historyEvent("invoke", op, op.value, this.#sim.nowMs, undefined));
    const timer = `timeout:${op.id}`;
    this.#pendingByClient.get(client)!.set(op.id, { op, invokedAt: this.#sim.nowMs, timer });
    ctx.setTimer(timer, c.timeoutMs);
    this.#driver.request(ctx, op);
  }

  #complete(client: NodeId, c: Completion): void {
    const pending = this.#pendingByClient.get(client)!;
    const p = pending.get(c.id);
    if (!p) return; // a late or duplicate reply
    const ctx = this.#ctxOf.get(client)!;
    if (c.type === "retry") {
      if (p.op.attempt >= this.config.retries) {
        return this.#finish(client, p, "info", undefined, c.error ?? "retries exhausted");
      }
      p.op = { ...p.op, attempt: p.op.attempt + 1, home: c.redirect ?? p.op.home };
      ctx.setTimer(`resend:${c.id}`, this.config.retryBackoffMs);
      return;
    }
    ctx.cancelTimer(p.timer);
    const value = c.type === "ok" ? c.value : c.type === "fail" ? c.value : undefined;
    const error = c.type === "ok" ? undefined : c.error;
    this.#finish(client, p, c.type, value, error);
  }

  #resend(client: NodeId, id: number): void {
    const p = this.#pendingByClient.get(client)!.get(id);
    if (!p) return;
    const ctx = this.#ctxOf.get(client)!;
    ctx.setTimer(p.timer, this.config.timeoutMs);
    this.#driver.request(ctx, p.op);
  }

  #timeout(client: NodeId, id: number): void {
    const p = this.#pendingByClient.get(client)!.get(id);
    if (!p) return;
    if (p.op.attempt < this.config.retries) {
      p.op = { ...p.op, attempt: p.op.attempt + 1 };
      this.#resend(client, id);
      return;
    }
    this.#finish(client, p, "info", undefined, "timeout");
  }

  #finish(
    client: NodeId,
    p: Pending,
    type: "ok" | "fail" | "info",
    value: unknown,
    error: string | undefined,
  ): void {
    this.#pendingByClient.get(client)!.delete(p.op.id);
    const op = p.op;
    const v = type === "ok" || type === "fail" ? (value ?? op.value) : op.value;
    this.history.push(historyEvent(type, op, v, this.#sim.nowMs, error));
    // Jepsen: a process whose operation has an unknown outcome is retired; a fresh one replaces it
    const process = type === "info" ? this.#nextProcess++ : op.process;
    if (this.config.mode === "closed") {
      this.#sim.schedule(this.config.thinkTimeMs, () => this.#issue(client, process));
    } else if (type !== "info") {
      this.#free.push(process);
      this.#free.sort((a, b) => a - b);
    }
  }
}

// A history event with the same keys in the same order as spreading optional ones would give
// (`key` only when set, `error` only when non-empty), built without spread temporaries.
function historyEvent(
  type: HistoryEvent["type"],
  op: ClientOp,
  value: unknown,
  timeMs: number,
  error: string | undefined,
): HistoryEvent {
  const e: { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] } = {
    type,
    process: op.process,
    f: op.f,
  } as HistoryEvent;
  if (op.key !== undefined) e.key = op.key;
  e.value = value;
  e.timeMs = timeMs;
  e.node = op.home;
  if (error) e.error = error;
  return e;
}

/**
 * Add client nodes to a simulation (after the servers) and start issuing operations.
 * @example
 * ```ts
 * const w = installWorkload(sim, driver, (rng) => ({ f: "write", value: rng.int(0, 4) }), {
 *   mode: "closed", clients: 3, endMs: 10_000, timeoutMs: 500, retries: 2,
 * });
 * sim.run({ untilMs: 12_000 });
 * w.history; // invoke / ok / fail / info events
 * ```
 */
export function installWorkload<M>(
  sim: Simulation<M>,
  driver: ClientDriver<M>,
  generator: OpGenerator,
  config: WorkloadInput & { prefix?: string },
): Workload<M> {
  const { prefix, ...rest } = config;
  const c = parseConfig(WorkloadSchema, rest, "workload config");
  return new Workload(sim, driver, generator, c, prefix ?? "c");
}
