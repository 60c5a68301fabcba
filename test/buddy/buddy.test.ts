import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Buddy, Memory, NULL, PagePool, allocOrThrow } from "../../src/index.js";
import { checked } from "../../src/debug/checked.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { runModel } from "../support/model.js";
import { opsArb } from "../support/arbitraries.js";
import { fill, intact } from "../support/fill.js";
import { ARENA_WORDS, A_BASE, A_META, B_NEXT, R_ARENA0, R_FREE0, R_HEAD0, R_NONEMPTY, R_STATS, bitmapBytes } from "../../src/buddy/layout.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const small = () => Buddy.create(PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 2 * MiB })), { minBlock: 16, maxBlock: 64 * KiB });

conformance({
  name: "Buddy (16 B .. 64 KiB)",
  make: small,
  maxSize: 64 * KiB,
  drawSize: 4096,
  maxAlign: 64 * KiB,
  model: { maxSize: 20 * KiB, edges: [15, 16, 17, 31, 32, 33, 447, 448, 511, 512, 513, 4096, 4097] },
});

conformance({
  name: "Buddy (defaults over a Memory)",
  make: () => Buddy.create(Memory.create({ initial: 64 * KiB, maximum: 16 * MiB })),
  maxSize: MiB,
  drawSize: 128 * KiB,
  maxAlign: MiB,
  runs: 40,
  model: { maxSize: 300 * KiB, edges: [32, 33, 4096, 65536, 65537] },
});

// Above 2 GiB: every pointer has bit 31 set (see the page pool's tests).
conformance({
  name: "Buddy above 2 GiB",
  make: () => Buddy.create(PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 32 * MiB })), { minBlock: 16, maxBlock: 2 * MiB }),
  maxSize: 2 * MiB,
  drawSize: 256 * KiB,
  maxAlign: 2 * MiB,
  runs: 30,
  model: { maxSize: 100 * KiB, edges: [16, 17, 4096] },
});

