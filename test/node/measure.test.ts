// One (trace, allocator) measurement, whole and streamed: the same replay, the same peaks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { measure } from "../../src/node/measure.js";

const bundled = new URL("../../../traces/sqlite-insert.trace.gz", import.meta.url).pathname;

test("a trace streamed from its file measures the same as one loaded whole", async () => {
  const input = { kind: "file" as const, path: bundled };
  const whole = await measure({ input, allocator: "heap", samples: 20 }, "sqlite");
  const streamed = await measure({ input, allocator: "heap", samples: 20, streamAbove: 0 }, "sqlite");
  assert.match(streamed.trace, /streamed/);
  assert.equal(streamed.ops, whole.ops);
  assert.equal(streamed.ops, 239022);
  assert.equal(streamed.peakRequested, whole.peakRequested);
  assert.equal(streamed.peakRequested, 2293564, "the README's peak live bytes of sqlite-insert");
  assert.equal(streamed.peakFootprint, whole.peakFootprint);
  assert.equal(streamed.failures, 0);
});
