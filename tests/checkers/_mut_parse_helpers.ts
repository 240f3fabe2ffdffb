/** Helpers for the parser mutation tests: catch an error and check its exact message. */
import assert from "node:assert/strict";
import { ParseError } from "@lab/checkers/mod.ts";
import { HistoryError } from "@lab/checkers/_rw_history.ts";

/** The error `fn` throws (fails when it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error, none was thrown");
}

/** Assert `fn` throws a ParseError whose whole message is `message`; returns the error. */
export function parseFails(fn: () => unknown, message: string): ParseError {
  const e = thrown(fn);
  assert.ok(e instanceof ParseError, String(e));
  assert.equal(e.message, message);
  return e;
}

/** Assert `fn` throws a HistoryError at `index`, on `field`, with the whole `message`. */
export function historyFails(
  fn: () => unknown,
  index: number,
  field: string,
  message: string,
): void {
  const e = thrown(fn);
  assert.ok(e instanceof HistoryError, String(e));
  assert.equal(e.name, "HistoryError");
  assert.equal(e.index, index);
  assert.equal(e.field, field);
  assert.equal(e.message, message);
}

/** A Jepsen log line `INFO jepsen.util - <rest>`: the process field starts at column 20. */
export const log = (rest: string) => `INFO jepsen.util - ${rest}`;
