import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Memory, NULL, PagePool, Slab, allocOrThrow, defaultSizes } from "../../src/index.js";
import { checked } from "../../src/debug/checked.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { runModel } from "../support/model.js";
import { opsArb } from "../support/arbitraries.js";
import { fill, intact } from "../support/fill.js";
import {
  CLASS_WORDS,
  C_PARTIAL,
  R_CLASS0,
  R_MAP,
  R_STATS,
  R_TABLE,
  SH_BITMAP,
  SH_FREE,
  SH_INUSE,
  SH_NEXT,
  HEADER_BYTES,
} from "../../src/slab/layout.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const SMALL_SIZES = [8, 16, 24, 40, 64, 96, 136, 256, 520, 1024];

function makeDefault(maximum = 8 * MiB): Slab {
  return Slab.create(PagePool.create(Memory.create({ initial: 64 * KiB, maximum })));
}

/** Small frames and few classes: slabs of many frames, colours, and a reserve of 0. */
function makeSmall(): Slab {
  const pages = PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 2 * MiB }), { classes: [256, 4 * KiB, 64 * KiB] });
  return Slab.create(pages, { sizes: SMALL_SIZES, reserve: 0 });
}

conformance({
  name: "Slab (default classes)",
  make: () => makeDefault(),
  maxSize: 4096,
  drawSize: 4096,
  maxAlign: 4096,
  model: { maxSize: 4096, edges: [63, 64, 65, 127, 128, 129, 255, 256, 257, 2048, 2049, 3584, 3585, 4095, 4096] },
});

conformance({
  name: "Slab (256 B frames, reserve 0)",
  make: makeSmall,
  maxSize: 1024,
  drawSize: 1024,
  maxAlign: 256,
  model: { maxSize: 1024, edges: [40, 41, 95, 96, 97, 135, 136, 137, 519, 520, 521] },
});

// Above 2 GiB: every pointer has bit 31 set, so an offset computed with a signed bitwise operator
// and not brought back with >>> 0 comes out negative and fails these tests.
conformance({
  name: "Slab above 2 GiB",
  make: () => Slab.create(PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 32 * MiB }))),
  maxSize: 4096,
  drawSize: 4096,
  maxAlign: 4096,
  runs: 40,
  model: { maxSize: 4096, edges: [64, 65, 4096] },
});

