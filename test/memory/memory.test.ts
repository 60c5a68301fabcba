import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GROW_GRANULE, HEADER_BYTES, Memory, PagePool, allocOrThrow } from "../../src/index.js";
import { throwsCode } from "../support/conformance.js";

const KiB = 1024;
const MiB = 1024 * KiB;

type Make = (maximum: number) => Memory;
const backings: [string, Make][] = [
  ["the default backing (WebAssembly.Memory)", (maximum) => Memory.create({ initial: 64 * KiB, maximum })],
  ["a resizable ArrayBuffer", (maximum) => Memory.create({ initial: 64 * KiB, maximum, backing: "resizable" })],
  ["a growable SharedArrayBuffer", (maximum) => Memory.create({ initial: 64 * KiB, maximum, shared: true })],
  ["a shared WebAssembly.Memory", (maximum) => Memory.create({ initial: 64 * KiB, maximum, shared: true, backing: "wasm" })],
  ["a resizable ArrayBuffer with tracking views", (maximum) => Memory.create({ initial: 64 * KiB, maximum, backing: "resizable", views: "tracking" })],
  ["WebAssembly.Memory", (maximum) => Memory.fromWasm(new WebAssembly.Memory({ initial: 1, maximum: maximum / GROW_GRANULE }), { base: 256, maximum })],
];

for (const [name, make] of backings) {
  describe(`Memory over ${name}`, () => {
    test("grows in exponential steps to the maximum, then answers false", () => {
      const m = make(MiB);
      const sizes = [m.byteLength];
      while (m.grow(1)) sizes.push(m.byteLength);
      assert.equal(m.byteLength, MiB);
      assert.deepEqual(sizes, [64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, MiB]);
      assert.equal(m.grow(1), false);
      assert.equal(m.byteLength, MiB);
      m.checkHeader();
    });

    test("views see the new bytes after growth; generation and onGrow tell users", () => {
      const m = make(4 * MiB);
      const seen: number[] = [];
      const stop = m.onGrow((mem) => seen.push(mem.byteLength));
      const g0 = m.generation;
      assert.ok(m.ensure(3 * MiB));
      const end = m.byteLength - 8;
      m.u32[end >>> 2] = 0xdeadbeef;
      m.f64[(end - 8) >>> 3] = 1.5;
      assert.equal(m.u8[end], 0xef);
      assert.equal(m.i32[end >>> 2], 0xdeadbeef | 0);
      assert.equal(new DataView(m.u8.buffer).getFloat64(end - 8, true), 1.5);
      assert.ok(seen.length >= 1 && seen[seen.length - 1] === m.byteLength);
      if (!name.includes("tracking")) assert.ok(m.generation > g0);
      stop();
      m.grow(1);
      assert.equal(seen[seen.length - 1], 4 * MiB > m.byteLength ? seen[seen.length - 1] : seen[seen.length - 1]);
    });

    test("a saved copy re-opens with the same bytes", () => {
      const m = make(MiB);
      const pool = PagePool.create(m, { classes: [4096] });
      const p = allocOrThrow(pool, 100);
      m.u8.set([1, 2, 3], p);
      const copy = Memory.attach(m.save(), { base: m.base });
      assert.deepEqual([...copy.u8.subarray(p, p + 3)], [1, 2, 3]);
      const again = PagePool.attach(copy);
      again.check();
      assert.equal(again.usableSize(p), 4096);
      assert.ok(copy.grow(1), "a re-opened copy can grow");
    });
  });
}

