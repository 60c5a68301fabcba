import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CorruptionError, HeapError, Memory, NULL, PagePool, Region, allocOrThrow, realloc, type Ptr } from "../../src/index.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { fill, firstDamaged } from "../support/fill.js";
import { sizeArb } from "../support/arbitraries.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const pool = (maximum = 8 * MiB) => PagePool.create(Memory.create({ initial: 256 * KiB, maximum }));
const above2G = () => PagePool.create(Memory.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 32 * MiB }));

// A region's free of a block that is not the most recent one is a documented no-op for memory
// (the bytes stay used until release/reset), so freed blocks are not reused in general.
const regionSubject = { detectsDoubleFree: true, reusesFreed: false, maxAlign: 64 * KiB, drawSize: 3000 } as const;

conformance({
  name: "Region (exponential chunks)",
  make: () => Region.create(pool()),
  ...regionSubject,
  model: { maxSize: 40 * KiB, edges: [4096, 16 * KiB, 16 * KiB + 1] },
});

conformance({
  name: "Region (fixed 4 KiB chunks, 1 KiB large threshold)",
  make: () => Region.create(pool(), { growth: "fixed", chunkSize: 4 * KiB, largeSize: 1024 }),
  ...regionSubject,
  model: { maxSize: 6 * KiB, edges: [1023, 1024, 1025, 3900] },
});

conformance({
  name: "Region child",
  make: () => Region.create(pool()).child(),
  ...regionSubject,
  model: { maxSize: 20 * KiB },
});

// Above 2 GiB: every pointer has bit 31 set, so a signed bitwise slip shows up as a negative offset.
conformance({
  name: "Region above 2 GiB",
  make: () => Region.create(above2G()),
  ...regionSubject,
  runs: 40,
  model: { maxSize: 40 * KiB, edges: [16 * KiB, 16 * KiB + 1] },
});

// ── the reference model: alloc / free / realloc / mark / release / reset / child / destroy ─────

type ROp =
  | { op: "alloc"; size: number }
  | { op: "aligned"; size: number; align: number }
  | { op: "free"; pick: number }
  | { op: "freeLast" }
  | { op: "realloc"; pick: number; size: number }
  | { op: "mark" }
  | { op: "release" }
  | { op: "badRelease"; pick: number }
  | { op: "reset" }
  | { op: "child" }
  | { op: "childAlloc"; pick: number; size: number }
  | { op: "childDestroy"; pick: number };

const rOpsArb = (maxSize: number): fc.Arbitrary<ROp[]> => {
  const size = sizeArb(maxSize, [16 * KiB, 16 * KiB + 1, 4000]);
  const pick = fc.nat({ max: 1 << 20 });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: size.map((s) => ({ op: "alloc", size: s }) as ROp) },
      { weight: 1, arbitrary: fc.record({ size, align: fc.constantFrom(16, 64, 4096, 8192) }).map((r) => ({ op: "aligned", ...r }) as ROp) },
      { weight: 3, arbitrary: pick.map((p) => ({ op: "free", pick: p }) as ROp) },
      { weight: 2, arbitrary: fc.constant({ op: "freeLast" } as ROp) },
      { weight: 2, arbitrary: fc.record({ pick, size }).map((r) => ({ op: "realloc", ...r }) as ROp) },
      { weight: 2, arbitrary: fc.constant({ op: "mark" } as ROp) },
      { weight: 2, arbitrary: fc.constant({ op: "release" } as ROp) },
      { weight: 1, arbitrary: pick.map((p) => ({ op: "badRelease", pick: p }) as ROp) },
      { weight: 1, arbitrary: fc.constant({ op: "reset" } as ROp) },
      { weight: 1, arbitrary: fc.constant({ op: "child" } as ROp) },
      { weight: 2, arbitrary: fc.record({ pick, size }).map((r) => ({ op: "childAlloc", ...r }) as ROp) },
      { weight: 1, arbitrary: pick.map((p) => ({ op: "childDestroy", pick: p }) as ROp) },
    ),
    { maxLength: 150 },
  );
};

