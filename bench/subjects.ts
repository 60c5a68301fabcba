// The subject registry: name → how to make it. Adding a subject (a heapkit allocator, a new peer)
// is an entry here and its name in the suites that should measure it (bench/suites.ts); the
// harness never changes for it. Peers are ordinary subjects; a suite says which of its subjects
// are the yardsticks that every other is divided by.
import type { Pool, Region } from "../src/index.js";
import { bufferBytes, type SubjectEntry, type SubjectOptions } from "./subject.js";
import { nativeReplay } from "./peers/native.js";

// Peers are imported when made, not here: a one.ts process loads only its own subject's code,
// which keeps the start-up of the many short processes of a run small.

/**
 * The memory options of every heapkit subject: a maximum of four times the workload's capacity
 * hint (at least 256 MiB), and an initial size of what thi.ng's MemPool is given as its one
 * buffer. Neither then grows during the timed part: growing an ArrayBuffer or a wasm
 * memory makes V8 start a garbage collection (external memory), which would be timed as GC.
 * Pages of the initial size are not touched until used, so first-touch faults are still paid.
 */
function memoryOptions(o: SubjectOptions): { initial: number; maximum: number } {
  const maximum = Math.min(2 ** 32 - 65536, Math.max(256 << 20, o.liveBytes * 4));
  return { initial: Math.min(maximum, Math.ceil(bufferBytes(o) / 65536) * 65536), maximum };
}

