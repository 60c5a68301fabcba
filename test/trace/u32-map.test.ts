import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { U32Map } from "../../src/trace/u32-map.js";

// Keys that collide on purpose (multiples of a large power of two share their low bits; Fibonacci
// hashing spreads them, but runs still form), 0 (the side slot), and the top of the u32 range.
const keyArb = fc.oneof(
  fc.nat({ max: 50 }).map((k) => k * 0x10_0000),
  fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff),
  fc.nat({ max: 0xffff_ffff }),
  fc.nat({ max: 200 }),
);

test("U32Map matches a Map under random set / add / replace / delete", () => {
  const cmd = fc.record({ op: fc.constantFrom("set", "add", "replace", "delete", "get"), key: keyArb, value: fc.nat({ max: 1000 }) });
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 400 }), (cmds) => {
      const m = new U32Map(4);
      const model = new Map<number, number>();
      for (const c of cmds) {
        if (c.op === "set") {
          m.set(c.key, c.value);
          model.set(c.key, c.value);
        } else if (c.op === "add") {
          m.add(c.key, c.value);
          model.set(c.key, (model.get(c.key) ?? 0) + c.value);
        } else if (c.op === "replace") {
          assert.equal(m.replace(c.key, c.value), model.get(c.key) ?? -1);
          model.set(c.key, c.value);
        } else if (c.op === "delete") {
          assert.equal(m.delete(c.key), model.get(c.key) ?? -1);
          model.delete(c.key);
        } else {
          assert.equal(m.get(c.key), model.get(c.key) ?? -1);
        }
        assert.equal(m.size, model.size);
      }
      for (const [k, v] of model) assert.equal(m.get(k), v);
      const seen = new Map<number, number>();
      m.forEach((k, v) => seen.set(k, v));
      assert.deepEqual(seen, model);
    }),
    { numRuns: 200 },
  );
});

test("U32Map: a long run of inserts and deletes keeps lookups working (no tombstones)", () => {
  const m = new U32Map(16);
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 1000; i++) m.set(round * 1000 + i + 1, i);
    for (let i = 0; i < 1000; i++) assert.equal(m.delete(round * 1000 + i + 1), i);
  }
  assert.equal(m.size, 0);
  assert.equal(m.get(12345), -1);
  m.clear();
  m.set(0, 7);
  assert.equal(m.get(0), 7);
});
