// The replayer's payload writer: every span, aligned or not, short (8-byte stores) or long (builtin),
// writes exactly its bytes and nothing beside them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FILL_LOOP_MAX, fillBytes } from "../../bench/fill.js";

test("fillBytes writes exactly [from, to) for every start offset and length around the loop's limit", () => {
  const u8 = new Uint8Array(512);
  const f64 = new Float64Array(u8.buffer);
  for (let from = 0; from < 8; from++) {
    for (let len = 0; len <= FILL_LOOP_MAX + 9; len++) {
      u8.fill(0xee);
      const byte = len === 3 ? 0xff : (from * 31 + len) & 0xff;
      fillBytes(u8, f64, 16 + from, 16 + from + len, byte);
      for (let i = 0; i < u8.length; i++) {
        const inside = i >= 16 + from && i < 16 + from + len;
        if (u8[i] !== (inside ? byte : 0xee)) assert.fail(`from ${from}, length ${len}: byte ${i} is ${u8[i]}`);
      }
    }
  }
});
