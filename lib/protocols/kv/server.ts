/**
 * A replicated key-value server: a {@link KvStateMachine} on top of any {@link ReplicatedLog}.
 * Client requests are demultiplexed from the log protocol's messages; writes (and, in "log" read
 * mode, reads) are proposed to the log and answered when applied; reads are otherwise served
 * through ReadIndex or a leader lease. Non-leaders answer "not-leader" with a hint.
 *
 * Events: `{ type: "kv-apply", index, clientId, seq, f, duplicate }` for every applied command.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { ReplicatedLog, ReplicatedLogFactory } from "./replicated_log.ts";
import type { KvRequest, KvResponse, KvServerMessage } from "./messages.ts";
import { isKvClientMessage } from "./messages.ts";
import { type KvCommand, type KvSnapshot, KvStateMachine, parseKvOp } from "./state_machine.ts";
import { type KvConfig, type KvConfigInput, KvConfigSchema } from "./config.ts";
import { freezeInPlace } from "../../sim/storage.ts";

/** Options of {@link KvServer}: the log to build on, plus the server's parameters. */
export interface KvServerOptions<LM> extends KvConfigInput {
  /** Builds the replicated log over this node's context and the state machine's hooks. */
  readonly log: ReplicatedLogFactory<KvCommand, LM>;
}

interface PendingWrite {
  readonly client: NodeId;
  readonly clientId: string;
  readonly seq: number;
}

/**
 * A key-value server node.
 * @example
 * ```ts
 * const factory = (ctx) => new KvServer(ctx, { log: (c, hooks) => new RaftNode(c, {}, hooks) });
 * ```
 */
export class KvServer<LM> implements ProtocolNode<KvServerMessage<LM>> {
  /** Parameters with defaults applied. */
  readonly config: KvConfig;
  /** This replica's state machine. */
  readonly machine: KvStateMachine;
  /** The replicated log underneath. */
  readonly log: ReplicatedLog<KvCommand, LM>;
  #ctx: NodeContext<KvServerMessage<LM>>;
  #pending = new Map<number, PendingWrite>();

  /** Build the state machine, then the log over it (which may restore a stored snapshot). */
  constructor(ctx: NodeContext<KvServerMessage<LM>>, options: KvServerOptions<LM>) {
    const { log, ...config } = options;
    this.config = parseConfig(KvConfigSchema, config, "kv config");
    this.#ctx = ctx;
    this.machine = new KvStateMachine({ sessions: this.config.sessions });
    this.log = log(ctx as unknown as NodeContext<LM>, {
      apply: (e) => this.#apply(e.index, e.command),
      snapshot: () => this.machine.snapshot(),
      restore: (s) => this.machine.restore(s as KvSnapshot),
    });
  }

  /** Start (or restart) the log. */
  start(): void {
    this.log.start();
  }

  /** Client requests are handled here; everything else goes to the log. */
  onMessage(from: NodeId, msg: KvServerMessage<LM>): void {
    if (!isKvClientMessage(msg)) return this.log.onMessage(from, msg as LM);
    if (msg.type === "KvRequest") this.#onRequest(from, msg);
  }

  /** Timers other than `kv:*` belong to the log. */
  onTimer(name: string): void {
    if (!name.startsWith("kv:")) this.log.onTimer(name);
  }

  /** A plain snapshot: the key-value data, sessions and the log's own inspection. */
  inspect(): { data: [string, string][]; pending: number; log: unknown } {
    return { data: this.machine.entries(), pending: this.#pending.size, log: this.log.inspect() };
  }

  #onRequest(from: NodeId, m: KvRequest): void {
    const op = parseKvOp(m.f, m.key, m.value);
    if (typeof op === "string") return this.#reply(from, m, { ok: false, error: "bad-request" });
    if (op.f === "get" && this.config.reads !== "log" && this.log.readIndex) {
      this.log.readIndex((r) => {
        if (r.ok) this.#reply(from, m, { ok: true, value: this.machine.read(op.key) });
        else this.#reply(from, m, { ok: false, error: "not-leader", leaderHint: r.leaderHint });
      }, { lease: this.config.reads === "lease" });
      return;
    }
    const cmd: KvCommand = { clientId: m.clientId, seq: m.seq, op };
    // a leader's command is frozen in place (no copy): the log keeps it as it is, and so does
    // durable storage; elsewhere it is most likely refused (and a log copies what it accepts)
    const r = this.log.propose(this.log.isLeader() ? this.#frozen(cmd) : cmd);
    if (!r.ok) {
      return this.#send(from, {
        type: "KvResponse",
        clientId: m.clientId,
        seq: m.seq,
        ok: false,
        error: "not-leader",
        leaderHint: r.leaderHint,
      });
    }
    this.#pending.set(r.index, { client: from, clientId: m.clientId, seq: m.seq });
  }

  #apply(index: number, cmd: KvCommand): void {
    const machine = this.machine;
    const result = machine.applyCommand(cmd);
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): an event nobody records or reads is built and dropped by emit (→ false is killed, but cannot be kept alone)
    if (this.#ctx.observed !== false) {
      this.#ctx.emit({
        type: "kv-apply",
        index,
        clientId: cmd.clientId,
        seq: cmd.seq,
        f: cmd.op.f,
        duplicate: machine.lastWasDuplicate,
      });
    }
    const p = this.#pending.get(index);
    if (!p) return;
    this.#pending.delete(index);
    if (p.clientId !== cmd.clientId || p.seq !== cmd.seq) {
      // a new leader replaced our entry: the request may still be in the log elsewhere; retry
      return this.#send(p.client, {
        type: "KvResponse",
        clientId: p.clientId,
        seq: p.seq,
        ok: false,
        error: "lost-leadership",
        leaderHint: this.log.leaderHint(),
      });
    }
    if (!result.ok) {
      return this.#send(p.client, {
        type: "KvResponse",
        clientId: p.clientId,
        seq: p.seq,
        ok: false,
        error: result.error,
        value: result.value,
      });
    }
    this.#send(
      p.client,
      result.value === undefined
        ? { type: "KvResponse", clientId: p.clientId, seq: p.seq, ok: true }
        : { type: "KvResponse", clientId: p.clientId, seq: p.seq, ok: true, value: result.value },
    );
  }

  /** The command frozen in place (its operation first), or as it is when that cannot be done. */
  #frozen(cmd: KvCommand): KvCommand {
    return freezeInPlace(cmd.op) === cmd.op ? freezeInPlace(cmd) ?? cmd : cmd;
  }

  #reply(
    to: NodeId,
    req: { clientId: string; seq: number },
    r: Omit<KvResponse, "type" | "clientId" | "seq">,
  ): void {
    this.#send(to, { type: "KvResponse", clientId: req.clientId, seq: req.seq, ...r });
  }

  #send(to: NodeId, msg: KvResponse): void {
    this.#ctx.send(to, msg as KvServerMessage<LM>);
  }
}

/** A node factory for key-value servers over the given log. */
export function kvServerFactory<LM>(
  options: KvServerOptions<LM>,
): (ctx: NodeContext<KvServerMessage<LM>>) => KvServer<LM> {
  return (ctx) => new KvServer<LM>(ctx, options);
}
