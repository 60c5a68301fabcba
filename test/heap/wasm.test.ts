// WebAssembly interop: a module whose memory heapkit manages calls the heap's malloc and free
// through its imports, and JS and the module read and write the same blocks. The module is built
// here from WAT source with wabt, not checked in as a binary.
import assert from "node:assert/strict";
import { test } from "node:test";
import wabtInit from "wabt";
import { Heap } from "../../src/index.js";

const WAT = `(module
  (import "env" "memory" (memory 1))
  (import "env" "malloc" (func $malloc (param i32) (result i32)))
  (import "env" "free" (func $free (param i32)))
  ;; squares(n): a block of n i32s holding 0, 1, 4, 9, ...
  (func (export "squares") (param $n i32) (result i32)
    (local $p i32) (local $i i32)
    (local.set $p (call $malloc (i32.shl (local.get $n) (i32.const 2))))
    (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))) (i32.mul (local.get $i) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $p))
  ;; sum(p, n): the sum of n i32s at p, then frees p
  (func (export "sumAndFree") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $free (local.get $p))
    (local.get $s)))`;

test("a WebAssembly module allocates through the heap, and JS sees the same bytes", async () => {
  const wabt = await wabtInit();
  const bytes = new Uint8Array(wabt.parseWat("heap.wat", WAT).toBinary({}).buffer);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 1024 });
  const heap = Heap.fromWasm(memory, { base: 1024 }); // the module's own data would sit below 1 KiB
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, {
    env: { memory, malloc: (n: number) => heap.malloc(n), free: (p: number) => heap.free(p) },
  });
  const ex = instance.exports as { squares(n: number): number; sumAndFree(p: number, n: number): number };

  const p = ex.squares(1000); // grows the memory: the heap's views follow
  assert.notEqual(p, 0);
  assert.equal(heap.i32[(p >>> 2) + 7], 49, "JS reads what the module wrote");
  heap.i32[(p >>> 2) + 7] = 0; // JS writes, the module reads
  let expected = 0;
  for (let i = 0; i < 1000; i++) expected += i === 7 ? 0 : i * i;
  assert.equal(ex.sumAndFree(p, 1000), expected);
  heap.check();
  assert.equal(heap.stats().liveBlocks.current, 0);

  const js = heap.mallocAs("i32", 4)!;
  js.set([1, 2, 3, 4]);
  assert.equal(ex.sumAndFree(js.byteOffset, 4), 10, "the module frees a block JS allocated");
  const blocks = Array.from({ length: 50 }, (_, i) => ex.squares(i * 40 + 1));
  assert.ok(memory.buffer.byteLength > 2 * 65536);
  for (const b of blocks) heap.free(b);
  heap.check();
});
