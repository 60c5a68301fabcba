import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { alignClassOf, checkClasses, defaultClasses, exactClassTable, holdingClass } from "../../src/pages/page-classes.js";

const frames = [1, 16, 512, 262144]; // 4 KiB, 64 KiB, 2 MiB, 1 GiB in 4 KiB frames

test("a run's alignment class is the largest class not longer than it; its holding class the smallest that holds it", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 0, max: 3 }), (n, atLeast) => {
      const a = alignClassOf(frames, n);
      assert.ok(frames[a] <= n && (a === frames.length - 1 || frames[a + 1] > n));
      const h = holdingClass(frames, n, atLeast);
      if (h < 0) assert.ok(frames[frames.length - 1] < n || atLeast >= frames.length);
      else assert.ok(h >= atLeast && frames[h] >= n && (h === atLeast || frames[h - 1] < n));
    }),
  );
});

test("the exact-class table maps a power-of-two run length to its class, or -1", () => {
  const t = exactClassTable(frames);
  assert.equal(t[0], 0);
  assert.equal(t[4], 1);
  assert.equal(t[9], 2);
  assert.equal(t[18], 3);
  assert.equal(t[1], -1);
  assert.equal(t[31], -1);
});

test("classes: defaults by maximum, validation of a given list", () => {
  assert.deepEqual(defaultClasses(2 ** 30), [4096, 65536, 2 ** 21]);
  assert.deepEqual(defaultClasses(2 ** 31), [4096, 65536, 2 ** 21, 2 ** 30]);
  assert.deepEqual(checkClasses([256, 1024]), [256, 1024]);
  assert.throws(() => checkClasses([1024, 256]), /ERR_HEAP_INVALID_OPTION|invalid option/);
});