export const SUBJECTS: Readonly<Record<string, SubjectEntry>> = {
  // Allocator peers (pool, pages and traces suites).
  "js-bump": {
    description: "bump pointer over one ArrayBuffer sized like thing-malloc's (doubled and copied only when a workload outgrows it); free does nothing",
    make: async (o) => new (await import("./peers/js-bump.js")).JsBump(bufferBytes(o)),
  },
  "js-objects": { description: "plain JS objects kept in a table, freed by dropping the reference", make: async () => new (await import("./peers/js-objects.js")).JsObjects() },
  u8array: { description: "new Uint8Array(size) per allocation, freed by dropping the reference", make: async () => new (await import("./peers/u8array.js")).U8Arrays() },
  "thing-malloc": { description: "@thi.ng/malloc MemPool over a fixed ArrayBuffer", make: async (o) => new (await import("./peers/thing-malloc.js")).ThingMalloc(o) },
  "as-tlsf": { description: "AssemblyScript's TLSF in WebAssembly (asc -O3, runtime minimal), called per operation", make: async () => new (await import("./peers/as-tlsf.js")).AsTlsf() },
  "array-buffer": { description: "new ArrayBuffer(size) per page, freed by dropping the reference", make: async () => new (await import("./peers/array-buffer.js")).ArrayBuffers() },

  // Native bars (traces suite).
  "native-glibc": { description: "bench/native/replay.cpp, g++ -O2, glibc malloc", native: nativeReplay("replay-glibc", "needs g++") },
  "native-mimalloc": {
    description: "bench/native/replay.cpp, g++ -O2, mimalloc (mi_* calls)",
    native: nativeReplay("replay-mimalloc", "needs g++ and libmimalloc-dev: bench/setup.sh installs it as root"),
  },

  // heapkit's own allocators.
  "heapkit-pages": {
    description: "heapkit PagePool (default classes 4 KiB / 64 KiB / 2 MiB) over a default Memory",
    make: async (o) => {
      const { Memory, PagePool } = await import("../src/index.js");
      const { allocatorSubject } = await import("./adapters/allocator.js");
      return allocatorSubject(PagePool.create(Memory.create(memoryOptions(o))));
    },
  },

  "heapkit-slab": {
    description: "heapkit Slab (default classes 8 B .. 4 KiB, plus an 8320 B class for the pool suite's Huge) over a default Memory",
    make: async (o) => {
      const { Memory, PagePool, Slab, defaultSizes } = await import("../src/index.js");
      const { allocatorSubject } = await import("./adapters/allocator.js");
      const pages = PagePool.create(Memory.create(memoryOptions(o)));
      return allocatorSubject(Slab.create(pages, { sizes: [...defaultSizes(), 8320] }));
    },
  },
  "heapkit-buddy": {
    description: "heapkit Buddy (blocks 16 B .. 1 MiB, arenas of 1 MiB from the page pool) over a default Memory",
    make: async (o) => {
      const { Memory, Buddy } = await import("../src/index.js");
      const { allocatorSubject } = await import("./adapters/allocator.js");
      return allocatorSubject(Buddy.create(Memory.create(memoryOptions(o)), { minBlock: 16, maxBlock: 1 << 20 }));
    },
  },
  "heapkit-pool64": {
    description: "heapkit Pool of 64 B blocks (the sizes suite's one-size workload only)",
    make: async (o) => {
      const { Memory, PagePool, Pool } = await import("../src/index.js");
      const { allocatorSubject } = await import("./adapters/allocator.js");
      return allocatorSubject(Pool.create(PagePool.create(Memory.create(memoryOptions(o))), { size: 64 }));
    },
  },
  "heapkit-region": {
    description: "heapkit Region (default options: exponential chunks 4 KiB → 64 KiB, large blocks > 16 KiB from the page pool); region() is a child region, one handle re-pointed each round (child's `into`)",
    make: async (o) => {
      const { Memory, PagePool, Region } = await import("../src/index.js");
      const { allocatorSubject, reusedHandles } = await import("./adapters/allocator.js");
      const region = Region.create(PagePool.create(Memory.create(memoryOptions(o))));
      const none = {};
      return allocatorSubject(region, reusedHandles<Region>((into) => region.child(none, into)));
    },
  },
  "heapkit-region-fixed": {
    description: "heapkit Region with growth \"fixed\" (every chunk 4 KiB, the default first chunk); region() as heapkit-region's",
    make: async (o) => {
      const { Memory, PagePool, Region } = await import("../src/index.js");
      const { allocatorSubject, reusedHandles } = await import("./adapters/allocator.js");
      const region = Region.create(PagePool.create(Memory.create(memoryOptions(o))), { growth: "fixed" });
      const none = {};
      return allocatorSubject(region, reusedHandles<Region>((into) => region.child(none, into)));
    },
  },
  "heapkit-pool": {
    description: "heapkit Pool, one per object size (24 B, 240 B, 8305 B: free finds the pool with Pool.owns); region() is a Pool of 240 B blocks, one handle re-pointed each round (create's `into`)",
    make: async (o) => {
      const { Memory, PagePool, Pool } = await import("../src/index.js");
      const { allocatorSubject, reusedHandles } = await import("./adapters/allocator.js");
      const pages = PagePool.create(Memory.create(memoryOptions(o)));
      const small = Pool.create(pages, { size: 24 });
      const big = Pool.create(pages, { size: 240 });
      const huge = Pool.create(pages, { size: 8305 });
      const perRound = { size: 240 };
      const { write8, region } = allocatorSubject(small, reusedHandles<Pool>((into) => Pool.create(pages, perRound, into)));
      // A new literal, not allocatorSubject's object with members deleted: `delete` turns an
      // object into a dictionary, and every t.alloc / t.free load of the workload then costs a
      // hash lookup (13 ns per allocation on small-free, measured).
      return {
        alloc: (size) => (size <= 24 ? small.alloc(size) : size <= 240 ? big.alloc(size) : huge.alloc(size)),
        free: (ptr) => (small.owns(ptr) ? small.free(ptr) : big.owns(ptr) ? big.free(ptr) : huge.free(ptr)),
        write8,
        region,
        peakFootprint: () => small.stats().footprintBytes.peak + big.stats().footprintBytes.peak + huge.stats().footprintBytes.peak,
      };
    },
  },
  "heapkit-heap": {
    description: "heapkit Heap (TLSF + page runs, malloc/free/realloc in place) over a default Memory",
    make: async (o) => {
      const { Heap } = await import("../src/index.js");
      const { allocatorSubject } = await import("./adapters/allocator.js");
      const heap = Heap.create(memoryOptions(o));
      return { ...allocatorSubject(heap), realloc: (ptr: number, size: number) => heap.realloc(ptr, size) };
    },
  },

  // View kinds (views suite).
  "view-ab": { description: "Uint32Array over a plain ArrayBuffer", make: async () => (await import("./peers/views.js")).viewArrayBuffer() },
  "view-rab-fixed": { description: "fixed-length Uint32Array over a resizable ArrayBuffer", make: async () => (await import("./peers/views.js")).viewResizableFixed() },
  "view-rab-tracking": { description: "length-tracking Uint32Array over a resizable ArrayBuffer", make: async () => (await import("./peers/views.js")).viewResizableTracking() },
  "view-gsab-tracking": { description: "length-tracking Uint32Array over a growable SharedArrayBuffer", make: async () => (await import("./peers/views.js")).viewGrowableSharedTracking() },
  "view-gsab-fixed": { description: "fixed-length Uint32Array over a growable SharedArrayBuffer", make: async () => (await import("./peers/views.js")).viewGrowableSharedFixed() },
  "view-wasm": { description: "Uint32Array over a WebAssembly.Memory's buffer", make: async () => (await import("./peers/views.js")).viewWasmMemory() },
};
