import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultSizes, checkSizes, slabGeometry } from "../../src/slab/size-classes.js";
import { HEADER_BYTES, bitmapBytes } from "../../src/slab/layout.js";
import { throwsCode } from "../support/conformance.js";

describe("slab size classes", () => {
  test("the default series: multiples of 8 to 64, then 8 per doubling to 4 KiB", () => {
    const s = defaultSizes();
    assert.deepEqual(s.slice(0, 10), [8, 16, 24, 32, 40, 48, 56, 64, 72, 80]);
    assert.deepEqual(s.slice(-3), [3584, 3840, 4096]);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1] && s[i] % 8 === 0);
  });

  test("checkSizes sorts and rejects bad lists", () => {
    assert.deepEqual(checkSizes([64, 8, 24], 10), [8, 24, 64]);
    for (const bad of [[], [7], [8, 8], [8, 16, 24], "x"]) throwsCode(() => checkSizes(bad, 2), "ERR_HEAP_INVALID_OPTION");
  });

  test("every geometry fits its slab, wastes at most 1/8 where 8 objects fit, and keeps natural alignment", () => {
    for (const frame of [256, 4096, 65536]) {
      for (const size of [...defaultSizes(), 100, 10000, 65536]) {
        if (size > 255 * frame - 1024) continue; // slabs are at most 255 frames
        const g = slabGeometry(size, frame);
        assert.ok(g.first >= HEADER_BYTES + bitmapBytes(g.capacity), `${size}/${frame}: header overlap`);
        assert.ok(g.first + (g.colours - 1) * g.colourStep + g.capacity * size <= g.slabBytes, `${size}/${frame}: overrun`);
        assert.equal(g.slabBytes % frame, 0);
        assert.equal(g.first % g.align, 0);
        assert.equal(g.colourStep % 64, 0);
        if (size <= 4096) assert.ok((g.slabBytes - g.capacity * size) / g.slabBytes <= 0.125, `${size}/${frame}: waste`);
        if (size <= 4096) assert.ok(g.capacity >= 8, `${size}/${frame}: ${g.capacity} objects`);
      }
    }
  });
});
