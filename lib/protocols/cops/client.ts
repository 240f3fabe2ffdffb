/**
 * The COPS client library (Lloyd et al. 2011, §4): each client process keeps a context, the
 * writes it has seen, and sends it with every put as the put's dependencies. A get adds the
 * version it returned; a put replaces the whole context by the put itself, because the put
 * depends on everything in the context, so depending on the put covers all of it (the paper's
 * nearest dependencies).
 * @module
 */
import type { ClientDriver, OpGenerator } from "../../workload/client.ts";
import type { CopsMessage, Dependency, Version } from "./messages.ts";

/** The client half of the store: per-process contexts, for `installWorkload`. */
export interface CopsClientDriver extends ClientDriver<CopsMessage> {
  /** The current context (nearest dependencies) of a process, for tests and notebooks. */
  contextOf(process: number): readonly Dependency[];
}

/**
 * A workload driver for the store. Clients send to `op.home`, their local datacenter, only.
 * @example
 * ```ts
 * installWorkload(sim, copsClientDriver(), copsOpGenerator({ keys: 3, writeRatio: 0.5 }), {
 *   clients: 6, endMs: 2000,
 * });
 * ```
 */
export function copsClientDriver(): CopsClientDriver {
  const contexts = new Map<number, Map<Version, Dependency>>();
  const processOf = new Map<number, number>();
  const context = (p: number) => {
    let c = contexts.get(p);
    if (!c) contexts.set(p, c = new Map());
    return c;
  };
  return {
    request(ctx, op) {
      processOf.set(op.id, op.process);
      if (op.f === "get") {
        ctx.send(op.home, { type: "get", id: op.id, key: op.key ?? "" });
      } else {
        const deps = [...context(op.process).values()];
        ctx.send(op.home, { type: "put", id: op.id, key: op.key ?? "", value: op.value, deps });
      }
    },
    response(_ctx, _from, msg) {
      if (msg.type !== "getReply" && msg.type !== "putReply") return undefined;
      const p = processOf.get(msg.id);
      if (p === undefined) return undefined;
      processOf.delete(msg.id);
      const c = context(p);
      if (msg.type === "putReply") {
        c.clear();
        c.set(msg.version, { key: msg.key, version: msg.version });
        return { id: msg.id, type: "ok" };
      }
      if (msg.version > 0) c.set(msg.version, { key: msg.key, version: msg.version });
      return { id: msg.id, type: "ok", value: msg.value };
    },
    contextOf(process) {
      return [...(contexts.get(process)?.values() ?? [])];
    },
  };
}

/** Options of {@link copsOpGenerator}. */
export interface CopsOpOptions {
  /** Keys k0..k{keys-1}. */
  readonly keys: number;
  /** Probability that an operation is a put. */
  readonly writeRatio: number;
}

/**
 * Gets and puts on random keys; every put writes a fresh value (1, 2, 3, ...), so histories are
 * differentiated, as the polynomial causal checker needs.
 */
export function copsOpGenerator(options: CopsOpOptions): OpGenerator {
  let next = 0;
  return (rng) => {
    const key = `k${rng.int(0, options.keys - 1)}`;
    return rng.chance(options.writeRatio)
      ? { f: "put", key, value: ++next }
      : { f: "get", key, value: null };
  };
}
