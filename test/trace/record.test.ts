import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { calloc, realloc } from "../../src/core/derived.js";
import { HeapError } from "../../src/core/errors.js";
import { OP_REALLOC, renumberIds } from "../../src/trace/format.js";
import { parseTraceText } from "../../src/trace/parse.js";
import { record } from "../../src/trace/record.js";
import { replay } from "../../src/trace/replay.js";
import { SYNTHETIC_TRACES } from "../../src/trace/synthetic.js";
import { ToyAllocator } from "../support/toy-allocator.js";
import { columns, rows, traceArb } from "../support/trace-arb.js";
import { SHARED_TRACES, sharedTraceFiles } from "../support/traces.js";

/** A recorder over a fresh toy allocator, with its output collected. */
function recorded(opts: Parameters<typeof record>[2] = {}, toy = new ToyAllocator()) {
  const chunks: string[] = [];
  const rec = record(toy, (c) => chunks.push(c), opts);
  return { rec, toy, chunks, text: () => (rec.flush(), chunks.join("")) };
}

const opLines = (text: string): string[] => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

test("the recorder is an Allocator of kind recorder that forwards everything", () => {
  const { rec, toy } = recorded();
  assert.equal(rec.kind, "recorder");
  assert.equal(rec.inner, toy);
  assert.equal(rec.memory, toy.memory);
  const p = rec.alloc(100);
  assert.ok(p !== 0);
  assert.equal(rec.usableSize(p), toy.usableSize(p));
  assert.deepEqual(rec.stats(), toy.stats());
  rec.check();
  rec.free(p);
  assert.equal(toy.stats().liveBlocks.current, 0);
});

test("alloc, alignedAlloc, resize, realloc and free write a, m, r, r and f lines", () => {
  const { rec, text } = recorded();
  const p = rec.alloc(10);
  const q = rec.alignedAlloc(20, 256);
  assert.equal(q % 256, 0);
  assert.ok(rec.resize(p, 12)); // in place: the toy's smallest class holds 16 bytes
  assert.ok(!rec.resize(p, 5000)); // would move: nothing written
  const p2 = rec.realloc(p, 5000); // moves: still one line
  assert.notEqual(p2, p);
  rec.free(q);
  rec.free(0);
  const r = rec.realloc(0, 7); // realloc(NULL, n) is an allocation
  rec.free(p2);
  rec.free(r);
  assert.deepEqual(opLines(text()), ["a 0 10", "m 1 20 256", "r 0 12", "r 0 5000", "f 1", "a 1 7", "f 0", "f 1"]);
  assert.equal(rec.recorded, 8);
});

test("the derived realloc and calloc over a recorder write what the recorder sees", () => {
  const { rec, text } = recorded();
  const p = calloc(rec, 4, 4);
  const q = realloc(rec, p, 4096); // resize fails, so alloc + copy + free
  rec.free(q);
  assert.deepEqual(opLines(text()), ["a 0 16", "a 1 4096", "f 0", "f 1"]);
});

