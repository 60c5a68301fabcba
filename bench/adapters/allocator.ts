// Any heapkit `Allocator` as a benchmark subject. heapkit's allocators (PagePool, Region, Pool,
// Slab, Buddy, Heap) become subjects through this, plus a line in bench/subjects.ts and their
// names in the suites of bench/suites.ts:
//
//   heap: { description: "heapkit Heap", make: () => allocatorSubject(Heap.create(Memory.create({ maximum }))) },
//
// alloc, free, alignedAlloc go straight to the allocator; realloc is core's derived realloc; the
// 8-byte write and the trace fills go through the memory's current views (re-read at every call:
// they are replaced when the memory grows). The footprint is the allocator's own stats gauge,
// read once after the timed run. Kinds with regions pass `region`, which the create & destroy
// workload calls once per round.
import type { Allocator } from "../../src/core/allocator.js";
import { realloc } from "../../src/core/derived.js";
import type { Subject, SubjectRegion } from "../subject.js";
import { fillBytes } from "../fill.js";

export function allocatorSubject(a: Allocator, region?: () => SubjectRegion): Subject {
  const s: Subject = {
    alloc: (size) => a.alloc(size),
    free: (ptr) => a.free(ptr),
    alignedAlloc: (size, align) => a.alignedAlloc(size, align),
    realloc: (ptr, size) => realloc(a, ptr, size),
    write8(ptr, value) {
      const u32 = a.memory.u32;
      const w = ptr >>> 2;
      u32[w] = value;
      u32[w + 1] = 0;
    },
    fill(ptr, start, end, byte) {
      const memory = a.memory;
      fillBytes(memory.u8, memory.f64, ptr + start, ptr + end, byte);
    },
    peakFootprint: () => a.stats().footprintBytes.peak,
  };
  if (region !== undefined) s.region = region;
  return s;
}


/**
 * Regions for the create & destroy workload made by `make`, which is handed the previous round's
 * destroyed handle to re-point (Region.child's and Pool.create's `into`): each round returns this
 * same object, so a round allocates no JS object and the GC has nothing to do, as in a server
 * that keeps its per-request handle.
 */
class ReusedHandles<T extends Allocator & { destroy(): void }> implements SubjectRegion {
  private readonly make: (into: T | undefined) => T;
  private handle: T | undefined = undefined;

  constructor(make: (into: T | undefined) => T) {
    this.make = make;
  }

  next(): SubjectRegion {
    this.handle = this.make(this.handle);
    return this;
  }

  alloc(size: number): number {
    return (this.handle as T).alloc(size);
  }

  write8(ptr: number, value: number): void {
    const u32 = (this.handle as T).memory.u32;
    const w = ptr >>> 2;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  destroy(): void {
    (this.handle as T).destroy();
  }
}

/** A `region` factory whose rounds re-point one handle: `make(into)` creates the next region over `into`. */
export function reusedHandles<T extends Allocator & { destroy(): void }>(make: (into: T | undefined) => T): () => SubjectRegion {
  const rounds = new ReusedHandles(make);
  return () => rounds.next();
}
