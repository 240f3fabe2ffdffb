/** Shared helpers for the checker tests: a small history DSL and the Porcupine corpus. */
import type { History, HistoryEvent } from "@lab/workload/history.ts";
import { type Model, unknownOutput } from "@lab/checkers/mod.ts";

/** One operation of a hand-written history. */
export interface OpSpec {
  /** Process id. */
  readonly p: number;
  readonly f: string;
  readonly key?: string;
  /** Input (write value, [from to] for cas, null for reads). */
  readonly in?: unknown;
  /** Output of an ok completion (the value read; true/false for cas). */
  readonly out?: unknown;
  /** Invoke and completion times; completion ignored for "pending". */
  readonly at: readonly [number, number];
  /** Default "ok". "pending" emits no completion at all. */
  readonly status?: "ok" | "fail" | "info" | "pending";
}

/** Build a history (events sorted by time; invoke and completion of each op from `at`). */
export function history(...ops: OpSpec[]): History {
  const events: HistoryEvent[] = [];
  for (const o of ops) {
    const base = { process: o.p, f: o.f, ...(o.key === undefined ? {} : { key: o.key }) };
    events.push({ ...base, type: "invoke", value: o.in ?? null, timeMs: o.at[0] });
    const status = o.status ?? "ok";
    if (status === "pending") continue;
    events.push({
      ...base,
      type: status,
      value: status === "ok" ? (o.out ?? o.in ?? null) : null,
      timeMs: o.at[1],
    });
  }
  return events.sort((a, b) => a.timeMs - b.timeMs);
}

/** Shorthands for register operations. */
export const w = (p: number, v: unknown, at: [number, number], status?: OpSpec["status"]) =>
  ({ p, f: "write", in: v, at, status }) as OpSpec;
export const r = (p: number, v: unknown, at: [number, number], status?: OpSpec["status"]) =>
  ({ p, f: "read", in: null, out: v, at, status }) as OpSpec;
export const cas = (
  p: number,
  from: unknown,
  to: unknown,
  ok: boolean,
  at: [number, number],
  status?: OpSpec["status"],
) => ({ p, f: "cas", in: [from, to], out: ok, at, status }) as OpSpec;

/** The Porcupine corpus folder, beside the repository (never copied into it). */
export const corpusDir = new URL("../../../shared/data/porcupine/", import.meta.url);

/** Every corpus file with its known verdict (`null` for the empty etcd_095.log). */
export function corpus(): { name: string; linearizable: boolean | null; ops: number }[] {
  const expected = JSON.parse(Deno.readTextFileSync(new URL("expected.json", corpusDir)));
  return Object.entries(expected as Record<string, { linearizable: boolean | null; ops: number }>)
    .map(([name, e]) => ({ name, linearizable: e.linearizable, ops: e.ops }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The text of a corpus file. */
export function readCorpus(name: string): string {
  return Deno.readTextFileSync(new URL(name, corpusDir));
}

/** A counter whose `inc` adds 1 or 2 (nondeterministic: the search tries both). */
export const flakyCounter: Model<number, "inc" | "read", number | null> = {
  name: "flaky-counter",
  init: () => 0,
  input: (op) => (op.f === "inc" ? "inc" : "read"),
  output: (op) => (op.f === "read" ? op.output as number : null),
  step: () => {
    throw new Error("stepAll is used instead");
  },
  stepAll: (s, input, output) =>
    input === "inc" ? [s + 1, s + 2] : output === unknownOutput || output === s ? [s] : [],
  hash: (s) => s,
  equal: (a, b) => a === b,
  readOnly: (input) => input === "read",
  describe: (input, output) => (input === "inc" ? "inc" : `read → ${String(output)}`),
  describeState: (s) => String(s),
};
