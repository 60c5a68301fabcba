import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Memory, NULL, PagePool, allocOrThrow } from "../../src/index.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { fill, intact } from "../support/fill.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const small = () => PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 8 * MiB }), { classes: [256, 4 * KiB, 64 * KiB] });

conformance({
  name: "PagePool (256 B / 4 KiB / 64 KiB classes)",
  make: small,
  drawSize: 40 * KiB,
  maxAlign: 64 * KiB,
  model: { maxSize: 200 * KiB, edges: [255, 256, 257, 4095, 4096, 4097, 65536, 65537] },
});

conformance({
  name: "PagePool (default classes)",
  make: () => PagePool.create(Memory.create({ maximum: 48 * MiB })),
  drawSize: 3 * MiB,
  maxAlign: 2 * MiB,
  runs: 40,
  model: { maxSize: 5 * MiB, edges: [4096, 4097, 65536, 2 * MiB, 2 * MiB + 1] },
});

// Above 2 GiB: every pointer has bit 31 set, so any offset computed with a signed bitwise
// operator and not brought back with >>> 0 comes out negative and fails these tests.
conformance({
  name: "PagePool above 2 GiB",
  make: () => PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 24 * MiB }), { classes: [4 * KiB, 64 * KiB, 2 * MiB] }),
  drawSize: 3 * MiB,
  maxAlign: 2 * MiB,
  runs: 30,
  model: { maxSize: 3 * MiB, edges: [4096, 65536, 2 * MiB] },
});

