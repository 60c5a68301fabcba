// Every trace in the shared folder, replayed through the heap: each block filled with its own
// pattern and verified before it is freed or moved and at intervals, check() at intervals, and at
// the end (every trace frees everything) trim() brings the footprint back to where it started.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Heap, NULL } from "../../src/index.js";
import { fill, firstDamaged } from "../support/fill.js";
import { OP_ALIGNED, OP_ALLOC, OP_FREE, OP_REALLOC, readTrace, traceFiles } from "../support/trace-reader.js";

const files = traceFiles();

describe("Heap: trace replays", () => {
  test("the shared traces are there", { skip: files.length === 0 ? "no traces folder" : false }, () => assert.ok(files.length >= 13));

  for (const [name, path] of files) {
    test(name, () => {
      const t = readTrace(name, path);
      const h = Heap.create();
      const start = h.stats().footprintBytes.current;
      const ptr = new Float64Array(t.maxId + 1);
      const size = new Float64Array(t.maxId + 1);
      const seed = new Float64Array(t.maxId + 1);
      const checkEvery = Math.max(500, Math.floor(t.count / 12));
      let gen = 0;
      for (let i = 0; i < t.count; i++) {
        const op = t.ops[i * 4];
        const id = t.ops[i * 4 + 1];
        const n = t.ops[i * 4 + 2];
        if (op === OP_FREE || op === OP_REALLOC) {
          const bad = firstDamaged(h.u8, ptr[id], op === OP_FREE ? size[id] : size[id], seed[id]);
          assert.equal(bad, -1, `${name} op ${i}: block ${id} damaged at byte ${bad}`);
        }
        if (op === OP_FREE) {
          h.free(ptr[id]);
        } else {
          const p = op === OP_ALLOC ? h.malloc(n) : op === OP_ALIGNED ? h.alignedAlloc(n, t.ops[i * 4 + 3]) : h.realloc(ptr[id], n);
          assert.notEqual(p, NULL, `${name} op ${i}: out of memory`);
          assert.equal(p % (op === OP_ALIGNED ? t.ops[i * 4 + 3] : 8), 0);
          if (op === OP_REALLOC) {
            const keep = Math.min(size[id], n);
            assert.equal(firstDamaged(h.u8, p, keep, seed[id]), -1, `${name} op ${i}: realloc lost the contents`);
          }
          ptr[id] = p;
          size[id] = n;
          seed[id] = ++gen;
          fill(h.u8, p, n, gen);
        }
        if (i % checkEvery === 0) h.check();
      }
      h.check();
      assert.equal(h.stats().liveBlocks.current, 0);
      h.trim();
      h.check();
      assert.equal(h.stats().footprintBytes.current, start, "footprint not back to the start after trim()");
    });
  }
});
