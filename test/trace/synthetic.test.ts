import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeTrace } from "../../src/trace/analyze.js";
import { renumberIds, serializeTrace } from "../../src/trace/format.js";
import { parseTraceText } from "../../src/trace/parse.js";
import { Rng, SYNTHETIC_TRACES, growingBufferTrace, requestPhasesTrace } from "../../src/trace/synthetic.js";
import { columns } from "../support/trace-arb.js";

test("Rng is deterministic and spreads its output", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(
    Array.from({ length: 1000 }, () => b.next()),
    xs,
  );
  assert.equal(new Set(xs).size, 1000);
  const r = new Rng(7);
  const hist = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) hist[r.int(10)]++;
  for (const h of hist) assert.ok(h > 850 && h < 1150, `bucket of ${h}`);
  for (let i = 0; i < 1000; i++) {
    const v = r.logUniform(8, 4096);
    assert.ok(v >= 8 && v <= 4096);
  }
});

for (const [name, g] of Object.entries(SYNTHETIC_TRACES)) {
  test(`${name}: deterministic, valid, balanced, ids numbered like the recorder's`, () => {
    const t = g.generate();
    assert.ok(g.description.length > 20);
    assert.deepEqual(columns(g.generate()), columns(t), "same seed, same trace");
    assert.notDeepEqual(columns(g.generate(99)), columns(t), "another seed, another trace");
    const back = parseTraceText(serializeTrace(t)); // throws unless valid
    assert.deepEqual(columns(back), columns(t));
    assert.deepEqual(columns(renumberIds(t)), columns(t));
    const a = analyzeTrace(t);
    assert.equal(a.liveBlocksAtEnd, 0);
    assert.ok(t.length >= 4000 && t.length <= 200_000, `${t.length} ops`);
  });
}

test("generator options shape the trace", () => {
  const g = analyzeTrace(growingBufferTrace({ steps: 10, start: 100, step: 10, smalls: 2 }));
  assert.equal(g.reallocs, 10);
  assert.equal(g.sizeMax, 200);
  assert.equal(g.peakLiveBlocks, 4); // the buffer, two smalls kept, one more before the oldest is freed
  const r = analyzeTrace(requestPhasesTrace({ requests: 5, perRequest: [10, 10], base: 0 }));
  assert.equal(r.allocs, 50);
  assert.equal(r.phases, 5);
});
