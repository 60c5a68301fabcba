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
import type { Region } from "../../src/region/region.js";
import { realloc } from "../../src/core/derived.js";
import type { Subject, SubjectRegion } from "../subject.js";

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
      a.memory.u8.fill(byte, ptr + start, ptr + end);
    },
    peakFootprint: () => a.stats().footprintBytes.peak,
  };
  if (region !== undefined) s.region = region;
  return s;
}

/**
 * A region handle over any allocator with alloc/free plus its own destroy, for `region`. A class,
 * not an object of closures: the create & destroy workload makes one per round, and closures made
 * per round would be new call targets each round, which keeps V8 from inlining the calls.
 */
class AllocatorRegion implements SubjectRegion {
  private readonly r: Allocator & { destroy(): void };

  constructor(r: Allocator & { destroy(): void }) {
    this.r = r;
  }

  alloc(size: number): number {
    return this.r.alloc(size);
  }

  write8(ptr: number, value: number): void {
    const u32 = this.r.memory.u32;
    const w = ptr >>> 2;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  destroy(): void {
    this.r.destroy();
  }
}

export const allocatorRegion = (r: Allocator & { destroy(): void }): SubjectRegion => new AllocatorRegion(r);

/**
 * Child regions of `parent` for the create & destroy workload: each round re-points one handle at
 * a new child (Region.child's `into`) and returns this same object, so a round allocates no JS
 * object: the GC has nothing to do, as in a server that keeps its per-request region handle.
 */
const NO_OPTIONS = {};

class ChildRegions implements SubjectRegion {
  private readonly parent: Region;
  private child: Region | undefined = undefined;

  constructor(parent: Region) {
    this.parent = parent;
  }

  next(): SubjectRegion {
    this.child = this.parent.child(NO_OPTIONS, this.child);
    return this;
  }

  alloc(size: number): number {
    return (this.child as Region).alloc(size);
  }

  write8(ptr: number, value: number): void {
    const u32 = this.parent.memory.u32;
    const w = ptr >>> 2;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  destroy(): void {
    (this.child as Region).destroy();
  }
}

/** A `region` factory of child regions of `parent`, one reused handle. */
export function childRegions(parent: Region): () => SubjectRegion {
  const rounds = new ChildRegions(parent);
  return () => rounds.next();
}
