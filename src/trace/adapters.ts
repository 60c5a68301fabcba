// Allocators put together for a report's candidates: the way an engineer would actually use a
// region or a pool on a whole program's trace. Each is itself an Allocator.
import type { Allocator, MapRegion, MemoryViews } from "../core/allocator.js";
import { isMappable } from "../core/allocator.js";
import { NULL, type Ptr } from "../core/ptr.js";
import type { AllocatorStats } from "../core/stats.js";
import type { Region } from "../region/region.js";

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
