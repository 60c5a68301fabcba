import assert from "node:assert/strict";
import { test } from "node:test";
import { Memory, PagePool, allocOrThrow, type Allocator, type MapRegion } from "../../src/index.js";
import { FREE_ROLE, USED_ROLE, heapMap, heapMapSvg } from "../../src/trace/heap-map.js";

const make = () => PagePool.create(Memory.create({ maximum: 16 << 20 }), { classes: [4096, 65536] });

test("cells follow the page pool's runs: free pages, used runs", () => {
  const pool = make();
  const a = allocOrThrow(pool, 4096 * 4);
  const b = allocOrThrow(pool, 4096 * 4);
  pool.free(a);
  const map = heapMap(pool, undefined, 1 << 20);
  assert.equal(map.cellBytes, 4096);
  const cellOf = (p: number) => (p - map.start) / map.cellBytes;
  assert.equal(map.legend[map.cells[cellOf(a)]], FREE_ROLE);
  assert.equal(map.legend[map.cells[cellOf(b) + 3]], USED_ROLE);
  assert.equal(map.cells.length, (pool.top - pool.start) / 4096);
});

test("an allocator's own regions colour the runs they cover, shaded by use", () => {
  const pool = make();
  const run = allocOrThrow(pool, 8 * 4096);
  const regions: MapRegion[] = [{ start: run, bytes: 8 * 4096, role: "slab 24 B", usedBytes: 4 * 4096 }];
  const fake = Object.assign(Object.create(pool) as Allocator, { mapRegions: () => regions });
  const map = heapMap(pool, fake, 1 << 20);
  const c = (run - map.start) / 4096;
  assert.equal(map.legend[map.cells[c]], "slab 24 B");
  assert.ok(Math.abs(map.fill[c] - 128) <= 1);
  const svg = heapMapSvg(map, { title: "test <map>" });
  assert.ok(svg.startsWith("<svg"));
  assert.ok(svg.includes("test &#60;map&#62;"));
  assert.equal(svg.match(/class="cell"/g)?.length, map.cells.length);
});

test("a large area is drawn in at most maxCells cells", () => {
  const pool = make();
  for (let i = 0; i < 40; i++) allocOrThrow(pool, 65536);
  const map = heapMap(pool, undefined, 64);
  assert.ok(map.cells.length <= 64);
  assert.equal(map.cellBytes % 4096, 0);
});
