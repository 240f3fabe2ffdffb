/** Configuration of a replicated key-value server (zod, with defaults). @module */
import { z } from "zod";

/** Key-value server parameters. */
export const KvConfigSchema = z.object({
  /**
   * Client sessions (thesis §6.3): a retried request is applied once. Off gives at-least-once
   * semantics, so a retry after a lost reply applies the command twice. Default true.
   */
  sessions: z.boolean().default(true),
  /**
   * How a get is served: "log" appends it to the log like a write; "readIndex" confirms
   * leadership with a heartbeat round (thesis §6.4); "lease" answers locally while the leader's
   * lease holds on its local clock (thesis §6.4.1), which a clock jump or drift can break.
   * Default "readIndex" (falls back to "log" when the log offers no readIndex).
   */
  reads: z.enum(["log", "readIndex", "lease"]).default("readIndex"),
}).strict();

/** Parameters as written. */
export type KvConfigInput = z.input<typeof KvConfigSchema>;
/** Parameters with defaults applied. */
export type KvConfig = z.output<typeof KvConfigSchema>;
