// Instance ids: odd, below 2^30 (V8 small integers), and not repeating over a long run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newTag } from "../../src/core/tags.js";

test("newTag: odd ids below 2^30, hardly a repeat among 10,000 (2^29 values: 0.09 expected)", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const t = newTag();
    assert.ok(Number.isInteger(t) && t > 0 && t < 2 ** 30 && (t & 1) === 1, `id ${t}`);
    seen.add(t);
  }
  assert.ok(seen.size >= 9_997, `${10_000 - seen.size} repeats`);
});
