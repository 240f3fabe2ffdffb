import assert from "node:assert/strict";
import {
  meanInterval,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTQuantile,
  wilsonInterval,
} from "@lab/protocols/mining/stats.ts";

const near = (a: number, b: number, tol: number) =>
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

Deno.test("stats: normal and t quantiles against table values", () => {
  near(normalQuantile(0.975), 1.959964, 1e-6);
  near(normalQuantile(0.9995), 3.290527, 1e-6);
  near(normalQuantile(0.01), -2.326348, 1e-6);
  near(studentTQuantile(0.975, 4), 2.776445, 1e-5);
  near(studentTQuantile(0.9995, 7), 5.407883, 1e-4);
  near(studentTQuantile(0.975, 1000), 1.962339, 1e-5);
});

Deno.test("stats: incomplete beta closed cases", () => {
  near(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-12);
  near(regularizedIncompleteBeta(0.3, 2, 1), 0.09, 1e-12);
  near(regularizedIncompleteBeta(0.5, 3, 3), 0.5, 1e-12);
});

Deno.test("stats: Wilson interval (Newcombe 1998's example 81/263 at 95 %)", () => {
  const w = wilsonInterval(81, 263, 0.95);
  near(w.low, 0.2553, 1e-4);
  near(w.high, 0.3662, 1e-4);
  const zero = wilsonInterval(0, 1000, 0.95);
  assert.equal(zero.low, 0);
  assert.ok(zero.high > 0.003 && zero.high < 0.0045);
  assert.throws(() => wilsonInterval(0, 0, 0.95), /trials/);
});

Deno.test("stats: mean interval", () => {
  const m = meanInterval([1, 2, 3, 4, 5], 0.95);
  assert.equal(m.mean, 3);
  near(m.high - m.mean, 2.776445 * Math.sqrt(2.5) / Math.sqrt(5), 1e-5);
  assert.throws(() => meanInterval([1], 0.95), /at least 2/);
});
