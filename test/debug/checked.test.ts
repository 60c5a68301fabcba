import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Memory, PagePool, allocOrThrow, realloc } from "../../src/index.js";
import { ALLOC_POISON, checked } from "../../src/debug/checked.js";
import { conformance, throwsCode } from "../support/conformance.js";

const inner = () => PagePool.create(Memory.create({ maximum: 16 << 20 }), { classes: [256, 4096, 65536] });

conformance({
  name: "checked(PagePool)",
  make: () => checked(inner(), { quarantineBytes: 4096 }),
  drawSize: 20000,
  maxAlign: 4096,
  model: { maxSize: 70000 },
});

describe("checked mode", () => {
  test("an overrun of one byte past the end is caught, naming the block", () => {
    const a = checked(inner());
    const p = allocOrThrow(a, 10);
    a.memory.u8[p + 10] = 1;
    throwsCode(() => a.check(), "ERR_HEAP_CORRUPTED");
    assert.throws(() => a.free(p), /overrun: .* 0 B past its end/);
  });

  test("an underrun is caught", () => {
    const a = checked(inner());
    const p = allocOrThrow(a, 32);
    a.memory.u8[p - 1] = 0;
    assert.throws(() => a.check(), /underrun/);
  });

  test("a write after free is caught when the block leaves quarantine", () => {
    const a = checked(inner(), { quarantineBytes: 0 });
    const b = checked(inner(), { quarantineBytes: 1 << 20 });
    const p = allocOrThrow(b, 64);
    b.free(p);
    b.memory.u8[p + 5] = 7;
    assert.throws(() => b.check(), /use after free: .* at byte 5/);
    const q = allocOrThrow(a, 8); // with no quarantine the block goes back at once
    a.free(q);
    a.check();
  });

  test("a double free is named as such even after the memory was reused", () => {
    const a = checked(inner(), { quarantineBytes: 0 });
    const p = allocOrThrow(a, 64);
    a.free(p);
    throwsCode(() => a.free(p), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => a.free(p + 8), "ERR_HEAP_INVALID_POINTER");
    a.check();
  });

  test("fresh blocks are poisoned; leaks list live blocks with their sites", () => {
    const a = checked(inner());
    const p = allocOrThrow(a, 16);
    assert.ok(a.memory.u8.subarray(p, p + 16).every((x) => x === ALLOC_POISON));
    const q = realloc(a, p, 4000);
    const leaks = a.leaks();
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0].ptr, q);
    assert.equal(leaks[0].size, 4000);
    assert.match(leaks[0].site ?? "", /checked\.test/);
  });
});