describe("PagePool", () => {
  test("pages are aligned to their class and runs to the largest class they hold", () => {
    const pool = PagePool.create(Memory.create({ maximum: 64 * MiB }));
    assert.deepEqual(pool.classes, [4 * KiB, 64 * KiB, 2 * MiB]);
    for (const [size, align] of [
      [4096, 4096],
      [65536, 65536],
      [2 * MiB, 2 * MiB],
      [12 * KiB, 4096],
      [100 * KiB, 65536],
      [5 * MiB, 2 * MiB],
    ]) {
      const p = allocOrThrow(pool, size);
      assert.equal(p % align, 0, `${size} bytes at ${p}`);
      assert.equal(pool.usableSize(p), Math.ceil(size / 4096) * 4096);
    }
    pool.check();
  });

  test("a 1 GiB class exists when the maximum allows it", () => {
    const pool = PagePool.create(Memory.create({ initial: MiB, maximum: 2 ** 32 - 65536 }));
    assert.deepEqual(pool.classes, [4 * KiB, 64 * KiB, 2 * MiB, 1024 * MiB]);
    assert.deepEqual(PagePool.create(Memory.create({ maximum: MiB * 512 })).classes, [4 * KiB, 64 * KiB, 2 * MiB]);
  });

  test("a freed page is reused before the top grows", () => {
    const pool = small();
    const a = allocOrThrow(pool, 4096);
    const top = pool.top;
    pool.free(a);
    assert.equal(allocOrThrow(pool, 4096), a);
    assert.equal(pool.top, top);
  });

  test("smaller classes are split from larger pages, and coalesce() puts them back", () => {
    const pool = small();
    const big = allocOrThrow(pool, 64 * KiB);
    pool.free(big);
    const gap = pool.stats().classes[1].freeBlocks; // 4 KiB pages left over from aligning the 64 KiB page
    const pieces = Array.from({ length: gap + 16 }, () => allocOrThrow(pool, 4 * KiB));
    const inBig = pieces.filter((p) => p >= big && p < big + 64 * KiB);
    assert.equal(inBig.length, 16, "the free 64 KiB page should be split into 4 KiB pages");
    assert.equal(pool.top, big + 64 * KiB, "no page should come from the top");
    for (const p of pieces) pool.free(p);
    assert.equal(pool.stats().classes[2].freeBlocks, 0);
    pool.coalesce();
    pool.check();
    assert.equal(pool.stats().classes[2].freeBlocks, 1);
    assert.equal(allocOrThrow(pool, 64 * KiB), big);
  });

  test("a large request coalesces free pages instead of failing", () => {
    const pool = PagePool.create(Memory.create({ initial: 64 * KiB, maximum: MiB }), { classes: [4 * KiB, 64 * KiB] });
    const pages: number[] = [];
    for (let p = pool.alloc(4096); p !== NULL; p = pool.alloc(4096)) pages.push(p);
    for (const p of pages) pool.free(p);
    const runs: number[] = [];
    for (let p = pool.alloc(64 * KiB); p !== NULL; p = pool.alloc(64 * KiB)) runs.push(p);
    assert.ok(runs.length >= Math.floor((pages.length * 4096) / (64 * KiB)) - 1, `${runs.length} 64 KiB pages from ${pages.length} 4 KiB pages`);
    pool.check();
  });

  test("trim() on a wasm memory lowers the footprint but cannot shrink the buffer", () => {
    const pool = PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 64 * MiB }));
    const burst = Array.from({ length: 4 }, () => allocOrThrow(pool, 2 * MiB));
    const fp = pool.stats().footprintBytes.current;
    for (const p of burst) pool.free(p);
    assert.equal(pool.trim(), 0);
    assert.ok(pool.stats().footprintBytes.current < fp / 4);
    pool.check();
  });

  test("trim() gives free memory at the top back and the footprint falls", () => {
    const mem = Memory.create({ initial: 64 * KiB, maximum: 64 * MiB, backing: "resizable" });
    const pool = PagePool.create(mem);
    const keep = allocOrThrow(pool, 4096);
    const burst = Array.from({ length: 8 }, () => allocOrThrow(pool, 2 * MiB));
    const grown = mem.byteLength;
    const fpBefore = pool.stats().footprintBytes.current;
    for (const p of burst) pool.free(p);
    const given = pool.trim();
    pool.check();
    assert.ok(given >= 15 * MiB, `gave back ${given} of ${grown}`);
    assert.ok(pool.stats().footprintBytes.current < fpBefore / 4);
    assert.equal(pool.stats().footprintBytes.peak, fpBefore);
    assert.equal(pool.usableSize(keep), 4096);
    assert.notEqual(pool.alloc(2 * MiB), NULL, "the pool grows again after a trim");
    pool.check();
  });

  test("resize shrinks in place and grows at the top", () => {
    const pool = small();
    const p = allocOrThrow(pool, 40 * KiB);
    fill(pool.memory.u8, p, 4096, 3);
    assert.equal(pool.resize(p, 8 * KiB), true);
    assert.equal(pool.usableSize(p), 8 * KiB);
    pool.check();
    const q = allocOrThrow(pool, 200 * KiB); // a run longer than the largest class: cut from the top
    assert.equal(pool.resize(q, 300 * KiB), true);
    assert.equal(pool.usableSize(q), 300 * KiB);
    assert.ok(intact(pool.memory.u8, p, 4096, 3));
    pool.check();
  });

  test("misuse: interior, free and foreign pointers", () => {
    const pool = small();
    const p = allocOrThrow(pool, 3 * 4096);
    throwsCode(() => pool.free(p + 4096), "ERR_HEAP_INVALID_POINTER");
    const q = allocOrThrow(pool, 4096);
    pool.free(q);
    throwsCode(() => pool.usableSize(q), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => pool.resize(q, 10), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => pool.free(q), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => pool.alignedAlloc(8, 128 * KiB), "ERR_HEAP_INVALID_ALIGNMENT");
    stillUsable(pool);
  });

  test("create refuses a second pool and bad classes; attach opens the same pool", () => {
    const mem = Memory.create({ maximum: 16 * MiB });
    const pool = PagePool.create(mem);
    throwsCode(() => PagePool.create(mem), "ERR_HEAP_INVALID_STATE");
    for (const classes of [[], [4096, 4096], [3000], [128], [65536, 4096], [1, 2, 3, 4, 5, 6, 7]]) {
      throwsCode(() => PagePool.create(Memory.create({ maximum: 16 * MiB }), { classes }), "ERR_HEAP_INVALID_OPTION");
    }
    const p = allocOrThrow(pool, 4096);
    const other = PagePool.attach(mem);
    assert.equal(other.usableSize(p), 4096);
    other.free(p);
    throwsCode(() => pool.free(p), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => PagePool.attach(Memory.create()), "ERR_HEAP_BAD_FORMAT");
  });

  test("a saved image re-opens with its pages and contents", () => {
    const mem = Memory.create({ maximum: 16 * MiB });
    const pool = PagePool.create(mem);
    const p = allocOrThrow(pool, 8192);
    fill(mem.u8, p, 8192, 11);
    const image = mem.save();
    const again = PagePool.attach(Memory.attach(image));
    again.check();
    assert.ok(intact(again.memory.u8, p, 8192, 11));
    assert.equal(again.usableSize(p), 8192);
    again.free(p);
    again.check();
  });

  test("check() catches damage to the table, the lists and the stats", () => {
    const damage: ((pool: PagePool, p: number, q: number) => void)[] = [
      (pool, p) => (pool.memory.u32[tableWord(pool, p)] = 0), // a head erased
      (pool, p) => (pool.memory.u32[tableWord(pool, p)] ^= 1 << 5), // a length changed
      (pool, _p, q) => (pool.memory.u32[tableWord(pool, q) + 2] = 0x21), // an entry inside a run
      (pool) => (pool.memory.u32[(segmentHead(pool, 1) >>> 2) + 1] += 1), // a segment's count
      (pool) => (pool.memory.u32[(segmentHead(pool, 1) >>> 2) + 2] = segmentHead(pool, 1)), // a page listed twice
      (pool) => (pool.memory.f64[statsIndex(pool)] += 1), // stats
    ];
    for (const hurt of damage) {
      const pool = small();
      const p = allocOrThrow(pool, 4096);
      const q = allocOrThrow(pool, 2 * 4096);
      allocOrThrow(pool, 4096);
      pool.free(q);
      pool.check();
      hurt(pool, p, q);
      throwsCode(() => pool.check(), "ERR_HEAP_CORRUPTED");
    }
  });

  test("check() terminates on random bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), (writes) => {
        const pool = small();
        for (let i = 0; i < 20; i++) allocOrThrow(pool, (i % 3) * 4096 + 100);
        const u32 = pool.memory.u32;
        const from = pool.memory.pagesRoot >>> 2;
        for (const [at, v] of writes) u32[from + (at % 4096)] = v;
        try {
          pool.check();
        } catch (e) {
          assert.equal((e as { code?: string }).code, "ERR_HEAP_CORRUPTED");
        }
      }),
      { numRuns: 200 },
    );
  });
});

