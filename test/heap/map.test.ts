import assert from "node:assert/strict";
import { test } from "node:test";
import { Heap, heapMap } from "../../src/index.js";

test("the heap describes its chunks and huge blocks for heap maps", () => {
  const heap = Heap.create({ maximum: 64 << 20 });
  const small = Array.from({ length: 100 }, () => heap.malloc(100));
  const huge = heap.malloc(3 << 20);
  const regions = heap.mapRegions();
  const chunks = regions.filter((r) => r.role === "segregated fit");
  assert.ok(chunks.length >= 1);
  const used = chunks.reduce((n, r) => n + r.usedBytes, 0);
  assert.ok(used >= 100 * 100 && used < 100 * 100 * 2, `used bytes ${used}`);
  for (const p of small) assert.ok(chunks.some((r) => p >= r.start && p < r.start + r.bytes), "every block lies in a chunk");
  const h = regions.filter((r) => r.role === "huge block");
  assert.equal(h.length, 1);
  assert.equal(h[0].usedBytes, 3 << 20);
  assert.ok(huge > h[0].start && huge < h[0].start + h[0].bytes);
  const map = heapMap(heap.pool, heap, 1 << 20);
  assert.ok(map.legend.includes("segregated fit") && map.legend.includes("huge block"));
  heap.free(huge);
  for (const p of small) heap.free(p);
  assert.equal(heap.mapRegions().filter((r) => r.role === "huge block").length, 0);
  assert.equal(heap.mapRegions().reduce((n, r) => n + r.usedBytes, 0), 0);
});
