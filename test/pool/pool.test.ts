import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CorruptionError, HeapError, Memory, NULL, PagePool, Pool, allocOrThrow, type Ptr } from "../../src/index.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { fill, firstDamaged } from "../support/fill.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const pages = (maximum = 4 * MiB) => PagePool.create(Memory.create({ initial: 256 * KiB, maximum }));
const above2G = () => PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 32 * MiB }));

for (const [size, align] of [
  [24, 8],
  [240, 16],
  [8305, 8],
  [100, 64],
]) {
  conformance({
    name: `Pool (${size} B, align ${align})`,
    make: () => Pool.create(pages(), { size, align }),
    maxSize: Math.ceil(size / align) * align,
    drawSize: size,
    maxAlign: align,
    model: { maxSize: size },
  });
}

conformance({
  name: "Pool above 2 GiB",
  make: () => Pool.create(above2G(), { size: 240 }),
  maxSize: 240,
  drawSize: 240,
  maxAlign: 8,
  runs: 40,
  model: { maxSize: 240 },
});

// ── the reference model: alloc / free / batches / reset ──────────────────────────────────────

type POp =
  | { op: "alloc" }
  | { op: "free"; pick: number }
  | { op: "allocMany"; n: number }
  | { op: "freeMany"; n: number; pick: number }
  | { op: "doubleFree"; pick: number }
  | { op: "reset" };

const pOpsArb: fc.Arbitrary<POp[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.constant({ op: "alloc" } as POp) },
    { weight: 4, arbitrary: fc.nat({ max: 1 << 20 }).map((pick) => ({ op: "free", pick }) as POp) },
    { weight: 2, arbitrary: fc.nat({ max: 300 }).map((n) => ({ op: "allocMany", n }) as POp) },
    { weight: 2, arbitrary: fc.record({ n: fc.nat({ max: 300 }), pick: fc.nat({ max: 1 << 20 }) }).map((r) => ({ op: "freeMany", ...r }) as POp) },
    { weight: 1, arbitrary: fc.nat({ max: 1 << 20 }).map((pick) => ({ op: "doubleFree", pick }) as POp) },
    { weight: 1, arbitrary: fc.constant({ op: "reset" } as POp) },
  ),
  { maxLength: 120 },
);

function runPoolModel(pool: Pool, seq: readonly POp[]): void {
  const size = pool.blockSize;
  const live = new Map<Ptr, number>(); // pointer → fill seed
  const freed: Ptr[] = [];
  let seed = 0;
  const u8 = () => pool.memory.u8;
  let allocs = 0;
  let frees = 0;
  let peak = 0;
  const adopt = (p: Ptr) => {
    assert.ok(!live.has(p), `block ${p} handed out twice`);
    assert.equal(p % 8, 0);
    assert.equal(pool.usableSize(p), size);
    live.set(p, ++seed);
    fill(u8(), p, size, seed);
    allocs++;
  };
  const release = (p: Ptr) => {
    assert.equal(firstDamaged(u8(), p, size, live.get(p)!), -1, `block ${p} damaged`);
    live.delete(p);
    freed.push(p);
    frees++;
  };
  for (const s of seq) {
    const ptrs = [...live.keys()];
    switch (s.op) {
      case "alloc": {
        const p = pool.alloc(size);
        if (p !== NULL) {
          const expectLifo = freed.length > 0 && !live.has(freed[freed.length - 1]) ? freed[freed.length - 1] : -1;
          adopt(p);
          if (expectLifo >= 0) assert.equal(p, expectLifo, "a freed block was not reused LIFO");
          freed.pop();
        }
        break;
      }
      case "free": {
        if (ptrs.length === 0) break;
        const p = ptrs[s.pick % ptrs.length];
        release(p);
        pool.free(p);
        break;
      }
      case "allocMany": {
        const out = new Uint32Array(s.n);
        const got = pool.allocMany(s.n, out);
        for (let k = 0; k < got; k++) adopt(out[k]);
        freed.length = 0;
        break;
      }
      case "freeMany": {
        const n = Math.min(s.n, ptrs.length);
        const batch = ptrs.slice(0, n);
        for (const p of batch) release(p);
        pool.freeMany(batch, n);
        break;
      }
      case "doubleFree": {
        if (freed.length === 0) break;
        const p = freed[s.pick % freed.length];
        if (live.has(p)) break;
        throwsCode(() => pool.free(p), "ERR_HEAP_DOUBLE_FREE");
        throwsCode(() => pool.usableSize(p), "ERR_HEAP_INVALID_POINTER");
        break;
      }
      case "reset": {
        for (const p of ptrs) release(p);
        pool.reset();
        freed.length = 0;
        break;
      }
    }
    pool.check();
    const st = pool.stats();
    peak = Math.max(peak, live.size); // within a step the count moves one way only
    assert.deepEqual([st.liveBlocks.current, st.liveBlocks.peak, st.allocs, st.frees], [live.size, peak, allocs, frees]);
  }
  for (const [p, sd] of live) assert.equal(firstDamaged(u8(), p, size, sd), -1);
  const pp = pool.pages;
  pool.destroy();
  pp.check();
  assert.equal(pp.stats().liveBlocks.current, 0, "destroy left page runs behind");
}