interface MBlock {
  owner: Region;
  size: number;
  seed: number;
  serial: number;
}

function runRegionModel(make: () => Region, seq: readonly ROp[], largeMin = 16 * KiB): void {
  const region = make();
  const live = new Map<Ptr, MBlock>();
  const order: Ptr[] = []; // the top region's live blocks, oldest first
  const marks: { token: number; serial: number }[] = [];
  const dead: number[] = []; // released tokens
  const children: Region[] = [];
  let serial = 0;
  let seed = 0;
  const u8 = () => region.memory.u8;
  const verify = (p: Ptr, b: MBlock, when: string) => {
    const bad = firstDamaged(u8(), p, b.size, b.seed);
    assert.equal(bad, -1, `block ${p} (size ${b.size}) damaged at byte ${bad} ${when}`);
  };
  const adopt = (owner: Region, p: Ptr, size: number, align: number) => {
    assert.equal(p % align, 0, `pointer ${p} not aligned to ${align}`);
    assert.ok(owner.usableSize(p) >= size, "usableSize short");
    for (const [q, b] of live) assert.ok(p + Math.max(size, 1) <= q || q + Math.max(b.size, 1) <= p, `new block ${p}+${size} overlaps ${q}+${b.size}`);
    const b = { owner, size, seed: ++seed, serial: ++serial };
    fill(u8(), p, size, b.seed);
    live.set(p, b);
    if (owner === region) order.push(p);
  };
  const forget = (p: Ptr) => {
    const b = live.get(p)!;
    live.delete(p);
    if (b.owner === region) order.splice(order.indexOf(p), 1);
  };
  const dropOwner = (owner: Region) => {
    for (const [p, b] of [...live]) if (b.owner === owner) forget(p);
  };
  const liveOf = (owner: Region) => [...live.values()].filter((b) => b.owner === owner).length;

  for (const s of seq) {
    switch (s.op) {
      case "alloc": {
        const p = region.alloc(s.size);
        if (p !== NULL) adopt(region, p, s.size, 8);
        break;
      }
      case "aligned": {
        const p = region.alignedAlloc(s.size, s.align);
        if (p !== NULL) adopt(region, p, s.size, s.align);
        break;
      }
      case "free":
      case "freeLast": {
        if (order.length === 0) break;
        const p = s.op === "free" ? order[s.pick % order.length] : order[order.length - 1];
        const b = live.get(p)!;
        verify(p, b, "before free");
        region.free(p);
        forget(p);
        // A small block's second free is exact (block map, or the free-last record). A large
        // block's page went back to the page pool, which may reuse its header: either code.
        assert.throws(
          () => region.free(p),
          (e: unknown) => e instanceof HeapError && (e.code === "ERR_HEAP_DOUBLE_FREE" || (b.size > largeMin && e.code === "ERR_HEAP_INVALID_POINTER")),
        );
        break;
      }
      case "realloc": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        const b = live.get(p)!;
        const q = realloc(region, p, s.size);
        if (q === NULL) {
          verify(p, b, "after a failed realloc");
          break;
        }
        verify(q, { ...b, size: Math.min(b.size, s.size) }, "after realloc");
        forget(p);
        adopt(region, q, s.size, 8);
        if (q === p) live.get(q)!.serial = b.serial; // resized in place: still as old as it was, for release
        break;
      }
      case "mark": {
        const token = region.mark();
        if (token !== 0) marks.push({ token, serial });
        break;
      }
      case "release": {
        const m = marks.pop();
        if (m === undefined) {
          throwsCode(() => region.release(dead[0] ?? 12345), "ERR_HEAP_INVALID_MARK");
          break;
        }
        for (const p of order.filter((p) => live.get(p)!.serial > m.serial)) {
          verify(p, live.get(p)!, "before release");
          forget(p);
        }
        region.release(m.token);
        dead.push(m.token);
        break;
      }
      case "badRelease": {
        const candidates = [...dead, ...marks.slice(0, -1).map((m) => m.token)];
        if (candidates.length === 0) break;
        const token = candidates[s.pick % candidates.length];
        throwsCode(() => region.release(token), "ERR_HEAP_INVALID_MARK");
        break;
      }
      case "reset": {
        for (const p of order) verify(p, live.get(p)!, "before reset");
        for (const c of children) dropOwner(c);
        dropOwner(region);
        region.reset();
        for (const c of children) throwsCode(() => c.alloc(8), "ERR_HEAP_INVALID_STATE");
        children.length = 0;
        dead.push(...marks.map((m) => m.token));
        marks.length = 0;
        break;
      }
      case "child": {
        children.push(region.child());
        break;
      }
      case "childAlloc": {
        if (children.length === 0) break;
        const c = children[s.pick % children.length];
        const p = c.alloc(s.size);
        if (p !== NULL) adopt(c, p, s.size, 8);
        break;
      }
      case "childDestroy": {
        if (children.length === 0) break;
        const c = children.splice(s.pick % children.length, 1)[0];
        for (const [p, b] of live) if (b.owner === c) verify(p, b, "before child destroy");
        dropOwner(c);
        c.destroy();
        throwsCode(() => c.free(8), "ERR_HEAP_INVALID_STATE");
        break;
      }
    }
    region.check();
    assert.equal(region.stats().liveBlocks.current, liveOf(region), "liveBlocks disagrees with the model");
    assert.equal(region.marks, marks.length);
    for (const c of children) {
      c.check();
      assert.equal(c.stats().liveBlocks.current, liveOf(c));
    }
  }
  for (const [p, b] of live) verify(p, b, "at the end");
  region.destroy();
  const pages = region.pages;
  pages.check();
  assert.equal(pages.stats().liveBlocks.current, 0, "destroy left page runs behind");
}

