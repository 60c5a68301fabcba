import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { HeapError } from "../../src/core/errors.js";
import {
  OP_ALIGNED,
  OP_ALLOC,
  OP_FREE,
  OP_REALLOC,
  TraceError,
  TraceOps,
  TraceWriter,
  renumberIds,
  serializeTrace,
  writeTrace,
} from "../../src/trace/format.js";
import { parseTraceText } from "../../src/trace/parse.js";
import { rows, traceArb } from "../support/trace-arb.js";

test("serializeTrace writes the DESIGN.md line syntax", () => {
  const t = new TraceOps(2); // grows
  t.push(OP_ALLOC, 0, 16);
  t.push(OP_ALIGNED, 1, 100, 64);
  t.push(OP_REALLOC, 0, 4294967295);
  t.push(OP_FREE, 1, 0);
  t.push(OP_FREE, 0, 0);
  assert.equal(serializeTrace(t, { header: ["made by a test"] }), "# made by a test\na 0 16\nm 1 100 64\nr 0 4294967295\nf 1\nf 0\n# ops: 5\n");
  assert.equal(serializeTrace(t, { trailer: false }).split("\n").length, 6);
});

test("time markers are written only where the time changes", () => {
  const t = new TraceOps();
  t.push(OP_ALLOC, 0, 1);
  t.push(OP_ALLOC, 1, 1, 0, 0.5);
  t.push(OP_FREE, 1, 0, 0, 0.5);
  t.push(OP_FREE, 0, 0, 0, 12.25);
  assert.equal(serializeTrace(t, { trailer: false }), "a 0 1\n# t 0.5\na 1 1\nf 1\n# t 12.25\nf 0\n");
});

test("parse(serialize(t)) gives t back, times included (property)", () => {
  fc.assert(
    fc.property(traceArb(), (t) => {
      assert.deepEqual(rows(parseTraceText(serializeTrace(t))), rows(t));
    }),
    { numRuns: 300 },
  );
});

test("serialize(parse(text)) gives canonical text back (property)", () => {
  fc.assert(
    fc.property(traceArb(), (t) => {
      const text = serializeTrace(t);
      assert.equal(serializeTrace(parseTraceText(text)), text);
    }),
    { numRuns: 100 },
  );
});

test("writeTrace hands the sink chunks of at most chunkBytes, and they join to the whole", () => {
  const t = new TraceOps();
  for (let i = 0; i < 5000; i++) t.push(OP_ALLOC, i, i * 7919);
  const chunks: string[] = [];
  writeTrace(t, (c) => chunks.push(c), { chunkBytes: 1024 });
  assert.ok(chunks.length > 10);
  for (const c of chunks) assert.ok(c.length <= 1024, `chunk of ${c.length}`);
  for (const c of chunks.slice(0, -1)) assert.ok(c.length > 1024 - 40, "chunks are filled");
  assert.equal(chunks.join(""), serializeTrace(t));
});

test("TraceWriter keeps a comment on one ASCII line", () => {
  const out: string[] = [];
  const w = new TraceWriter((c) => out.push(c), 256);
  w.comment("two\nlines and é");
  w.comment("x".repeat(1000)); // longer than a chunk
  w.flush();
  assert.equal(out.join(""), `# two?lines and ?\n# ${"x".repeat(1000)}\n`);
});

test("renumberIds numbers ids like the recorder: most recently freed first", () => {
  const t = parseTraceText("a 7 1\na 9 2\na 3 3\nf 9\nf 7\na 100 4\na 5 5\na 6 6\nr 100 9\nf 100\n");
  assert.deepEqual(rows(renumberIds(t), false), [
    ["a", 0, 1, 0],
    ["a", 1, 2, 0],
    ["a", 2, 3, 0],
    ["f", 1, 0, 0],
    ["f", 0, 0, 0],
    ["a", 0, 4, 0],
    ["a", 1, 5, 0],
    ["a", 3, 6, 0],
    ["r", 0, 9, 0],
    ["f", 0, 0, 0],
  ]);
});

test("renumberIds keeps a trace valid and its ids below its peak live block count (property)", () => {
  fc.assert(
    fc.property(traceArb({ idSpace: 1000 }), (t) => {
      const r = renumberIds(t);
      const again = parseTraceText(serializeTrace(r)); // throws if not valid
      let live = 0;
      let peak = 0;
      let maxId = -1;
      for (let i = 0; i < r.length; i++) {
        if (r.op[i] === OP_FREE) live--;
        else if (r.op[i] !== OP_REALLOC) peak = Math.max(peak, ++live);
        maxId = Math.max(maxId, r.id[i]);
      }
      assert.ok(maxId < peak || r.length === 0);
      assert.deepEqual(rows(again), rows(r));
    }),
    { numRuns: 100 },
  );
});

test("TraceError is a HeapError with code ERR_HEAP_BAD_TRACE and a line", () => {
  const e = new TraceError("x", 3);
  assert.ok(e instanceof HeapError);
  assert.equal(e.code, "ERR_HEAP_BAD_TRACE");
  assert.equal(e.line, 3);
  assert.equal(e.name, "TraceError");
});

test("numbers are written exactly at every digit count and around 2^31", () => {
  const t = new TraceOps();
  const values = [0, 9, 10, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 1234567, 99999999, 100000000, 999999999, 1000000000];
  values.push(0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff);
  values.forEach((v, i) => t.push(OP_ALIGNED, i, v, 2 ** (i % 32)));
  const text = serializeTrace(t, { trailer: false });
  assert.deepEqual(
    text.trimEnd().split("\n"),
    values.map((v, i) => `m ${i} ${v} ${2 ** (i % 32)}`),
  );
});
