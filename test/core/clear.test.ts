// Zeroing short metadata ranges: exactly [from, to), on both sides of the loop/builtin limit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CLEAR_LOOP_MAX, clearDoubles, clearWords } from "../../src/core/clear.js";

test("clearWords and clearDoubles zero exactly [from, to) for lengths around CLEAR_LOOP_MAX", () => {
  const u32 = new Uint32Array(CLEAR_LOOP_MAX * 3);
  const f64 = new Float64Array(CLEAR_LOOP_MAX * 3);
  for (let from = 0; from < 3; from++) {
    for (let len = 0; len <= CLEAR_LOOP_MAX + 2; len++) {
      u32.fill(7);
      f64.fill(7);
      clearWords(u32, from, from + len);
      clearDoubles(f64, from, from + len);
      for (let i = 0; i < u32.length; i++) {
        const want = i >= from && i < from + len ? 0 : 7;
        if (u32[i] !== want || f64[i] !== want) assert.fail(`from ${from}, length ${len}: element ${i} is ${u32[i]} / ${f64[i]}`);
      }
    }
  }
});