describe("Region", () => {
  test("matches the reference model: alloc, free, realloc, mark/release, reset, children, destroy", () => {
    fc.assert(
      fc.property(rOpsArb(40 * KiB), (seq) => runRegionModel(() => Region.create(pool()), seq)),
      { numRuns: 150 },
    );
  });

  test("matches the reference model with fixed chunks and a small large threshold", () => {
    fc.assert(
      fc.property(rOpsArb(6 * KiB), (seq) => runRegionModel(() => Region.create(pool(), { growth: "fixed", largeSize: 2048 }), seq, 2048)),
      { numRuns: 100 },
    );
  });

  test("matches the reference model above 2 GiB", () => {
    fc.assert(
      fc.property(rOpsArb(40 * KiB), (seq) => runRegionModel(() => Region.create(above2G()), seq)),
      { numRuns: 40 },
    );
  });

  test("free-last gives the bytes back; grow-last and shrink-last are in place", () => {
    const r = Region.create(pool());
    const a = allocOrThrow(r, 24);
    const b = allocOrThrow(r, 24);
    r.free(b);
    assert.equal(allocOrThrow(r, 40), b, "free-last did not give its bytes back");
    assert.equal(r.usableSize(b), 40);
    assert.ok(r.resize(b, 1000));
    assert.equal(r.usableSize(b), 1000);
    assert.ok(r.resize(b, 8));
    assert.equal(allocOrThrow(r, 8), b + 8, "shrink-last did not give its tail back");
    assert.equal(r.usableSize(a), 24);
    r.check();
  });

  test("freeing a block that is not the last is a no-op for memory, counted in the stats", () => {
    const r = Region.create(pool());
    const a = allocOrThrow(r, 100);
    const b = allocOrThrow(r, 100);
    const before = r.stats();
    r.free(a);
    const after = r.stats();
    assert.equal(after.liveBlocks.current, before.liveBlocks.current - 1);
    assert.equal(after.liveBytes.current, before.liveBytes.current, "bytes of a non-last block stay used");
    assert.equal(after.frees, before.frees + 1);
    const c = allocOrThrow(r, 100);
    assert.ok(c > b, "a non-last free must not be reused");
    throwsCode(() => r.free(a), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => r.usableSize(a), "ERR_HEAP_INVALID_POINTER");
    assert.equal(r.resize(b, 104), true, "b grows within its extent");
    assert.equal(r.resize(b, 105), false);
    r.check();
  });

  test("usableSize of every block is its exact extent (exhaustive over small sizes and alignments)", () => {
    const r = Region.create(pool());
    for (let a = 0; a <= 72; a++) {
      for (let b = 0; b <= 72; b += 7) {
        for (const align of [8, 16, 64]) {
          const m = r.mark();
          const p = allocOrThrow(r, a);
          const q = r.alignedAlloc(b, align);
          allocOrThrow(r, 8);
          const round = (n: number) => Math.max(8, Math.ceil(n / 8) * 8);
          assert.equal(r.usableSize(p), q - p, `extent of ${a} before an aligned ${b}`);
          assert.ok(q - p >= round(a) && q - p < round(a) + align);
          assert.equal(r.usableSize(q), round(b), `extent of ${b} (align ${align})`);
          r.free(p);
          throwsCode(() => r.usableSize(p), "ERR_HEAP_INVALID_POINTER");
          r.release(m);
        }
      }
    }
    r.check();
  });

  test("allocs, frees, liveBlocks and requestedBytes (and their peaks) are exact across chunks, free-last, marks and stats reads", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ size: fc.nat({ max: 3000 }) }), fc.constantFrom("free-last", "stats", "mark", "check")), { maxLength: 300 }),
        (ops) => {
          const r = Region.create(pool());
          let allocs = 0;
          let frees = 0;
          let requested = 0;
          let last: { p: Ptr; size: number } | null = null;
          let peakLive = 0;
          let peakRequested = 0;
          let liveBytesSeen = 0;
          const expect = () => {
            const st = r.stats();
            assert.deepEqual(
              [st.allocs, st.frees, st.liveBlocks.current, st.liveBlocks.peak, st.requestedBytes.current, st.requestedBytes.peak],
              [allocs, frees, allocs - frees, peakLive, requested, peakRequested],
            );
            liveBytesSeen = Math.max(liveBytesSeen, st.liveBytes.current);
            assert.ok(st.liveBytes.peak >= liveBytesSeen, "liveBytes.peak below a liveBytes seen");
          };
          for (const op of ops) {
            if (typeof op === "object") {
              const p = allocOrThrow(r, op.size);
              allocs++;
              requested += op.size;
              last = { p, size: op.size };
              peakLive = Math.max(peakLive, allocs - frees);
              peakRequested = Math.max(peakRequested, requested);
            } else if (op === "free-last") {
              if (last === null) continue;
              r.free(last.p);
              frees++;
              requested -= last.size;
              last = null;
            } else if (op === "mark") {
              r.mark();
              last = null;
            } else if (op === "check") {
              r.check();
            } else {
              expect();
            }
          }
          r.check();
          expect();
          r.destroy();
        },
      ),
      { numRuns: 150 },
    );
  });

  test("a free-last between stats reads keeps the peaks it lowered from", () => {
    const r = Region.create(pool());
    allocOrThrow(r, 100);
    const b = allocOrThrow(r, 200);
    r.free(b);
    const st = r.stats();
    assert.deepEqual([st.liveBytes.current, st.liveBytes.peak], [104, 304]);
    assert.deepEqual([st.liveBlocks.current, st.liveBlocks.peak], [1, 2]);
    assert.deepEqual([st.requestedBytes.current, st.requestedBytes.peak], [100, 300]);
    r.check();
  });

  test("requestedBytes follows frees and releases, including large blocks older than a mark", () => {
    const r = Region.create(pool());
    const big = allocOrThrow(r, 100 * KiB);
    const m = r.mark();
    allocOrThrow(r, 10);
    assert.equal(r.stats().requestedBytes.current, 100 * KiB + 10);
    r.free(big);
    r.release(m);
    assert.equal(r.stats().requestedBytes.current, 0);
    assert.equal(r.stats().requestedBytes.peak, 100 * KiB + 10);
    const p = allocOrThrow(r, 30);
    assert.ok(r.resize(p, 50));
    assert.equal(r.stats().requestedBytes.current, 50);
    r.free(p);
    assert.equal(r.stats().requestedBytes.current, 0);
    assert.equal(r.stats().liveBytes.current, 0);
    r.check();
  });

  test("interior, foreign and out-of-range pointers are ERR_HEAP_INVALID_POINTER; the region stays valid", () => {
    const pages = pool();
    const r = Region.create(pages);
    const other = Region.create(pages);
    const p = allocOrThrow(r, 64);
    allocOrThrow(r, 64);
    const q = allocOrThrow(other, 64);
    const big = allocOrThrow(r, 100 * KiB);
    const otherBig = allocOrThrow(other, 100 * KiB);
    for (const bad of [p + 8, p + 56, q, otherBig, big + 8, big - 32, r.root, 0x7fff_fff8, 2 ** 32 - 8]) {
      throwsCode(() => r.free(bad), "ERR_HEAP_INVALID_POINTER", `free(${bad})`);
      throwsCode(() => r.usableSize(bad), "ERR_HEAP_INVALID_POINTER", `usableSize(${bad})`);
    }
    r.free(big);
    throwsCode(() => r.free(big), "ERR_HEAP_DOUBLE_FREE");
    stillUsable(r);
    other.check();
  });

  test("a zero-size large block still lies inside its run (regression: [aligned 1/64 KiB, aligned 0/64 KiB])", () => {
    const r = Region.create(pool());
    const a = r.alignedAlloc(1, 64 * KiB);
    const b = r.alignedAlloc(0, 64 * KiB);
    assert.ok(r.usableSize(a) >= 1 && r.usableSize(b) >= 0);
    assert.ok(b + 8 <= r.memory.byteLength);
    r.check();
  });

  test("large blocks go straight to the page pool and back", () => {
    const pages = pool();
    const r = Region.create(pages);
    const before = pages.stats().liveBlocks.current;
    const big = allocOrThrow(r, 100 * KiB);
    assert.equal(pages.stats().liveBlocks.current, before + 1);
    fill(r.memory.u8, big, 100 * KiB, 5);
    const q = realloc(r, big, 200 * KiB);
    assert.equal(firstDamaged(r.memory.u8, q, 100 * KiB, 5), -1);
    r.free(q);
    assert.equal(pages.stats().liveBlocks.current, before);
    r.check();
    pages.check();
  });

  test("marks: release frees everything after the mark, LIFO; stale, foreign and out-of-order marks throw ERR_HEAP_INVALID_MARK", () => {
    const pages = pool();
    const r = Region.create(pages);
    const other = Region.create(pages);
    allocOrThrow(r, 24);
    const m1 = r.mark();
    const first = allocOrThrow(r, 24);
    for (let i = 0; i < 500; i++) allocOrThrow(r, 200); // spans several chunks
    allocOrThrow(r, 50 * KiB);
    const m2 = r.mark();
    allocOrThrow(r, 24);
    throwsCode(() => r.release(m1), "ERR_HEAP_INVALID_MARK");
    r.check();
    assert.equal(r.marks, 2);
    r.release(m2);
    throwsCode(() => r.release(m2), "ERR_HEAP_INVALID_MARK");
    const footprint = r.stats().footprintBytes.current;
    r.release(m1);
    assert.ok(r.stats().footprintBytes.current < footprint, "release kept the chunks");
    assert.equal(allocOrThrow(r, 24), first - 40, "the next block starts where the mark record was");
    const m3 = other.mark();
    throwsCode(() => r.release(m3), "ERR_HEAP_INVALID_MARK");
    for (const bad of [0, -1, NaN, "1" as unknown as number]) throwsCode(() => r.release(bad), "ERR_HEAP_INVALID_MARK");
    const m4 = r.mark();
    r.reset();
    throwsCode(() => r.release(m4), "ERR_HEAP_INVALID_MARK");
    stillUsable(r);
  });

  test("reset keeps only the first chunk and destroys the children", () => {
    const pages = pool();
    const r = Region.create(pages);
    const kid = r.child();
    allocOrThrow(kid, 100);
    for (let i = 0; i < 2000; i++) allocOrThrow(r, 100);
    allocOrThrow(r, 64 * KiB);
    r.reset();
    assert.equal(r.stats().footprintBytes.current, 8 * KiB, "the first chunk, and the child's chunk now in the cache");
    assert.equal(r.stats().liveBlocks.current, 0);
    assert.equal(kid.alive, false);
    throwsCode(() => kid.alloc(8), "ERR_HEAP_INVALID_STATE");
    r.check();
    pages.check();
  });

  test("destroy gives everything back; any later use throws ERR_HEAP_INVALID_STATE, through any handle", () => {
    const pages = pool();
    const live0 = pages.stats().liveBlocks.current;
    const r = Region.create(pages);
    const kid = r.child();
    const grandkid = kid.child();
    allocOrThrow(grandkid, 10 * KiB);
    allocOrThrow(r, 100 * KiB);
    const other = Region.attach(pages, r.root);
    r.destroy();
    assert.equal(pages.stats().liveBlocks.current, live0);
    pages.check();
    for (const h of [r, other, kid, grandkid]) {
      for (const f of [() => h.alloc(8), () => h.free(8), () => h.mark(), () => h.reset(), () => h.destroy(), () => h.stats(), () => h.check(), () => h.child()]) {
        throwsCode(f, "ERR_HEAP_INVALID_STATE");
      }
    }
    assert.throws(() => Region.attach(pages, r.root), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_BAD_FORMAT");
  });

  test("children reuse the chunks of destroyed siblings from the top region's cache", () => {
    const pages = pool();
    const r = Region.create(pages);
    const kid = r.child();
    const root = kid.root;
    kid.destroy();
    const before = pages.stats().allocs;
    const again = r.child();
    assert.equal(again.root, root, "the cached chunk was not reused");
    assert.equal(pages.stats().allocs, before, "the page pool was asked again");
    r.check();
  });

  test("child(options, into) re-points a destroyed handle at the new child; a live or foreign handle is refused", () => {
    const pages = pool();
    const r = Region.create(pages);
    const first = r.child();
    const p = allocOrThrow(first, 100);
    first.destroy();
    const again = r.child({}, first);
    assert.equal(again, first, "the same handle object comes back");
    assert.ok(again.alive);
    const q = allocOrThrow(again, 100);
    assert.equal(q, p, "the new child starts in the cached chunk");
    throwsCode(() => again.free(q + 8), "ERR_HEAP_INVALID_POINTER");
    again.free(q);
    throwsCode(() => r.child({}, again), "ERR_HEAP_INVALID_STATE"); // still alive
    const elsewhere = Region.create(pool()).child();
    elsewhere.destroy();
    throwsCode(() => r.child({}, elsewhere), "ERR_HEAP_INVALID_STATE"); // another page pool
    r.check();
    again.destroy();
    throwsCode(() => again.alloc(8), "ERR_HEAP_INVALID_STATE");
    stillUsable(r);
  });

  test("a second handle made by attach sees the same region", () => {
    const pages = pool();
    const r = Region.create(pages);
    const p = allocOrThrow(r, 32);
    const h = Region.attach(PagePool.attach(pages.memory), r.root);
    assert.equal(h.usableSize(p), 32);
    h.free(p);
    assert.equal(allocOrThrow(r, 32), p, "the free through the other handle was not seen");
    r.check();
  });

  test("exhaustion returns 0, the region stays valid, and reset makes it all usable again", () => {
    const r = Region.create(pool(2 * MiB));
    const fillUp = (): number => {
      let n = 0;
      for (let i = 0; i < 1_000_000; i++) {
        if (r.alloc(1000) === NULL) break;
        n++;
      }
      return n;
    };
    const first = fillUp();
    assert.ok(first > 0 && first < 1_000_000);
    assert.ok(r.stats().failedAllocs >= 1);
    assert.equal(r.alloc(100 * KiB), NULL);
    assert.equal(r.alignedAlloc(8, 8192), NULL);
    for (let i = 0; i < 1_000_000 && r.alloc(8) !== NULL; i++);
    assert.equal(r.mark(), 0, "a mark record needs 40 bytes");
    r.check();
    r.reset();
    assert.ok(fillUp() >= first);
    r.check();
  });

  test("check() names broken invariants, and terminates on random bytes without throwing anything else", () => {
    const corrupt = (f: (u32: Uint32Array, r: Region) => void) => {
      const pages = pool();
      const r = Region.create(pages);
      for (let i = 0; i < 300; i++) allocOrThrow(r, 40);
      allocOrThrow(r, 50 * KiB);
      r.mark();
      f(r.memory.u32, r);
      assert.throws(() => r.check(), CorruptionError);
    };
    const w = (r: Region) => r.root >>> 2;
    corrupt((u32, r) => (u32[w(r) + 3] = u32[w(r) + 4] + 8)); // bump past the end
    corrupt((u32, r) => (u32[w(r) + 7] += 8)); // R_OLD_USED
    corrupt((u32, r) => (u32[(u32[w(r) + 2] >>> 2) + 0] = u32[w(r) + 2])); // chunk list cycle
    corrupt((u32, r) => (u32[w(r) + 9] += 1)); // large count
    corrupt((u32, r) => (u32[(u32[w(r) + 8] >>> 2) + 0] = u32[w(r) + 8])); // large list cycle
    corrupt((u32, r) => (u32[w(r) + 13] += 1)); // mark count
    corrupt((u32, r) => (u32[(u32[w(r) + 12] >>> 2) + 0] = u32[w(r) + 12])); // mark cycle
    corrupt((u32, r) => (u32[(u32[w(r) + 2] >>> 2) + 6] ^= 1)); // a map bit
    corrupt((u32, r) => (r.memory.f64[(u32[w(r) + 27] >>> 3) + 8] += 1)); // allocs
    corrupt((u32, r) => (u32[w(r) + 31] += 1)); // allocations counted by free-last
    corrupt((u32, r) => (u32[w(r) + 32] += 1)); // frees not folded
    corrupt((u32, r) => (u32[w(r) + 33] = 0x7000_0000)); // freed bytes past the fold bound
    corrupt((u32, r) => (u32[w(r) + 5] -= 80)); // R_FOLDED below the block before the mark record: counted twice
    corrupt((u32, r) => (u32[w(r) + 28] = 9)); // R_LAST_SIZE: no live block there
    corrupt((u32, r) => (u32[w(r) + 37] = 8)); // R_NEW_SLACK with no block left unfolded
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat()), { minLength: 1, maxLength: 8 }), (writes) => {
        const r = Region.create(pool());
        for (let i = 0; i < 50; i++) allocOrThrow(r, 100);
        const u32 = r.memory.u32;
        for (const [word, value] of writes) u32[(r.root >>> 2) + word] = value;
        try {
          r.check();
        } catch (e) {
          if (!(e instanceof CorruptionError) && !(e instanceof HeapError && e.code === "ERR_HEAP_INVALID_STATE")) throw e;
        }
      }),
      { numRuns: 200 },
    );
  });

  test("invalid options throw ERR_HEAP_INVALID_OPTION", () => {
    const pages = pool();
    for (const o of [{ chunkSize: -1 }, { chunkSize: 2 ** 32 }, { growth: "linear" }, { largeSize: 0 }, { maxChunkSize: 1 }, { cacheBytes: NaN }]) {
      throwsCode(() => Region.create(pages, o as never), "ERR_HEAP_INVALID_OPTION");
    }
    pages.check();
  });
});
