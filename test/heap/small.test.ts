// Small sizes: slab pages per size class, and classes that adapt to the request histogram.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Heap, allocOrThrow } from "../../src/index.js";
import { SMALL_MAX } from "../../src/heap/layout.js";
import { BASE_CLASSES } from "../../src/heap/small.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { fill, intact } from "../support/fill.js";

const MiB = 1 << 20;
const make = (adaptiveClasses = true) => Heap.create({ initial: 1 << 16, maximum: 16 * MiB, small: true, adaptiveClasses });

conformance({
  name: "Heap (small sizes only)",
  make,
  drawSize: SMALL_MAX,
  maxAlign: 2 * MiB,
  model: { maxSize: SMALL_MAX, edges: [...BASE_CLASSES, ...BASE_CLASSES.map((c) => c + 1)], maxAlign: 64 },
  runs: 30,
});

conformance({
  name: "Heap (small sizes on, all sizes)",
  make,
  drawSize: 3000,
  maxAlign: 2 * MiB,
  model: { maxSize: 3 * MiB, edges: [8, 9, 128, 129, 136, 248, 4096, (1 << 20) - 1, 1 << 20], maxAlign: 64 * 1024 },
  runs: 25,
});

conformance({
  name: 'Heap (small: "slab", the Slab layer)',
  make: () => Heap.create({ initial: 1 << 16, maximum: 16 * MiB, small: "slab" }),
  drawSize: 3000,
  maxAlign: 2 * MiB,
  model: { maxSize: 3 * MiB, edges: [8, 9, 64, 65, 128, 129, 136, 4096, 1 << 20], maxAlign: 64 * 1024 },
  runs: 20,
});

describe("Heap: small sizes", () => {
  test('small: "slab" routes small sizes through the Slab layer, and attach finds it', () => {
    const h = Heap.create({ maximum: 16 * MiB, small: "slab" });
    const p = allocOrThrow(h, 40);
    assert.notEqual(h.slab!.slabOf(p), 0);
    assert.equal(h.usableSize(p), 40);
    const q = allocOrThrow(h, 400);
    assert.equal(h.slab!.slabOf(q), 0);
    const again = Heap.attach(h.memory);
    again.free(p);
    throwsCode(() => h.free(p), "ERR_HEAP_DOUBLE_FREE");
    h.free(q);
    h.check();
    assert.equal(h.stats().liveBlocks.current, 0);
  });

  test("off by default; small: true turns the slab pages on", () => {
    const off = Heap.create({ maximum: 16 * MiB });
    assert.equal(off.sizeClasses().classes.length, 0);
    assert.ok(make().sizeClasses().classes.length >= BASE_CLASSES.length);
  });

  test("slots of a class share a page, carry no header, and are reused LIFO", () => {
    const h = make(false);
    const a = allocOrThrow(h, 24);
    const b = allocOrThrow(h, 24);
    assert.equal(b - a, 24, "no header between slots");
    assert.equal(h.usableSize(a), 24);
    assert.equal(h.usableSize(allocOrThrow(h, 33)), 48);
    h.free(a);
    assert.equal(allocOrThrow(h, 20), a);
    h.check();
  });

  test("misuse of a slot: interior pointers, double frees, slots never handed out", () => {
    const h = make();
    const a = allocOrThrow(h, 32);
    const b = allocOrThrow(h, 32);
    throwsCode(() => h.free(a + 8), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => h.free(b + 32 * 5), "ERR_HEAP_INVALID_POINTER");
    h.free(a);
    throwsCode(() => h.free(a), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.usableSize(a), "ERR_HEAP_DOUBLE_FREE");
    stillUsable(h);
    h.free(b);
  });

  test("an overrun into a free slot's link is caught by check()", () => {
    const h = make();
    const a = allocOrThrow(h, 32);
    const b = allocOrThrow(h, 32);
    allocOrThrow(h, 32);
    h.free(b);
    h.check();
    h.u8[a + 32] ^= 0x5a;
    throwsCode(() => h.check(), "ERR_HEAP_CORRUPTED");
    h.u8[a + 32] ^= 0x5a;
    h.check();
  });

  test("full pages, pages with room first, empty pages back to the page pool", () => {
    const h = make(false);
    const start = h.stats().footprintBytes.current;
    const ps = Array.from({ length: 3000 }, (_, i) => allocOrThrow(h, 64 + (i % 2)));
    ps.forEach((p, i) => fill(h.u8, p, 64, i));
    h.check();
    for (let i = 0; i < ps.length; i += 2) h.free(ps[i]);
    h.check();
    for (let i = 0; i < ps.length; i += 2) ps[i] = allocOrThrow(h, 64);
    for (let i = 1; i < ps.length; i += 2) assert.ok(intact(h.u8, ps[i], 64, i));
    for (const p of ps) h.free(p);
    h.check();
    h.trim();
    assert.equal(h.stats().footprintBytes.current, start);
  });

  test("a common size that its class wastes adds an exact class, and waste drops", () => {
    const waste = (adaptive: boolean): [number, number] => {
      const h = make(adaptive);
      const ps: number[] = [];
      for (let i = 0; i < 5000; i++) ps.push(allocOrThrow(h, i % 10 === 0 ? 20 : 36)); // 36 → class 48 wastes 25 %
      const st = h.stats();
      const used = st.classes.reduce((n, c) => n + c.liveBlocks * c.size, 0);
      const asked = 500 * 20 + 4500 * 36;
      h.check();
      for (const p of ps) h.free(p);
      h.check();
      return [1 - asked / used, h.sizeClasses().adapted];
    };
    const [before, none] = waste(false);
    const [after, added] = waste(true);
    assert.equal(none, 0);
    assert.ok(added >= 1, "no class was added");
    assert.ok(after < before / 2, `internal waste ${after} not well below ${before}`);
  });
});
