// The seed setup of scripts/test.mjs reaches the test processes.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";

test("under CI (or with FC_SEED) fast-check runs with a fixed seed", () => {
  const seed = process.env.FC_SEED ?? (process.env.CI ? "20261206" : undefined);
  assert.equal(fc.readConfigureGlobal().seed, seed === undefined ? undefined : Number(seed));
});
