// AssemblyScript module for the `as-tlsf` peer: the AssemblyScript runtime's TLSF allocator
// (std/assembly/rt/tlsf.ts), exported raw. Built by bench/build.sh with `--runtime minimal`, whose
// heap.alloc/free/realloc are TLSF's __alloc/__free/__realloc and whose collector only runs when
// asked (never, here). This file is AssemblyScript, not TypeScript: tsconfig.test.json excludes it.
//
// A failed memory.grow inside TLSF traps with `unreachable` (the module's memory is capped at
// 4 GiB); the JS adapter (../../as-tlsf.ts) turns that into a clear error.

export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

export function realloc(ptr: usize, size: usize): usize {
  return heap.realloc(ptr, size);
}