describe("Buddy", () => {
  test("a request gets the smallest power of two that holds it, aligned to its size", () => {
    const b = small();
    for (let s = 0; s <= 5000; s += s < 600 ? 1 : 37) {
      const want = Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(s, 1))));
      const p = allocOrThrow(b, s);
      assert.equal(b.usableSize(p), want, `size ${s}`);
      assert.equal((p - b.memory.u32[(b.root >>> 2) + R_ARENA0 + A_BASE]) % want, 0);
      b.free(p);
    }
    b.check();
    assert.equal(b.stats().classes[12].freeBlocks, 1, "everything coalesced back into one 64 KiB block");
  });

  test("layout: the root, the first arena and its bitmaps are pinned", () => {
    const b = small();
    const p = allocOrThrow(b, 16);
    const regions = b.mapRegions();
    const arena = regions.find((r) => r.role === "buddy arena")!;
    assert.equal(p, arena.start, "the first block is the arena's first byte");
    assert.equal(arena.start % (64 * KiB), 0, "arenas are aligned to maxBlock");
    assert.equal(regions.find((r) => r.role === "buddy bitmaps")!.bytes, 2 * bitmapBytes(12)); // 2 × 2^13 bits = 2 KiB
    assert.equal(bitmapBytes(12), 1024);
    assert.equal(regions[0].role, "buddy root");
  });

  test("splitting leaves one free block per order below; freeing coalesces them all", () => {
    const b = small();
    const p = allocOrThrow(b, 16);
    const st = b.stats();
    for (let k = 0; k < 12; k++) assert.equal(st.classes[k].freeBlocks, 1, `order ${k}`);
    assert.equal(st.classes[12].freeBlocks, 0);
    const q = allocOrThrow(b, 16);
    assert.equal(q, p + 16, "the buddy is taken next");
    b.free(p);
    b.check();
    b.free(q);
    b.check();
    const after = b.stats();
    for (let k = 0; k < 12; k++) assert.equal(after.classes[k].freeBlocks, 0);
    assert.equal(after.classes[12].freeBlocks, 1);
  });

  test("448-byte blocks take 512: the binary-bal pattern's internal waste", () => {
    const b = small();
    const p = allocOrThrow(b, 448);
    assert.equal(b.usableSize(p), 512);
    assert.equal(b.stats().liveBytes.current, 512);
  });

  test("arenas: added when one runs out, given back when wholly free, all of them by shrink()", () => {
    const b = small();
    const pool = b.pages;
    const ps = Array.from({ length: 5 }, () => allocOrThrow(b, 40 * KiB)); // 64 KiB each: five arenas
    assert.equal(b.arenas, 5);
    const peak = pool.stats().liveBytes.current;
    for (const p of ps) b.free(p);
    b.check();
    assert.equal(b.arenas, 1, "wholly free arenas go back but the last");
    assert.ok(pool.stats().liveBytes.current < peak / 3);
    assert.ok(b.shrink() > 0);
    assert.equal(b.arenas, 0);
    b.check();
    assert.ok(b.stats().footprintBytes.current <= 4096, "only the root run is left");
    assert.notEqual(b.alloc(100), NULL, "a new arena after shrink");
    b.check();
  });

  test("resize: shrink splits in place, grow takes free buddies in place, else refuses", () => {
    const b = small();
    const p = allocOrThrow(b, 4096);
    fill(b.memory.u8, p, 1000, 3);
    assert.equal(b.resize(p, 1000), true);
    assert.equal(b.usableSize(p), 1024);
    b.check();
    assert.equal(b.resize(p, 8192), true, "its buddies are free: grows in place");
    assert.equal(b.usableSize(p), 8192);
    assert.ok(intact(b.memory.u8, p, 1000, 3));
    b.check();
    const q = allocOrThrow(b, 8192); // the buddy of p's 8 KiB block
    assert.equal(q, p + 8192);
    assert.equal(b.resize(p, 16384), false, "the buddy is in use");
    assert.equal(b.resize(q, 16384), false, "an upper half cannot grow in place");
    assert.equal(b.resize(p, 8000), true);
    throwsCode(() => b.resize(p, 64 * KiB + 1), "ERR_HEAP_INVALID_SIZE");
    b.check();
  });

  test("misuse: interior, free, foreign and freed-arena pointers; the allocator stays valid", () => {
    const b = small();
    const p = allocOrThrow(b, 256);
    const q = allocOrThrow(b, 256);
    throwsCode(() => b.free(p + 16), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => b.free(p + 128), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => b.free(q + 256), "ERR_HEAP_DOUBLE_FREE"); // the start of a free block (the split remainder): as a second free would be
    throwsCode(() => b.free(q + 256 + 16), "ERR_HEAP_INVALID_POINTER"); // inside a free block
    throwsCode(() => b.free(allocOrThrow(b.pages, 4096)), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => b.free(b.root), "ERR_HEAP_INVALID_POINTER");
    b.free(p);
    throwsCode(() => b.free(p), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => b.usableSize(p), "ERR_HEAP_INVALID_POINTER");
    b.free(q); // the arena is wholly free again: a second free finds one free block
    throwsCode(() => b.free(q), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => b.free(p), "ERR_HEAP_DOUBLE_FREE"); // p is the arena's start: the whole free arena
    stillUsable(b);
    throwsCode(() => b.alignedAlloc(8, 48), "ERR_HEAP_INVALID_ALIGNMENT");
  });

  test("alignedAlloc beyond the arena alignment answers 0; options are validated; attach shares the allocator", () => {
    const b = small();
    assert.equal(b.alignedAlloc(8, 128 * KiB), NULL);
    const p = b.alignedAlloc(100, 4096);
    assert.equal(p % 4096, 0);
    const pages = () => PagePool.create(Memory.create({ maximum: 8 * MiB }));
    for (const o of [{ minBlock: 4 }, { minBlock: 24 }, { maxBlock: 8 }, { maxBlock: 2 ** 31 }, { minBlock: 8, maxBlock: 2 ** 30 }]) {
      throwsCode(() => Buddy.create(pages(), o), "ERR_HEAP_INVALID_OPTION");
    }
    const other = Buddy.attach(b.pages, b.root);
    assert.equal(other.usableSize(p), 4096);
    other.free(p);
    throwsCode(() => b.free(p), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => Buddy.attach(b.pages, b.root + 8), "ERR_HEAP_BAD_FORMAT");
    b.check();
  });

  test("mapRegions: the root, each arena with its used bytes, and its bitmaps", () => {
    const b = small();
    allocOrThrow(b, 100);
    allocOrThrow(b, 40 * KiB);
    allocOrThrow(b, 40 * KiB);
    const arenas = b.mapRegions().filter((r) => r.role === "buddy arena");
    assert.equal(arenas.length, 3, "the 128 B block keeps the first arena from holding a 64 KiB block");
    assert.equal(arenas.reduce((n, r) => n + r.usedBytes, 0), 128 + 2 * 64 * KiB);
    assert.equal(b.mapRegions().filter((r) => r.role === "buddy bitmaps").length, 3);
  });

  test("a saved image re-opens with its blocks", () => {
    const b = small();
    const p = allocOrThrow(b, 3000);
    fill(b.memory.u8, p, 3000, 8);
    const again = Buddy.attach(PagePool.attach(Memory.attach(b.memory.save())), b.root);
    again.check();
    assert.ok(intact(again.memory.u8, p, 3000, 8));
    again.free(p);
    again.check();
  });

  test("exhaustive over small orders: every pair of sizes alloc/free/realloc leaves a valid heap", () => {
    const b = Buddy.create(PagePool.create(Memory.create({ maximum: 2 * MiB })), { minBlock: 8, maxBlock: 1024 });
    for (let x = 0; x <= 260; x += 3) {
      for (let y = 0; y <= 260; y += 7) {
        const p = allocOrThrow(b, x);
        const q = allocOrThrow(b, y);
        b.free(p);
        const r = allocOrThrow(b, y);
        b.free(q);
        b.free(r);
      }
    }
    b.check();
    assert.equal(b.stats().liveBlocks.current, 0);
  });

  test("model: long sequences with resizes, check() after every step", () => {
    fc.assert(
      fc.property(opsArb(3000, [16, 17, 1024, 1025], { alloc: 5, free: 4, resize: 3, aligned: 1, realloc: 1 }, 4096, 300), (seq) => runModel(small(), seq)),
      { numRuns: 60 },
    );
  });

  test("check() catches damage to bitmaps, lists, counts and stats", () => {
    const meta = (b: Buddy) => b.memory.u32[(b.root >>> 2) + R_ARENA0 + A_META] >>> 2;
    const words = bitmapBytes(12) / 4;
    const damage: ((b: Buddy, p: number) => void)[] = [
      (b) => (b.memory.u32[meta(b)] ^= 1 << 1), // the root node unsplit
      (b) => (b.memory.u32[meta(b) + words + 100] ^= 1 << 5), // a free bit inside a used area
      (b) => (b.memory.u32[meta(b) + words] ^= 1 << 2), // a split node marked free
      (b) => (b.memory.u32[(b.root >>> 2) + R_NONEMPTY] ^= 1 << 3),
      (b) => (b.memory.u32[(b.root >>> 2) + R_FREE0 + 1] += 1),
      (b) => {
        const h = b.memory.u32[(b.root >>> 2) + R_HEAD0 + 5];
        b.memory.u32[(h >>> 2) + B_NEXT] = h; // a cycle
      },
      (b) => (b.memory.u32[(b.root >>> 2) + R_HEAD0 + 5] = 0), // a free block lost from its list
      (b) => (b.memory.f64[b.memory.u32[(b.root >>> 2) + R_STATS] >>> 3] += 1),
      (b) => (b.memory.u32[(b.root >>> 2) + R_ARENA0 + ARENA_WORDS + A_BASE] = 64), // a second, bogus arena entry
    ];
    for (const hurt of damage) {
      const b = small();
      const ps = [16, 100, 3000, 16].map((s) => allocOrThrow(b, s));
      b.free(ps[1]);
      b.check();
      hurt(b, ps[0]);
      if (hurt === damage[damage.length - 1]) b.memory.u32[(b.root >>> 2) + 4] += 1; // R_ARENAS
      throwsCode(() => b.check(), "ERR_HEAP_CORRUPTED", hurt.toString());
    }
  });

  test("check() terminates on random bytes and throws nothing but ERR_HEAP_CORRUPTED", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), (writes) => {
        const b = small();
        const ps = [];
        for (let i = 0; i < 40; i++) ps.push(allocOrThrow(b, 16 << (i % 9)));
        for (let i = 0; i < 40; i += 3) b.free(ps[i]);
        const u32 = b.memory.u32;
        const targets = [b.root >>> 2, b.memory.u32[(b.root >>> 2) + R_ARENA0 + A_META] >>> 2, ps[1] >>> 2];
        for (const [at, v] of writes) u32[targets[at % 3] + ((at >>> 2) % 400)] = v % 3 === 0 ? v : v % 64;
        try {
          b.check();
        } catch (e) {
          assert.equal((e as { code?: string }).code, "ERR_HEAP_CORRUPTED", String(e));
        }
      }),
      { numRuns: 200 },
    );
  });
});

// The same contract through checked mode (red zones, poisoning, quarantine around the buddy).
conformance({
  name: "checked(Buddy)",
  make: () => checked(small(), { quarantineBytes: 4096 }),
  drawSize: 4096,
  maxAlign: 4096,
  runs: 40,
  model: { maxSize: 20000 },
});
