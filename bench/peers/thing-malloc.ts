// Peer `thing-malloc`: @thi.ng/malloc's MemPool (npm, version pinned in package-lock.json), a
// first-fit allocator with an address-ordered free list and coalescing, over one fixed-size
// ArrayBuffer. It cannot grow, so the buffer is sized from the workload's capacity hint; running
// out makes malloc return 0, which the workload reports as a failed pair.
//
// Two known bugs of 6.1.150 are worked around here, each in the way thi.ng's own code means to
// behave, and counted (shown in the results' note column):
//   1. realloc that moves a block leaks the old one: reallocBlock calls free() with the block's
//      address instead of its data address, free finds nothing and returns false. The old block
//      is still on the used list, so the adapter frees it by its data address after the move.
//      (The new block therefore never reuses the old one's space, as a fixed version could.)
//   2. realloc that shrinks the topmost block by less than minSplit (16) bytes lowers `top` but
//      leaves the block's size as it was, so the next block allocated at `top` lies inside it and
//      freeing the first later corrupts the second's header. Not splitting means "leave the block
//      as it is", so the adapter answers such a realloc with the same pointer and does not call it.
// Other misuse (an unknown pointer) makes thi.ng's free return false; the workloads never do it.
//
// Footprint: MemPool's `top` (the end of the highest block ever handed out and not returned),
// sampled after each allocation.
import { MemPool } from "@thi.ng/malloc";
import { bufferBytes, type Subject, type SubjectOptions, type SubjectRegion } from "../subject.js";
import { TrackedRegions } from "./tracked-regions.js";
import { fillBytes } from "../fill.js";

// MemPool's layout (6.1.150), in u32 words, with its `start` option at 0:
//   state:        word 0 free-list head, 1 used-list head, 2 top, 3 end, 4 align, 5 flags, 6 minSplit
//   block header: word 0 block size in bytes (header included), word 1 next block; data at +8
const S_TOP = 2;
const S_ALIGN = 4;
const S_MIN_SPLIT = 6;
const B_SIZE = 0;
const BLOCK_HEADER_BYTES = 8;

/** MemPool reads addresses with `>> 2`, which is signed: keep every address below 2^31. */
const MAX_BYTES = 2 ** 31 - 64 * 1024;

export class ThingMalloc implements Subject {
  private readonly pool: MemPool;
  private readonly u8: Uint8Array;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly regions: TrackedRegions;
  private peak = 0;
  private leaksFreed = 0;
  private shrinksKept = 0;

  constructor(opts: SubjectOptions) {
    const bytes = Math.min(MAX_BYTES, Math.ceil(bufferBytes(opts) / (64 * 1024)) * 64 * 1024);
    this.pool = new MemPool({ size: bytes });
    this.u8 = new Uint8Array(this.pool.buf);
    this.u32 = new Uint32Array(this.pool.buf);
    this.f64 = new Float64Array(this.pool.buf, 0, this.pool.buf.byteLength >>> 3);
    this.regions = new TrackedRegions(this);
  }

  alloc(size: number): number {
    const p = this.pool.malloc(size);
    const top = this.u32[S_TOP];
    if (top > this.peak) this.peak = top;
    return p;
  }

  free(ptr: number): void {
    this.pool.free(ptr);
  }

  write8(ptr: number, value: number): void {
    const u32 = this.u32;
    const w = ptr >>> 2;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  realloc(ptr: number, size: number): number {
    const u32 = this.u32;
    const block = ptr - BLOCK_HEADER_BYTES;
    const blockSize = u32[(block >>> 2) + B_SIZE];
    const align = u32[S_ALIGN];
    const padded = Math.ceil((size + BLOCK_HEADER_BYTES) / align) * align;
    if (padded <= blockSize && blockSize - padded < u32[S_MIN_SPLIT]) {
      if (padded < blockSize && block + blockSize >= u32[S_TOP]) this.shrinksKept++; // bug 2 would have struck here
      return ptr;
    }
    const q = this.pool.realloc(ptr, size);
    if (q !== 0 && q !== ptr) {
      this.pool.free(ptr); // bug 1: the moved-from block is still on the used list
      this.leaksFreed++;
    }
    const top = u32[S_TOP];
    if (top > this.peak) this.peak = top;
    return q;
  }

  fill(ptr: number, start: number, end: number, byte: number): void {
    fillBytes(this.u8, this.f64, ptr + start, ptr + end, byte);
  }

  peakFootprint(): number {
    return this.peak;
  }

  region(): SubjectRegion {
    return this.regions.open();
  }

  note(): string | undefined {
    if (this.leaksFreed === 0 && this.shrinksKept === 0) return undefined;
    return `6.1.150 bugs worked around: ${this.leaksFreed} moved-realloc leaks freed, ${this.shrinksKept} top-block shrinks kept in place`;
  }
}