describe("Slab", () => {
  test("alloc(s) uses the smallest class that holds s, for every s up to the largest class", () => {
    const slab = makeDefault();
    const sizes = defaultSizes();
    assert.equal(sizes.length, 56);
    for (let s = 0; s <= 4096; s++) {
      const want = sizes.find((c) => c >= s)!;
      const p = allocOrThrow(slab, s);
      assert.equal(slab.usableSize(p), want, `size ${s}`);
      assert.equal(slab.classSize(slab.classFor(s)), want);
      assert.equal(slab.classSize(slab.classOf(p)), want);
      slab.free(p);
    }
    slab.check();
  });

  test("the default classes waste at most 12.5 % on any size above 64", () => {
    const sizes = defaultSizes();
    for (let s = 65; s <= 4096; s++) {
      const c = sizes.find((x) => x >= s)!;
      assert.ok((c - s) / c <= 0.125, `size ${s} in class ${c}`);
    }
  });

  test("layout: the first object of the first slab of each class is pinned", () => {
    const slab = makeDefault();
    const first = [8, 64, 100, 4096].map((s) => {
      const p = allocOrThrow(slab, s);
      return p - slab.slabOf(p);
    });
    // 8 B: header 48 + bitmap 64 (498 objects) = 112; 64 B: 48 + 8 = 56 → 64; 104 B: 48 + 8 = 56;
    // 4096 B: aligned to 4 KiB, so object 0 is one frame in.
    assert.deepEqual(first, [112, 64, 56, 4096]);
    assert.equal(HEADER_BYTES, 48);
  });

  test("a burst taken and freed goes back to the page pool; shrink() returns the reserve", () => {
    const slab = makeDefault(64 * MiB);
    const pages = slab.pages;
    const base = slab.stats().footprintBytes.current;
    const poolBase = pages.stats().liveBytes.current;
    const ps: number[] = [];
    for (let i = 0; i < 20000; i++) ps.push(allocOrThrow(slab, 8 + (i % 20) * 8));
    const peak = slab.stats().footprintBytes.current;
    assert.ok(peak > base + MiB, `burst footprint ${peak}`);
    for (const p of ps) slab.free(p);
    slab.check();
    const after = slab.stats().footprintBytes.current;
    // 20 classes used: each keeps at most its (empty) partial head and one reserve slab.
    assert.ok(after <= base + 2 * 20 * 4096, `after the burst: ${after - base} bytes of slabs kept`);
    assert.ok(pages.stats().liveBytes.current <= poolBase + 2 * 20 * 4096);
    const given = slab.shrink();
    slab.check();
    assert.equal(given, after - base);
    assert.equal(slab.stats().footprintBytes.current, base);
    assert.equal(pages.stats().liveBytes.current, poolBase);
    const poolFootprint = pages.stats().footprintBytes.current;
    pages.trim();
    assert.ok(pages.stats().footprintBytes.current < poolFootprint / 2, "the pool's footprint falls after trim");
    assert.notEqual(slab.alloc(24), NULL);
    slab.check();
  });

  test("misuse: interior, never-used, header, foreign and freed pointers; the caches stay valid", () => {
    const slab = makeDefault();
    const a = allocOrThrow(slab, 64);
    const b = allocOrThrow(slab, 64);
    const h = slab.slabOf(a);
    throwsCode(() => slab.free(a + 8), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => slab.free(b + 64), "ERR_HEAP_INVALID_POINTER"); // never handed out
    throwsCode(() => slab.free(h), "ERR_HEAP_INVALID_POINTER"); // the slab header
    const run = allocOrThrow(slab.pages, 4096); // a page the slab does not own
    throwsCode(() => slab.free(run), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => slab.free(slab.root), "ERR_HEAP_INVALID_POINTER");
    slab.free(a);
    throwsCode(() => slab.free(a), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => slab.usableSize(a), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => slab.resize(a, 8), "ERR_HEAP_INVALID_POINTER");
    slab.free(b); // the slab is now empty: the partial head stays
    throwsCode(() => slab.free(b), "ERR_HEAP_DOUBLE_FREE");
    stillUsable(slab);
    throwsCode(() => slab.addClass(0), "ERR_HEAP_INVALID_OPTION");
    assert.equal(slab.classSize(slab.addClass(12)), 16, "rounded up to 8: the existing 16-byte class");
    throwsCode(() => slab.addClass(1 << 20), "ERR_HEAP_INVALID_OPTION");
    slab.check();
  });

  test("double free is detected on full, partial and empty slabs, and after the slab went back", () => {
    const slab = Slab.create(PagePool.create(Memory.create({ maximum: 8 * MiB })), { sizes: [2048], reserve: 1 });
    const ps = Array.from({ length: 40 }, () => allocOrThrow(slab, 2048)); // several full slabs
    slab.free(ps[0]); // a full slab becomes partial
    throwsCode(() => slab.free(ps[0]), "ERR_HEAP_DOUBLE_FREE");
    for (const p of ps.slice(1)) slab.free(p); // slabs become empty: one kept, the rest go back
    slab.check();
    for (const p of ps) {
      assert.throws(() => slab.free(p), (e: { code?: string }) => e.code === "ERR_HEAP_DOUBLE_FREE" || e.code === "ERR_HEAP_INVALID_POINTER");
    }
    stillUsable(slab);
  });

  test("resize is true within the class and false beyond; alignedAlloc gives natural alignment", () => {
    const slab = makeDefault();
    const p = allocOrThrow(slab, 100); // class 104
    assert.equal(slab.resize(p, 104), true);
    assert.equal(slab.resize(p, 1), true);
    assert.equal(slab.resize(p, 105), false);
    for (let align = 16; align <= 4096; align *= 2) {
      const q = slab.alignedAlloc(align / 2 + 1, align);
      assert.notEqual(q, NULL);
      assert.equal(q % align, 0);
      assert.ok(slab.usableSize(q) >= align / 2 + 1);
    }
    assert.equal(slab.alignedAlloc(8, 8192), NULL, "beyond the largest natural alignment");
    throwsCode(() => slab.alignedAlloc(4097, 16), "ERR_HEAP_INVALID_SIZE");
    slab.check();
  });

  test("cache colouring offsets successive slabs by cache lines; off, every slab starts alike", () => {
    for (const colour of [true, false]) {
      const slab = Slab.create(PagePool.create(Memory.create({ maximum: 8 * MiB })), { sizes: [192], colour });
      const firsts = new Set<number>();
      let last = -1;
      for (let i = 0; i < 21 * 8; i++) {
        const p = allocOrThrow(slab, 192);
        const h = slab.slabOf(p);
        if (h !== last) firsts.add(p - h);
        last = h;
      }
      // 192 B objects in 4 KiB: 21 objects, 32 bytes of slack left by the header: one colour only.
      // So use a class with room: 1000-byte objects below.
      assert.equal(firsts.size, 1);
      slab.check();
    }
    for (const colour of [true, false]) {
      const slab = Slab.create(PagePool.create(Memory.create({ maximum: 8 * MiB })), { sizes: [1000], colour });
      const offsets: number[] = []; // a new slab hands out its object 0 first
      let last = -1;
      while (offsets.length < 12) {
        const p = allocOrThrow(slab, 1000);
        const h = slab.slabOf(p);
        if (h !== last) offsets.push(p - h);
        last = h;
      }
      const distinct = new Set(offsets);
      if (colour) {
        assert.ok(distinct.size > 1, `colours ${[...distinct]}`);
        for (const o of distinct) assert.equal((o - offsets[0]) % 64, 0);
      } else {
        assert.equal(distinct.size, 1);
      }
      slab.check();
    }
  });

  test("slabOf and classOf answer from any pointer in O(1), and never throw", () => {
    const slab = makeDefault();
    const p = allocOrThrow(slab, 24);
    const h = slab.slabOf(p);
    assert.notEqual(h, NULL);
    assert.equal(slab.slabOf(p + 3), h, "an interior pointer is still in the slab");
    assert.equal(slab.classSize(slab.classOf(p)), 24);
    const run = allocOrThrow(slab.pages, 4096);
    for (const q of [0, 1, run, run + 100, slab.root, -5, NaN, 2 ** 33, "x" as unknown as number]) {
      assert.equal(slab.slabOf(q), NULL, String(q));
      assert.equal(slab.classOf(q), -1);
    }
    assert.equal(slab.classFor(5000), -1);
  });

  test("above 2 GiB, slabOf gives the header at or below the pointer, and free takes the fast path", () => {
    const slab = Slab.create(PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 32 * MiB })));
    const ps = Array.from({ length: 600 }, (_, i) => allocOrThrow(slab, 8 + (i % 3) * 8));
    for (const p of ps) {
      const h = slab.slabOf(p);
      assert.ok(h >= 2 ** 31 && h <= p && p - h < 64 * KiB, `slabOf(${p}) = ${h}`);
      assert.equal(slab.classSize(slab.classOf(p)), 8 + (ps.indexOf(p) % 3) * 8);
    }
    for (const p of ps) slab.free(p);
    slab.check();
  });

  test("addClass: a new class takes its sizes from the next larger one, at run time, and attach sees it", () => {
    const slab = makeDefault();
    const before = allocOrThrow(slab, 136); // class 144
    assert.equal(slab.usableSize(before), 144);
    const c = slab.addClass(136);
    assert.equal(slab.addClass(136), c, "adding an existing class returns it");
    assert.equal(slab.classSize(c), 136);
    const after = allocOrThrow(slab, 136);
    assert.equal(slab.usableSize(after), 136);
    assert.equal(slab.usableSize(allocOrThrow(slab, 129)), 136);
    assert.equal(slab.usableSize(allocOrThrow(slab, 137)), 144);
    slab.check();
    const big = slab.addClass(10000); // above the largest class, within the limit
    assert.equal(slab.usableSize(allocOrThrow(slab, 5000)), 10000);
    assert.equal(slab.classFor(10000), big);
    const other = Slab.attach(slab.pages, slab.root);
    assert.equal(other.usableSize(after), 136);
    other.free(before);
    other.free(after);
    other.check();
    throwsCode(() => slab.free(after), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => Slab.attach(slab.pages, slab.root + 8), "ERR_HEAP_BAD_FORMAT");
    throwsCode(() => Slab.attach(slab.pages, 3), "ERR_HEAP_BAD_FORMAT");
  });

  test("mapRegions: the root and every slab, with its objects in use", () => {
    const slab = makeDefault();
    const ps = Array.from({ length: 600 }, () => allocOrThrow(slab, 24));
    allocOrThrow(slab, 4000);
    const regions = slab.mapRegions();
    assert.equal(regions.filter((r) => r.role === "slab 24 B").reduce((n, r) => n + r.usedBytes, 0), 600 * 24);
    assert.equal(regions.filter((r) => r.role === "slab 4096 B").length, 1);
    assert.equal(regions.reduce((n, r) => n + r.bytes, 0), slab.stats().footprintBytes.current);
    for (let i = 1; i < regions.length; i++) assert.ok(regions[i - 1].start + regions[i - 1].bytes <= regions[i].start);
    for (const p of ps) slab.free(p);
  });

  test("options are validated", () => {
    const pages = () => PagePool.create(Memory.create({ maximum: 8 * MiB }));
    for (const sizes of [[], [12], [8, 8], [0], [1 << 20], "8"]) {
      throwsCode(() => Slab.create(pages(), { sizes: sizes as number[] }), "ERR_HEAP_INVALID_OPTION");
    }
    throwsCode(() => Slab.create(pages(), { reserve: -1 }), "ERR_HEAP_INVALID_OPTION");
    throwsCode(() => Slab.create(pages(), { sizes: [64], limit: 32 }), "ERR_HEAP_INVALID_OPTION");
  });

  test("a saved image re-opens with its objects", () => {
    const slab = makeDefault();
    const p = allocOrThrow(slab, 300);
    fill(slab.memory.u8, p, 300, 5);
    const mem = Memory.attach(slab.memory.save());
    const again = Slab.attach(PagePool.attach(mem), slab.root);
    again.check();
    assert.ok(intact(again.memory.u8, p, 300, 5));
    again.free(p);
    again.check();
  });

  test("exhaustion mid-burst returns 0 and the caches stay valid and reusable", () => {
    const slab = Slab.create(PagePool.create(Memory.create({ initial: 64 * KiB, maximum: MiB })));
    const ps: number[] = [];
    for (let i = 0; i < 100000; i++) {
      const p = slab.alloc(8 + ((i * 37) % 4000));
      if (p === NULL) break;
      ps.push(p);
    }
    assert.ok(ps.length < 100000);
    slab.check();
    for (const p of ps) slab.free(p);
    slab.shrink();
    slab.check();
    assert.equal(slab.stats().liveBlocks.current, 0);
    assert.notEqual(slab.alloc(4096), NULL);
  });

  test("model: alloc-heavy and free-heavy sequences over several slabs, check() after every step", () => {
    fc.assert(
      fc.property(opsArb(1024, [8, 9, 16, 520, 521], { alloc: 6, free: 4, aligned: 1, resize: 1, realloc: 1 }, 256, 400), (seq) => runModel(makeSmall(), seq)),
      { numRuns: 60 },
    );
  });

  test("check() catches damage to lists, free lists, bitmaps, counts, map, table and stats", () => {
    const damage: ((slab: Slab, p: number, u32: Uint32Array) => void)[] = [
      (slab, p, u32) => (u32[(slab.slabOf(p) >>> 2) + SH_INUSE] += 1),
      (slab, p, u32) => (u32[(slab.slabOf(p) >>> 2) + SH_BITMAP] ^= 4),
      (slab, p, u32) => (u32[(slab.slabOf(p) >>> 2) + SH_FREE] = p), // a live object on the free list
      (slab, p, u32) => (u32[(slab.slabOf(p) >>> 2) + SH_NEXT] = slab.slabOf(p)), // a cycle
      (slab, p, u32) => (u32[u32[(slab.slabOf(p) >>> 2) + SH_FREE] >>> 2] = u32[(slab.slabOf(p) >>> 2) + SH_FREE]), // free-list cycle
      (slab, _p, u32) => (slab.memory.u8[u32[(slab.root >>> 2) + R_MAP] + 200] = 1),
      (slab, _p, u32) => (slab.memory.u8[u32[(slab.root >>> 2) + R_TABLE] + 3] = 0),
      (slab, _p, u32) => (slab.memory.f64[(u32[(slab.root >>> 2) + R_STATS] >>> 3) + 0] += 1),
      (slab, _p, u32) => (u32[(slab.root >>> 2) + R_CLASS0 + 3 * CLASS_WORDS + C_PARTIAL] = 0), // a slab lost from its list
    ];
    for (const hurt of damage) {
      const slab = makeDefault();
      const ps = Array.from({ length: 10 }, () => allocOrThrow(slab, 32));
      slab.free(ps[3]);
      slab.free(ps[5]);
      slab.check();
      hurt(slab, ps[0], slab.memory.u32);
      throwsCode(() => slab.check(), "ERR_HEAP_CORRUPTED", hurt.toString());
    }
  });

  test("check() terminates on random bytes and throws nothing but ERR_HEAP_CORRUPTED", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), (writes) => {
        const slab = makeSmall();
        const ps = [];
        for (let i = 0; i < 60; i++) ps.push(allocOrThrow(slab, SMALL_SIZES[i % SMALL_SIZES.length]));
        for (let i = 0; i < 60; i += 3) slab.free(ps[i]);
        const u32 = slab.memory.u32;
        const targets = [slab.root >>> 2, slab.slabOf(ps[1]) >>> 2, slab.slabOf(ps[2]) >>> 2];
        for (const [at, v] of writes) u32[targets[at % 3] + ((at >>> 2) % 700)] = v % 3 === 0 ? v : v % 4096;
        try {
          slab.check();
        } catch (e) {
          assert.equal((e as { code?: string }).code, "ERR_HEAP_CORRUPTED", String(e));
        }
      }),
      { numRuns: 200 },
    );
  });
});

// The same contract through checked mode (red zones, poisoning, quarantine around the slab).
conformance({
  name: "checked(Slab)",
  // A quarantine smaller than one drawn block, so "everything freed is reusable" holds (as for checked(PagePool)).
  make: () => checked(makeDefault(), { quarantineBytes: 1024 }),
  drawSize: 2000,
  maxAlign: 1024,
  runs: 40,
  model: { maxSize: 3000 },
});
