// Allocators put together for a report's candidates: the way an engineer would actually use a
// region or a pool on a whole program's trace. Each is itself an Allocator.
import type { Allocator, MapRegion, MemoryViews } from "../core/allocator.js";
import { isMappable } from "../core/allocator.js";
import { NULL, type Ptr } from "../core/ptr.js";
import type { AllocatorStats } from "../core/stats.js";
import type { Region } from "../region/region.js";
import type { Pool } from "../pool/pool.js";
import type { Heap } from "../heap/heap.js";
import { realloc as derivedRealloc } from "../core/derived.js";
import { STAT_FIELDS, type StatName, type Gauge } from "../core/stats.js";

/**
 * A region that is reset whenever every block in it has been freed: per-request (per-phase)
 * lifetimes, where a program would create a region per request and destroy it at the end. Frees
 * of the most recent block give bytes back (free-last); other frees wait for the reset.
 */
export class PhaseRegion implements Allocator {
  readonly kind = "region" as const;
  readonly region: Region;
  private live = 0;
  /** Resets done: the phases the trace went through. */
  resets = 0;

  constructor(region: Region) {
    this.region = region;
  }

  get memory(): MemoryViews {
    return this.region.memory;
  }

  alloc(size: number): Ptr {
    const p = this.region.alloc(size);
    if (p !== NULL) this.live++;
    return p;
  }

  alignedAlloc(size: number, align: number): Ptr {
    const p = this.region.alignedAlloc(size, align);
    if (p !== NULL) this.live++;
    return p;
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    this.region.free(ptr);
    if (--this.live === 0) {
      this.region.reset();
      this.resets++;
    }
  }

  resize(ptr: Ptr, newSize: number): boolean {
    return this.region.resize(ptr, newSize);
  }

  usableSize(ptr: Ptr): number {
    return this.region.usableSize(ptr);
  }

  stats(): AllocatorStats {
    return this.region.stats();
  }

  check(): void {
    this.region.check();
  }

  mapRegions(): MapRegion[] {
    return isMappable(this.region) ? this.region.mapRegions() : [];
  }
}

/**
 * A pool for the trace's dominant object size beside a heap for everything else, sharing one
 * page pool: how a program with one hot object type uses a pool. Requests in (block / 2, block]
 * go to the pool; a pointer goes back to whichever allocator owns it (Pool.owns: one mask, one
 * header load).
 */
export class PoolBesideHeap implements Allocator {
  readonly kind = "pool" as const;
  readonly pool: Pool;
  readonly heap: Heap;
  private readonly block: number;
  private readonly half: number;

  constructor(pool: Pool, heap: Heap) {
    this.pool = pool;
    this.heap = heap;
    this.block = pool.blockSize;
    this.half = pool.blockSize >>> 1;
  }

  get memory(): MemoryViews {
    return this.heap.memory;
  }

  alloc(size: number): Ptr {
    if (size <= this.block && size > this.half) {
      const p = this.pool.alloc(size);
      if (p !== NULL) return p;
    }
    return this.heap.alloc(size);
  }

  alignedAlloc(size: number, align: number): Ptr {
    return this.heap.alignedAlloc(size, align);
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    if (this.pool.owns(ptr)) this.pool.free(ptr);
    else this.heap.free(ptr);
  }

  realloc(ptr: Ptr, size: number): Ptr {
    return ptr !== NULL && !this.pool.owns(ptr) ? this.heap.realloc(ptr, size) : derivedRealloc(this, ptr, size);
  }

  resize(ptr: Ptr, newSize: number): boolean {
    if (!this.pool.owns(ptr)) return this.heap.resize(ptr, newSize);
    return newSize <= this.block && this.pool.resize(ptr, newSize);
  }

  usableSize(ptr: Ptr): number {
    return this.pool.owns(ptr) ? this.pool.usableSize(ptr) : this.heap.usableSize(ptr);
  }

  /** Both allocators' counts added; the footprint is the shared page pool's. */
  stats(): AllocatorStats {
    const a = this.pool.stats();
    const b = this.heap.stats();
    const out = { ...b, classes: [...a.classes, ...b.classes] } as AllocatorStats;
    const o = out as unknown as Record<StatName, number | Gauge>;
    for (const name of Object.keys(STAT_FIELDS) as StatName[]) {
      if (name === "footprintBytes") continue;
      const x = a[name];
      const y = b[name];
      o[name] = typeof x === "number" ? x + (y as number) : { current: x.current + (y as Gauge).current, peak: x.peak + (y as Gauge).peak };
    }
    out.footprintBytes = this.heap.pool.stats().footprintBytes;
    out.fragmentation = out.footprintBytes.current > 0 ? 1 - out.requestedBytes.current / out.footprintBytes.current : 0;
    return out;
  }

  check(): void {
    this.pool.check();
    this.heap.check();
  }
}
