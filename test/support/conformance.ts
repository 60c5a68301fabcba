// The conformance suite every Allocator must pass. Each allocator's test file calls
// conformance() with a Subject; kind-specific behaviour is declared in the Subject, never
// skipped silently.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { HeapError, NULL, allocOrThrow, calloc, realloc, type Allocator, type HeapErrorCode } from "../../src/index.js";
import { matchesModel, type ModelOpts } from "./model.js";
import { fill, intact } from "./fill.js";

export interface Subject {
  name: string;
  /** A fresh allocator over a fresh memory. */
  make(): Allocator;
  /** Largest size it accepts; one byte more must throw ERR_HEAP_INVALID_SIZE (omit when every u32 size is accepted). */
  maxSize?: number;
  /** Largest size the exhaustion test asks for, and the model's default maximum. */
  drawSize: number;
  /** Largest alignment alignedAlloc must honour. */
  maxAlign: number;
  /** Whether free() of a freed block is detected as a double free (true for every kind except where a free is a documented no-op). */
  detectsDoubleFree?: boolean;
  /** Whether blocks are reused after free (exhaustion then full reuse). */
  reusesFreed?: boolean;
  /** Options for the model property. */
  model?: Partial<ModelOpts>;
  /** fast-check runs of the model property. @defaultValue 100 */
  runs?: number;
  /** A pointer inside a live block that is not its start, for the invalid-pointer test. @defaultValue p + 8 */
  interior?: (a: Allocator, p: number) => number;
}

export const throwsCode = (fn: () => unknown, code: HeapErrorCode, message?: string): void =>
  assert.throws(fn, (e: unknown) => {
    if (!(e instanceof HeapError)) throw e;
    assert.equal(e.code, code, message);
    return true;
  });

/** After a thrown misuse: the allocator validates and still allocates and frees. */
export function stillUsable(a: Allocator): void {
  a.check();
  const p = a.alloc(8);
  assert.notEqual(p, NULL, "allocator unusable after a thrown error");
  a.free(p);
  a.check();
}

export const BAD_SIZES: unknown[] = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 + 8, 2 ** 53, "8", 8n, null, undefined, {}];
export const BAD_ALIGNS: unknown[] = [0, 3, 12, -8, 1.5, NaN, Infinity, "8", 8n];

