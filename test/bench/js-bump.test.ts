// The js-bump peer: one buffer of the size it is given, replaced by a larger copy only when a
// workload outgrows it, with every byte handed out before kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { JsBump } from "../../bench/peers/js-bump.js";

test("js-bump hands out 8-aligned, disjoint blocks and keeps their words when it outgrows its buffer", () => {
  const b = new JsBump(1); // rounded up to 64 KiB
  const ptrs: number[] = [];
  for (let k = 1; k <= 10_000; k++) {
    const p = b.alloc(24);
    assert.equal(p % 8, 0);
    if (ptrs.length > 0) assert.ok(p >= ptrs[ptrs.length - 1] + 24, `block ${k} overlaps the one before`);
    b.write8(p, k);
    ptrs.push(p);
  }
  assert.ok(ptrs[ptrs.length - 1] + 24 > 65536, "the workload outgrew the first buffer");
  const u32 = (b as unknown as { u32: Uint32Array }).u32;
  ptrs.forEach((p, i) => assert.equal(u32[p >>> 2], i + 1, `block ${i + 1} lost its word`));
  assert.equal(b.peakFootprint(), ptrs[ptrs.length - 1] + 24);
});

test("js-bump sized up front never replaces its buffer", () => {
  const b = new JsBump(1 << 20);
  const u8 = (b as unknown as { u8: Uint8Array }).u8;
  for (let k = 0; k < 40_000; k++) b.alloc(24);
  assert.equal((b as unknown as { u8: Uint8Array }).u8, u8);
});
