import assert from "node:assert/strict";
import { test } from "node:test";
import { recommend, type Measured } from "../../src/trace/recommend.js";
import { analyzeTrace, SYNTHETIC_TRACES } from "../../src/index.js";

const analysis = analyzeTrace(SYNTHETIC_TRACES["dominant-size"].generate());
const m = (allocator: string, opsPerSec: number, utilization: number, error?: string): Measured => ({ allocator, opsPerSec, utilization, peakFootprint: 1, ...(error ? { error } : {}) });

test("the fastest of the allocators within 10 % of the best utilization wins", () => {
  const r = recommend(analysis, [m("heap", 5e6, 0.9), m("pool", 9e6, 0.85), m("buddy", 20e6, 0.3)])!;
  assert.equal(r.allocator, "pool");
  assert.deepEqual(r.ranking, ["pool", "heap", "buddy"]);
  assert.match(r.reason, /1\.80× the ops\/s of heap/);
  assert.match(r.reason, /^48 B is 79\.9 % of 50000 requested sizes; /, "the reason starts with the evidence of the pattern the analysis found");
});

test("memory first: a much faster allocator with poor utilization does not win", () => {
  assert.equal(recommend(analysis, [m("heap", 5e6, 0.9), m("buddy", 50e6, 0.5)])!.allocator, "heap");
});

test("failed replays are never recommended and rank last; none completed means no recommendation", () => {
  const r = recommend(analysis, [m("slab", 99e6, 0.99, "out of memory"), m("heap", 1e6, 0.5)])!;
  assert.equal(r.allocator, "heap");
  assert.deepEqual(r.ranking, ["heap", "slab"]);
  assert.equal(recommend(analysis, [m("slab", 1, 1, "broken")]), undefined);
});