function tableWord(pool: PagePool, p: number): number {
  const r = pool.memory.pagesRoot >>> 2;
  const u32 = pool.memory.u32;
  return (u32[r + 5] >>> 2) + 2 * ((p - u32[r + 3]) / pool.frameBytes);
}

/** The top segment of class `c`'s free list (R_CLASS0 = 12, 4 words a class, C_HEAD = 1). */
function segmentHead(pool: PagePool, c: number): number {
  return pool.memory.u32[(pool.memory.pagesRoot >>> 2) + 12 + c * 4 + 1];
}

function statsIndex(pool: PagePool): number {
  return pool.memory.u32[(pool.memory.pagesRoot >>> 2) + 9] >>> 3;
}

describe("PagePool.runs", () => {
  test("tiles the page area in address order with the state of each run", () => {
    const pool = small();
    const a = allocOrThrow(pool, 4096);
    const b = allocOrThrow(pool, 3 * 4096);
    pool.free(a);
    const runs = pool.runs();
    let at = pool.start;
    for (const r of runs) {
      assert.equal(r.ptr, at);
      at += r.bytes;
    }
    assert.equal(at, pool.top);
    assert.equal(runs.find((r) => r.ptr === a)?.used, false);
    assert.equal(runs.find((r) => r.ptr === b)?.used, true);
    assert.equal(runs.find((r) => r.ptr === b)?.bytes, 3 * 4096);
  });
});

test("counters stay exact past 2^32 operations", () => {
  const pool = small();
  const s = pool.memory.u32[(pool.memory.pagesRoot >>> 2) + 9] >>> 3;
  pool.memory.f64[s + 8] = 2 ** 32 - 1; // allocs (after four gauges of two slots each)
  const p = allocOrThrow(pool, 4096);
  assert.equal(pool.stats().allocs, 2 ** 32);
  pool.free(p);
  pool.check();
});