export function conformance(s: Subject): void {
  describe(`${s.name}: Allocator contract`, () => {
    test("invalid sizes throw ERR_HEAP_INVALID_SIZE and are never coerced", () => {
      const a = s.make();
      const bad = s.maxSize === undefined ? BAD_SIZES : [...BAD_SIZES, s.maxSize + 1];
      for (const size of bad) {
        throwsCode(() => a.alloc(size as number), "ERR_HEAP_INVALID_SIZE", `alloc(${String(size)})`);
        throwsCode(() => a.alignedAlloc(size as number, 8), "ERR_HEAP_INVALID_SIZE", `alignedAlloc(${String(size)})`);
      }
      const p = a.alloc(8);
      for (const size of bad) throwsCode(() => a.resize(p, size as number), "ERR_HEAP_INVALID_SIZE", `resize(p, ${String(size)})`);
      stillUsable(a);
    });

    test("alloc(0) returns real, distinct blocks; free(0) does nothing", () => {
      const a = s.make();
      const p = a.alloc(0);
      const q = a.alloc(0);
      assert.notEqual(p, NULL);
      assert.notEqual(q, NULL);
      assert.notEqual(p, q);
      a.free(0);
      a.free(p);
      a.free(q);
      a.check();
      assert.equal(a.stats().liveBlocks.current, 0);
    });

    test("every block is aligned and usableSize covers the request", () => {
      const a = s.make();
      for (const size of [1, 7, 8, 9, 24, 100, 1000, s.drawSize].filter((n) => n <= (s.maxSize ?? n))) {
        const p = allocOrThrow(a, size);
        assert.equal(p % 8, 0);
        assert.ok(a.usableSize(p) >= size);
      }
      for (let align = 8; align <= s.maxAlign; align *= 2) {
        const p = a.alignedAlloc(24, align);
        assert.notEqual(p, NULL, `alignedAlloc(24, ${align})`);
        assert.equal(p % align, 0, `alignedAlloc(24, ${align}) = ${p}`);
      }
      a.check();
    });

    test("invalid alignments throw ERR_HEAP_INVALID_ALIGNMENT", () => {
      const a = s.make();
      for (const align of BAD_ALIGNS) throwsCode(() => a.alignedAlloc(8, align as number), "ERR_HEAP_INVALID_ALIGNMENT", `align ${String(align)}`);
      stillUsable(a);
    });

    test("pointers it never returned throw ERR_HEAP_INVALID_POINTER and leave it valid", () => {
      const a = s.make();
      const p = allocOrThrow(a, Math.min(64, s.maxSize ?? 64));
      const interior = s.interior ? s.interior(a, p) : p + 8;
      const bad: unknown[] = [1, 3, p + 1, interior, -8, 2 ** 32, NaN, 1.5, "8", a.memory.byteLength + 4096];
      for (const q of bad) {
        throwsCode(() => a.free(q as number), "ERR_HEAP_INVALID_POINTER", `free(${String(q)})`);
        throwsCode(() => a.usableSize(q as number), "ERR_HEAP_INVALID_POINTER", `usableSize(${String(q)})`);
      }
      a.free(p);
      stillUsable(a);
    });

    if (s.detectsDoubleFree !== false) {
      test("double free throws ERR_HEAP_DOUBLE_FREE and leaves it valid", () => {
        const a = s.make();
        const keep = allocOrThrow(a, 16);
        const p = allocOrThrow(a, 16);
        a.free(p);
        throwsCode(() => a.free(p), "ERR_HEAP_DOUBLE_FREE");
        stillUsable(a);
        a.free(keep);
        a.check();
      });
    }

    test("realloc keeps the contents, calloc zeroes dirty memory, failed realloc keeps the block", () => {
      const a = s.make();
      const n = Math.min(s.drawSize, 200);
      let p = allocOrThrow(a, n);
      fill(a.memory.u8, p, n, 7);
      a.free(p);
      const z = calloc(a, 1, n); // likely the dirty block just freed
      assert.notEqual(z, NULL);
      assert.ok(a.memory.u8.subarray(z, z + n).every((b) => b === 0), "calloc memory not zeroed");
      p = allocOrThrow(a, n);
      fill(a.memory.u8, p, n, 9);
      const q = realloc(a, p, Math.min(s.drawSize, 2 * n));
      assert.notEqual(q, NULL);
      assert.ok(intact(a.memory.u8, q, n, 9), "realloc lost the contents");
      const big = s.maxSize ?? 0xffff_ffff;
      const r = realloc(a, q, big);
      if (r === NULL) assert.ok(intact(a.memory.u8, q, n, 9), "failed realloc damaged the block");
      throwsCode(() => calloc(a, 2 ** 31, 4), "ERR_HEAP_INVALID_SIZE");
      a.check();
    });

    if (s.reusesFreed !== false) {
      test("exhaustion returns 0, then everything freed is reusable", () => {
        const a = s.make();
        const size = s.drawSize;
        const fillUp = (): number[] => {
          const got: number[] = [];
          for (let i = 0; i < 1_000_000; i++) {
            const p = a.alloc(size);
            if (p === NULL) break;
            got.push(p);
          }
          return got;
        };
        const first = fillUp();
        assert.ok(first.length > 0, "nothing could be allocated");
        assert.ok(first.length < 1_000_000, "never ran out");
        assert.ok(a.stats().failedAllocs >= 1);
        a.check();
        for (const p of first) a.free(p);
        a.check();
        assert.equal(a.stats().liveBlocks.current, 0);
        const second = fillUp();
        assert.ok(second.length >= first.length, `only ${second.length} of ${first.length} blocks after freeing everything`);
        a.check();
        for (const p of second) a.free(p);
        a.check();
      });
    }

    test("stats count allocations, frees and peaks", () => {
      const a = s.make();
      const before = a.stats();
      const ps = [allocOrThrow(a, 8), allocOrThrow(a, 16), allocOrThrow(a, 24)];
      a.free(ps[1]);
      const st = a.stats();
      assert.equal(st.allocs - before.allocs, 3);
      assert.equal(st.frees - before.frees, 1);
      assert.equal(st.liveBlocks.current, 2);
      assert.ok(st.liveBlocks.peak >= 3);
      assert.ok(st.requestedBytes.current >= 32 || st.requestedBytes.current === 0);
      assert.ok(st.footprintBytes.current > 0);
      assert.ok(st.fragmentation >= 0 && st.fragmentation <= 1);
    });

    test("matches the reference model on random operation sequences", () => {
      fc.assert(matchesModel(s.make, { maxSize: s.drawSize, maxAlign: s.maxAlign, ...s.model }), { numRuns: s.runs ?? 100 });
    });
  });
}