describe("Memory", () => {
  test("a resizable ArrayBuffer shrinks; shared and wasm memories refuse", () => {
    const m = Memory.create({ initial: MiB, maximum: 4 * MiB, backing: "resizable" });
    const g = m.generation;
    assert.equal(m.shrink(200 * KiB), true);
    assert.equal(m.byteLength, 256 * KiB);
    assert.ok(m.generation > g);
    m.u32[(m.byteLength >>> 2) - 1] = 5; // the views cover the new length exactly
    assert.equal(m.u32.length, (256 * KiB) / 4);
    assert.equal(Memory.create({ initial: MiB, shared: true }).shrink(0), false);
    assert.equal(Memory.fromWasm(new WebAssembly.Memory({ initial: 4 })).shrink(0), false);
    assert.equal(Memory.create({ initial: MiB }).shrink(0), false);
  });

  test("another handle's growth of a shared memory is picked up by refresh()", () => {
    const a = Memory.create({ initial: 64 * KiB, maximum: MiB, shared: true });
    const b = Memory.attach(a.buffer);
    assert.ok(b.grow(200 * KiB));
    assert.equal(a.byteLength, 64 * KiB);
    assert.equal(a.refresh(), true);
    assert.equal(a.byteLength, b.byteLength);
    b.u8[b.byteLength - 1] = 9;
    assert.equal(a.u8[a.byteLength - 1], 9);
  });

  test("the default backing is a WebAssembly.Memory a module can import", () => {
    const m = Memory.create({ maximum: 4 * MiB });
    assert.equal(m.backing, "wasm");
    assert.ok(m.wasmMemory instanceof WebAssembly.Memory);
    assert.equal(m.wasmMemory!.buffer, m.u8.buffer);
    assert.equal(Memory.create({ backing: "resizable" }).wasmMemory, undefined);
  });

  test("a module's own growth of its WebAssembly.Memory is picked up by refresh()", () => {
    const wasm = new WebAssembly.Memory({ initial: 1, maximum: 8 });
    const m = Memory.fromWasm(wasm, { base: 1024 });
    const g = m.generation;
    wasm.grow(2); // what memory.grow inside the module does: the old buffer detaches
    assert.equal(m.u8.length, 0, "the old view is detached");
    assert.equal(m.refresh(), true);
    assert.equal(m.byteLength, 3 * 65536);
    assert.ok(m.generation > g);
    assert.equal(m.base, 1024);
    m.checkHeader();
  });

  test("a WebAssembly.Memory at its module maximum answers false", () => {
    const m = Memory.fromWasm(new WebAssembly.Memory({ initial: 1, maximum: 2 }), { base: 64 });
    assert.equal(m.grow(65536), true);
    assert.equal(m.grow(1), false);
    assert.equal(m.byteLength, 2 * 65536);
  });

  describe("attach refuses bad images with their own code and changes no byte", () => {
    const image = (): Uint8Array => {
      const m = Memory.create({ initial: 256 * KiB, maximum: MiB });
      PagePool.create(m, { classes: [4096] });
      return m.save();
    };
    const cases: [string, (u8: Uint8Array) => Uint8Array, string][] = [
      ["a foreign buffer", (u8) => u8.map((_, i) => (i * 7) & 255), "ERR_HEAP_BAD_FORMAT"],
      ["an empty buffer", () => new Uint8Array(0), "ERR_HEAP_BAD_FORMAT"],
      ["another format version", (u8) => withWord(u8, 1, 99, true), "ERR_HEAP_VERSION_MISMATCH"],
      ["a damaged header (one byte flipped)", (u8) => ((u8[4 * 4] ^= 1), u8), "ERR_HEAP_CORRUPTED"],
      ["a damaged size field with a good checksum", (u8) => withWord(u8, 3, 5, true), "ERR_HEAP_CORRUPTED"],
      ["a truncated copy", (u8) => u8.slice(0, u8.length - 4096), "ERR_HEAP_TRUNCATED"],
      ["a copy cut inside the header", (u8) => u8.slice(0, 20), "ERR_HEAP_TRUNCATED"],
      ["a header at another base", (u8) => u8, "ERR_HEAP_BAD_FORMAT"],
    ];
    for (const [what, spoil, code] of cases) {
      test(what, () => {
        const bytes = spoil(image());
        const before = bytes.slice();
        throwsCode(() => Memory.attach(bytes, { base: what.includes("another base") ? 64 : 0 }), code as never);
        assert.deepEqual(bytes, before, "attach changed the bytes");
      });
    }
  });

  test("invalid options throw ERR_HEAP_INVALID_OPTION", () => {
    const bad = [
      { maximum: -1 },
      { maximum: 2 ** 32 },
      { maximum: 1000 },
      { initial: 2 * MiB, maximum: MiB },
      { growth: 0.5 },
      { growth: NaN },
      { base: 3 },
      { views: "lazy" as never },
      { views: "tracking" as const },
      { backing: "heap" as never },
    ];
    for (const opts of bad) throwsCode(() => Memory.create(opts), "ERR_HEAP_INVALID_OPTION", JSON.stringify(opts));
  });

  test("the header sits at the base and nothing below it is touched", () => {
    const wasm = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(wasm.buffer).fill(0xaa, 0, 4096);
    const m = Memory.fromWasm(wasm, { base: 4096 });
    assert.ok(new Uint8Array(wasm.buffer, 0, 4096).every((b) => b === 0xaa));
    assert.equal(m.dataStart, 4096 + HEADER_BYTES);
  });
});

/** Sets header word `i` (and, with `fixSum`, recomputes the FNV-1a checksum in word 15 the way the format does). */
function withWord(u8: Uint8Array, i: number, value: number, fixSum: boolean): Uint8Array {
  const u32 = new Uint32Array(u8.buffer, u8.byteOffset, 16);
  u32[i] = value;
  if (fixSum) {
    let h = 0x811c9dc5;
    for (let k = 0; k < 15; k++) h = Math.imul(h ^ u32[k], 0x01000193);
    u32[15] = h >>> 0;
  }
  return u8;
}