test("calls that fail or throw write nothing", () => {
  const { rec, text } = recorded({}, new ToyAllocator({ initial: 1 << 16, maximum: 1 << 17 }));
  assert.equal(rec.alloc(1 << 20), 0);
  assert.throws(() => rec.alloc(-1), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_INVALID_SIZE");
  const p = rec.alloc(8);
  rec.free(p);
  assert.throws(() => rec.free(p), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_DOUBLE_FREE");
  assert.equal(rec.realloc(rec.alloc(8), 1 << 20), 0);
  assert.deepEqual(opLines(text()), ["a 0 8", "f 0", "a 0 8"]);
});

test("blocks allocated before wrapping: free not written, first resize or realloc written as a", () => {
  const toy = new ToyAllocator();
  const early = toy.alloc(10);
  const early2 = toy.alloc(10);
  const { rec, text } = recorded({}, toy);
  assert.ok(rec.resize(early, 11));
  rec.free(early);
  const moved = rec.realloc(early2, 1000);
  rec.free(moved);
  assert.deepEqual(opLines(text()), ["a 0 11", "f 0", "a 0 1000", "f 0"]);
  parseTraceText(text());
});

test("a pointer handed out again without a free through the recorder frees its stale id first", () => {
  const { rec, toy, text } = recorded();
  const p = rec.alloc(8);
  toy.free(p); // released behind the recorder's back (as a region reset would)
  assert.equal(rec.alloc(8), p);
  rec.free(p);
  assert.deepEqual(opLines(text()), ["a 0 8", "f 0", "a 0 8", "f 0"]);
});

test("record(wrap) then replay of any valid trace gives the same operations (property)", () => {
  fc.assert(
    fc.property(traceArb({ maxSize: 1 << 16, timed: false }), (t) => {
      const { rec, text } = recorded();
      const r = replay(t, rec, { verify: true });
      assert.equal(r.failures, 0);
      assert.deepEqual(rows(parseTraceText(text()), false), rows(renumberIds(t), false));
    }),
    { numRuns: 150 },
  );
});

test("record then replay: a zero-size aligned block, realloc'd (a shrunk counterexample of the property)", () => {
  const t = parseTraceText("m 0 0 32\nr 0 0\n");
  const { rec, text } = recorded();
  replay(t, rec, { verify: true });
  assert.deepEqual(opLines(text()), ["m 0 0 32", "r 0 0"]);
});

test("record then replay of the synthetic traces and python-json gives the same operations", () => {
  const inputs = Object.entries(SYNTHETIC_TRACES).map(([name, g]) => [name, g.generate()] as const);
  const py = "real/python-json.trace";
  if (!sharedTraceFiles().skip) inputs.push([py, parseTraceText(readFileSync(SHARED_TRACES + py))]);
  for (const [name, t] of inputs) {
    const { rec, text } = recorded();
    replay(t, rec);
    rec.end();
    const back = parseTraceText(text(), { source: name }); // the # ops trailer is checked
    assert.equal(back.length, t.length, name);
    assert.deepEqual(columns(back), columns(renumberIds(t)), name);
  }
});

test("the sink gets chunks of a few KiB, not a string per line", () => {
  const { rec, chunks } = recorded({ chunkBytes: 4096 });
  replay(SYNTHETIC_TRACES["slab-mix"].generate(), rec);
  rec.end();
  assert.ok(chunks.length > 50);
  for (const c of chunks.slice(0, -1)) assert.ok(c.length > 4000 && c.length <= 4096, `chunk of ${c.length}`);
});

test("end() writes the # ops trailer; later calls are forwarded, not recorded", () => {
  const { rec, toy, chunks } = recorded();
  rec.free(rec.alloc(1));
  rec.end();
  const p = rec.alloc(1);
  assert.equal(toy.stats().liveBlocks.current, 1);
  rec.free(p);
  rec.end();
  const text = chunks.join("");
  assert.ok(text.endsWith("a 0 1\nf 0\n# ops: 2\n"), text);
  assert.equal(parseTraceText(text).length, 2);
});

test("timestamps: # t markers from the clock, every timeEvery operations, when it moved", () => {
  let now = 1000;
  const { rec, text } = recorded({ timestamps: true, timeEvery: 2, now: () => now });
  const a = rec.alloc(1); // op 1: no read
  now = 1000.5;
  const b = rec.alloc(2); // op 2: read, moved → marker 0.5
  now = 1000.5004;
  rec.free(a); // op 3
  rec.free(b); // op 4: read, moved to 0.5004 → rounded to the microsecond: 0.5
  now = 1003;
  rec.free(rec.alloc(3)); // op 5, op 6: read → 3
  const out = text();
  assert.deepEqual(
    out.split("\n").filter((l) => !l.startsWith("# ") || l.startsWith("# t")),
    ["# t 0", "a 0 1", "# t 0.5", "a 1 2", "f 0", "f 1", "a 1 3", "# t 3", "f 1", ""],
  );
  const t = parseTraceText(out);
  assert.deepEqual(Array.from(t.time.subarray(0, t.length)), [0, 0.5, 0.5, 0.5, 0.5, 3]);
});

test("timestamps from the default clock parse, and never decrease", () => {
  const { rec, text } = recorded({ timestamps: true, timeEvery: 1 });
  replay(SYNTHETIC_TRACES["growing-buffer"].generate(), rec);
  const t = parseTraceText(text());
  for (let i = 1; i < t.length; i++) assert.ok(t.time[i] >= t.time[i - 1]);
});

test("sizesOnly writes allocation sizes with fresh ids and no frees: a valid trace for histograms", () => {
  const { rec, text } = recorded({ sizesOnly: true });
  const p = rec.alloc(8);
  const q = rec.alignedAlloc(24, 64);
  rec.free(p);
  const r = rec.realloc(q, 4000);
  rec.free(r);
  rec.free(rec.alloc(8));
  const out = text();
  assert.match(out, /# mode: sizes only/);
  assert.deepEqual(opLines(out), ["a 0 8", "m 1 24 64", "a 2 4000", "a 3 8"]);
  const t = parseTraceText(out);
  assert.equal(t.op.subarray(0, t.length).indexOf(OP_REALLOC), -1);
});

test("bad options are an ERR_HEAP_INVALID_OPTION", () => {
  assert.throws(() => record(new ToyAllocator(), () => {}, { timeEvery: 0 }), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_INVALID_OPTION");
});