describe("Pool", () => {
  for (const [name, make] of [
    ["24 B", () => Pool.create(pages(), { size: 24 })],
    ["240 B align 16", () => Pool.create(pages(), { size: 240, align: 16 })],
    ["8305 B", () => Pool.create(pages(8 * MiB), { size: 8305 })],
    ["24 B above 2 GiB", () => Pool.create(above2G(), { size: 24 })],
    ["40 B in a 128 KiB memory (runs out)", () => Pool.create(PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 128 * KiB }), { classes: [4096, 65536] }), { size: 40 })],
  ] as const) {
    test(`matches the reference model (alloc, free, batches, reset): ${name}`, () => {
      fc.assert(
        fc.property(pOpsArb, (seq) => runPoolModel(make(), seq)),
        { numRuns: 60 },
      );
    });
  }

  test("a freed block is handed out next (LIFO), and a pool reuses all of its blocks", () => {
    const pool = Pool.create(pages(), { size: 24 });
    const a = allocOrThrow(pool, 24);
    const b = allocOrThrow(pool, 24);
    pool.free(a);
    pool.free(b);
    assert.equal(pool.alloc(24), b);
    assert.equal(pool.alloc(0), a);
    assert.equal(pool.allocBlock() % 8, 0);
    pool.check();
  });

  test("every misuse is an exact error, and the pool stays valid", () => {
    const pp = pages();
    const pool = Pool.create(pp, { size: 24 });
    const other = Pool.create(pp, { size: 24 });
    const p = allocOrThrow(pool, 24);
    const q = allocOrThrow(other, 24);
    const never = p + 24 * 10; // on the grid, not handed out yet
    for (const bad of [p + 8, p + 4, q, never, pool.root, other.root, 8, 2 ** 32 - 8, -24, 1.5, NaN, "8"]) {
      throwsCode(() => pool.free(bad as number), "ERR_HEAP_INVALID_POINTER", `free(${String(bad)})`);
      throwsCode(() => pool.usableSize(bad as number), "ERR_HEAP_INVALID_POINTER", `usableSize(${String(bad)})`);
    }
    assert.equal(pool.owns(p), true);
    for (const bad of [p + 8, q, never + 24 * 10_000, NaN, -8]) assert.equal(pool.owns(bad), false, `owns(${bad})`);
    pool.free(p);
    assert.equal(pool.owns(p), true, "a free block start is still the pool's");
    throwsCode(() => pool.free(p), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => pool.resize(p, 8), "ERR_HEAP_INVALID_POINTER");
    throwsCode(() => pool.alloc(25), "ERR_HEAP_INVALID_SIZE");
    throwsCode(() => pool.freeMany([q], 2), "ERR_HEAP_INVALID_SIZE");
    throwsCode(() => pool.allocMany(3, [0, 0]), "ERR_HEAP_INVALID_SIZE");
    assert.equal(pool.alignedAlloc(8, 64), NULL, "a pool cannot align beyond its blocks");
    throwsCode(() => pool.alignedAlloc(8, 12), "ERR_HEAP_INVALID_ALIGNMENT");
    stillUsable(pool);
    other.check();
    for (const o of [{ size: -1 }, { size: 1e9 }, { size: 8, align: 4 }, { size: 8, align: 3 }, { size: 8, align: 8192 }, undefined]) {
      throwsCode(() => Pool.create(pp, o as never), "ERR_HEAP_INVALID_OPTION");
    }
  });

  test("batches: allocMany stops at the memory's end and reports the count; freeMany gives them back", () => {
    const pool = Pool.create(PagePool.create(Memory.create({ initial: 64 * KiB, maximum: 256 * KiB })), { size: 100 });
    const out = new Uint32Array(10_000);
    const got = pool.allocMany(10_000, out);
    assert.ok(got > 100 && got < 10_000, `got ${got}`);
    assert.equal(pool.alloc(100), NULL);
    pool.check();
    pool.freeMany(out, got);
    assert.equal(pool.stats().liveBlocks.current, 0);
    assert.equal(pool.allocMany(got, out), got);
    pool.check();
  });

  test("a segment wastes at most 1/64 of its bytes on its header and tail, beside the live map", () => {
    // Seen from outside: the blocks of one segment are consecutive, and within a run the next
    // segment's first block is one segment size further on (the smallest such step).
    for (const size of [8, 24, 100, 128, 200, 240, 300, 1000, 2000, 8305]) {
      const pool = Pool.create(pages(8 * MiB), { size });
      const block = pool.blockSize;
      const ptrs: number[] = [];
      for (let i = 0; i < 6 * Math.ceil(65536 / block) + 100; i++) ptrs.push(allocOrThrow(pool, size));
      const firsts = [0];
      for (let k = 1; k < ptrs.length; k++) if (ptrs[k] !== ptrs[k - 1] + block) firsts.push(k);
      const steps = firsts.slice(1, -1).map((f, j) => ptrs[firsts[j + 2]] - ptrs[f]); // from the 2nd segment: the 1st holds the root
      const seg = Math.min(...steps.filter((d) => d > 0));
      assert.ok(seg >= 4096 && (seg & (seg - 1)) === 0, `${size} B: segment step ${seg}`);
      for (let j = 0; j < steps.length; j++) {
        if (steps[j] !== seg) continue; // the last segment of a run
        const count = firsts[j + 2] - firsts[j + 1];
        const waste = seg - count * block - Math.ceil(count / 64) * 8;
        assert.ok(count >= 32, `${size} B: ${count} blocks in a segment`);
        assert.ok(waste * 64 <= seg || seg >= 65536, `${size} B: a ${seg} B segment wastes ${waste} B`);
      }
      pool.check();
    }
  });

  test("reset keeps the first run; runs grow through whole page classes", () => {
    const pp = pages(8 * MiB);
    const pool = Pool.create(pp, { size: 24 });
    assert.equal(pool.stats().footprintBytes.current, 4 * KiB);
    for (let i = 0; i < 200; i++) allocOrThrow(pool, 24); // more than one 4 KiB segment holds
    assert.equal(pool.stats().footprintBytes.current, 4 * KiB + 64 * KiB);
    pool.reset();
    assert.equal(pool.stats().footprintBytes.current, 4 * KiB);
    assert.equal(pool.stats().liveBlocks.current, 0);
    pool.check();
    pp.check();
  });

  test("destroy gives everything back; any later use throws ERR_HEAP_INVALID_STATE, through any handle", () => {
    const pp = pages();
    const live0 = pp.stats().liveBlocks.current;
    const pool = Pool.create(pp, { size: 64 });
    const p = allocOrThrow(pool, 64);
    let last = p;
    for (let i = 0; i < 500; i++) last = allocOrThrow(pool, 64);
    const other = Pool.attach(pp, pool.root);
    pool.destroy();
    assert.equal(pp.stats().liveBlocks.current, live0);
    pp.check();
    for (const h of [pool, other]) {
      for (const f of [() => h.alloc(8), () => h.free(p), () => h.free(last), () => h.reset(), () => h.destroy(), () => h.stats(), () => h.check(), () => h.usableSize(p)]) {
        throwsCode(f, "ERR_HEAP_INVALID_STATE");
      }
    }
    assert.throws(() => Pool.attach(pp, pool.root), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_BAD_FORMAT");
  });

  test("create(pages, options, into) re-points a destroyed handle at the new pool; a live or foreign handle is refused", () => {
    const pp = pages();
    const first = Pool.create(pp, { size: 64 });
    const p = allocOrThrow(first, 64);
    first.destroy();
    const again = Pool.create(pp, { size: 240 }, first);
    assert.equal(again, first, "the same handle object comes back");
    assert.ok(again.alive);
    assert.equal(again.blockSize, 240, "it describes the new pool");
    const q = allocOrThrow(again, 240);
    throwsCode(() => again.free(q + 8), "ERR_HEAP_INVALID_POINTER");
    again.free(q);
    throwsCode(() => again.free(q), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => Pool.create(pp, { size: 8 }, again), "ERR_HEAP_INVALID_STATE"); // still alive
    const elsewhere = Pool.create(pages(), { size: 8 });
    elsewhere.destroy();
    throwsCode(() => Pool.create(pp, { size: 8 }, elsewhere), "ERR_HEAP_INVALID_STATE"); // another page pool
    assert.notEqual(p, NULL);
    stillUsable(again);
    again.destroy();
    throwsCode(() => again.alloc(8), "ERR_HEAP_INVALID_STATE");
    pp.check();
  });

  test("a second handle made by attach sees the same pool", () => {
    const pp = pages();
    const pool = Pool.create(pp, { size: 32 });
    const p = allocOrThrow(pool, 32);
    const h = Pool.attach(PagePool.attach(pp.memory), pool.root);
    h.free(p);
    throwsCode(() => pool.free(p), "ERR_HEAP_DOUBLE_FREE");
    assert.equal(pool.alloc(32), p);
    pool.check();
  });

  test("check() names broken invariants, and terminates on random bytes without throwing anything else", () => {
    const corrupt = (f: (u32: Uint32Array, pool: Pool, ps: number[]) => void) => {
      const pool = Pool.create(pages(), { size: 24 });
      const ps = Array.from({ length: 300 }, () => allocOrThrow(pool, 24));
      for (let i = 0; i < 300; i += 3) pool.free(ps[i]);
      f(pool.memory.u32, pool, ps);
      assert.throws(() => pool.check(), CorruptionError);
    };
    const w = (pool: Pool) => pool.root >>> 2;
    corrupt((u32, pool) => (u32[u32[w(pool) + 6] >>> 2] = u32[w(pool) + 6])); // free list cycle
    corrupt((u32, pool) => (u32[w(pool) + 6] = 0)); // free list lost
    corrupt((u32, pool) => (u32[(u32[w(pool) + 6] >>> 2) + 1] += 1)); // a free block's index word
    corrupt((u32, pool) => (u32[w(pool) + 9] += 1)); // bump index
    corrupt((u32, pool) => (u32[w(pool) + 16] += 1)); // segment count
    corrupt((u32, pool) => (u32[w(pool) + 12] = u32[w(pool) + 13] + 8)); // run list
    corrupt((u32, _pool, ps) => (u32[((ps[1] & -4096) >>> 2) + 8] ^= 1)); // a live bit
    corrupt((u32, pool) => (pool.memory.f64[(u32[w(pool) + 17] >>> 3) + 8] += 1e6)); // allocs
    corrupt((u32, pool) => (u32[w(pool) + 18] += 1)); // live count
    corrupt((u32, pool) => (u32[w(pool) + 20] = 0x4000_0000)); // frees not folded
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 30 }), fc.nat()), { minLength: 1, maxLength: 8 }), (writes) => {
        const pool = Pool.create(pages(), { size: 24 });
        const ps = Array.from({ length: 200 }, () => allocOrThrow(pool, 24));
        for (let i = 0; i < 200; i += 2) pool.free(ps[i]);
        const u32 = pool.memory.u32;
        for (const [word, value] of writes) u32[(pool.root >>> 2) + word] = value;
        try {
          pool.check();
        } catch (e) {
          if (!(e instanceof CorruptionError) && !(e instanceof HeapError && e.code === "ERR_HEAP_INVALID_STATE")) throw e;
        }
      }),
      { numRuns: 200 },
    );
  });
});
