import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  AttachError,
  CorruptionError,
  DoubleFreeError,
  HeapError,
  InvalidAlignmentError,
  InvalidPointerError,
  InvalidSizeError,
  OutOfMemoryError,
  alignUp,
  arrayBytes,
  isPow2,
  isSize,
} from "../../src/index.js";
import { corrupted, doubleFree, invalidAlignment, invalidPointer, invalidSize, outOfMemory } from "../../src/core/errors.js";
import { ceilPow2, ctz32, fls32, popcount32 } from "../../src/core/bits.js";
import { throwsCode } from "../support/conformance.js";

describe("core", () => {
  test("isSize accepts exactly the integers in [0, 2^32 - 1]", () => {
    for (const ok of [0, -0, 1, 8, 2 ** 31, 2 ** 32 - 1]) assert.equal(isSize(ok), true, String(ok));
    for (const bad of [-1, 2 ** 32, 2 ** 32 + 8, 0.5, NaN, Infinity, "8", 8n, null, undefined, [8], new Number(8)]) {
      assert.equal(isSize(bad), false, String(bad));
    }
  });

  test("alignUp is right above 2^31, where signed bitwise arithmetic goes negative", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 2 ** 20 }), fc.integer({ min: 0, max: 20 }), (x, k) => {
        const a = 2 ** k;
        const r = alignUp(x, a);
        assert.ok(r >= x && r - x < a && r % a === 0);
      }),
    );
    assert.equal(alignUp(2 ** 31 + 1, 8), 2 ** 31 + 8);
  });

  test("bit helpers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 - 1 }), (x) => {
        assert.equal(fls32(x), Math.floor(Math.log2(x)));
        assert.equal(2 ** ctz32(x) * Math.floor(x / 2 ** ctz32(x)), x);
        assert.equal(popcount32(x), x.toString(2).split("1").length - 1);
      }),
    );
    assert.deepEqual([1, 2, 3, 5, 1024, 1025].map(ceilPow2), [1, 2, 4, 8, 1024, 2048]);
    assert.equal(isPow2(1.5), false);
    assert.equal(isPow2(2 ** 31), true);
  });

  test("arrayBytes refuses products past 2^32 - 1 instead of wrapping", () => {
    assert.equal(arrayBytes(2 ** 16, 2 ** 16 - 1), 2 ** 32 - 2 ** 16);
    throwsCode(() => arrayBytes(2 ** 16, 2 ** 16), "ERR_HEAP_INVALID_SIZE");
    throwsCode(() => arrayBytes(-1, 8), "ERR_HEAP_INVALID_SIZE");
  });

  test("every error has its class, stable code and value", () => {
    const cases: [() => never, Function, string][] = [
      [() => invalidSize(-1), InvalidSizeError, "ERR_HEAP_INVALID_SIZE"],
      [() => invalidAlignment(3), InvalidAlignmentError, "ERR_HEAP_INVALID_ALIGNMENT"],
      [() => invalidPointer(12, "why"), InvalidPointerError, "ERR_HEAP_INVALID_POINTER"],
      [() => doubleFree(16), DoubleFreeError, "ERR_HEAP_DOUBLE_FREE"],
      [() => outOfMemory(10), OutOfMemoryError, "ERR_HEAP_OUT_OF_MEMORY"],
      [() => corrupted("I1", 8), CorruptionError, "ERR_HEAP_CORRUPTED"],
    ];
    for (const [fn, cls, code] of cases) {
      assert.throws(fn, (e: unknown) => e instanceof cls && e instanceof HeapError && (e as HeapError).code === code && (e as HeapError).name === cls.name);
    }
    assert.ok(new DoubleFreeError("ERR_HEAP_DOUBLE_FREE", "x") instanceof InvalidPointerError);
    assert.ok(new AttachError("ERR_HEAP_TRUNCATED", "x") instanceof HeapError);
    assert.throws(() => invalidSize(8n), (e: unknown) => (e as HeapError).value === undefined && /8n/.test((e as Error).message));
  });
});
