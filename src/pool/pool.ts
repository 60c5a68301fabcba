// The object pool: fixed-size blocks, O(1) alloc and free, segments from the page pool in
// exponentially growing runs, batch alloc/free. Layout and invariants P1–P4: layout.ts.
import type { Allocator } from "../core/allocator.js";
import { AttachError, doubleFree, invalidAlignment, invalidOption, invalidPointer, invalidSize, invalidState, outOfMemory } from "../core/errors.js";
import { NULL, alignUp, isPow2, isSize, type Ptr } from "../core/ptr.js";
import { S_ALLOCS, S_FAILED, S_FOOTPRINT, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED, STATS_BYTES, gaugeAdd, statsClear, statsRead, type AllocatorStats } from "../core/stats.js";
import { ceilPow2, firstAtLeast, log2, pow2 } from "../core/bits.js";
import { clearWords } from "../core/clear.js";
import { newTag } from "../core/tags.js";
import type { Memory } from "../memory/memory.js";
import { rootLooksLike } from "../memory/header.js";
import type { PagePool } from "../pages/page-pool.js";
import { checkPool } from "./check.js";
import {
  G_COUNT,
  G_FIRST,
  G_MAP,
  G_NEXT,
  G_OWNER,
  G_RUN,
  G_TAG,
  MAX_RUN_BYTES,
  MIN_BLOCKS_PER_SEG,
  POOL_MAGIC,
  P_ALIGN,
  P_BLOCK,
  P_BUMP,
  P_BUMP_I,
  P_FIRST,
  P_FREE,
  P_LIMIT,
  P_MAGIC,
  P_MAX_RUN,
  P_LIVE,
  P_NEW_FREES,
  P_PEAK,
  FOLD_FREES,
  P_NEXT_SEG,
  P_RUNS,
  P_RUN_END,
  P_RUN_SEGS,
  P_SEGS,
  P_SEG_SHIFT,
  P_SIZE,
  P_STATS,
  P_TAG,
  ROOT_BYTES,
  ROOT_WORDS,
  SEG_HEADER_BYTES,
  mapBytes,
} from "./layout.js";

export interface PoolOptions {
  /** Bytes of each object (blocks are this, rounded up to `align`, at least 8). */
  size: number;
  /** Block alignment, a power of two from 8 to 4096. @defaultValue 8 */
  align?: number;
}

/** Where block 0 starts in a segment of `count` blocks after `extra` bytes of root. */
const gridFirst = (count: number, align: number, extra: number): number => alignUp(SEG_HEADER_BYTES + mapBytes(count) + extra, align);

/** Blocks of `block` bytes that fit a segment of `seg` bytes after `extra` bytes of root. (Two numbers, not an object: no garbage per create.) */
function gridCount(seg: number, block: number, align: number, extra: number): number {
  let count = Math.floor((seg - SEG_HEADER_BYTES - extra) / block);
  while (count > 0 && gridFirst(count, align, extra) + count * block > seg) count--;
  return count;
}

/**
 * Segment size for `block`-byte blocks: a power of two of at least a frame and MIN_BLOCKS_PER_SEG
 * blocks, doubled (up to MAX_RUN_BYTES) while its header and tail waste (not the live map, which
 * grows with it) are more than 1/64 of it. Every byte wasted there is a byte touched for nothing:
 * 240 B blocks waste 3.2 % of an 8 KiB segment (264 B) and 0.3 % of a 16 KiB one.
 */
function segmentBytes(frameBytes: number, block: number, align: number, largest: number): number {
  let seg = Math.max(frameBytes, ceilPow2(block * MIN_BLOCKS_PER_SEG));
  const cap = Math.min(largest, Math.max(seg, MAX_RUN_BYTES));
  for (let count = gridCount(seg, block, align, 0); seg < cap && (seg - count * block - mapBytes(count)) * 64 > seg; ) {
    seg *= 2;
    count = gridCount(seg, block, align, 0);
  }
  return seg;
}

/**
 * A pool of fixed-size blocks (boost::pool). `alloc` and `free` are O(1): a LIFO free list,
 * then a bump through the current segment. Always-on checks cost one header load and one bit
 * test: a pointer that is not a block start of this pool throws ERR_HEAP_INVALID_POINTER, a
 * second free ERR_HEAP_DOUBLE_FREE.
 */
export class Pool implements Allocator {
  readonly kind = "pool" as const;
  readonly memory: Memory;
  readonly pages: PagePool;
  // What the handle points at. Set by the constructor, and again only when create() re-points a
  // destroyed handle at a new pool (`into`), so that a pool per request makes no garbage.
  private at: Ptr = NULL;
  private block = 0;
  private r = 0;
  private s = 0;
  private tag = 0;
  private segMask = 0;
  private segBytes = 0;
  /** 1 / blockSize, nudged up so that floor(k × blockSize × inv) = k exactly for every offset in a segment. */
  private inv = 0;

  private constructor(pages: PagePool, root: Ptr) {
    this.pages = pages;
    this.memory = pages.memory;
    this.point(root);
  }

  private point(root: Ptr): void {
    const u32 = this.memory.u32;
    this.at = root;
    this.r = root >>> 2;
    this.s = u32[this.r + P_STATS] >>> 3;
    this.tag = u32[this.r + P_TAG];
    this.block = u32[this.r + P_BLOCK];
    this.segBytes = pow2(u32[this.r + P_SEG_SHIFT]);
    this.segMask = -this.segBytes | 0;
    this.inv = (1 + 2 ** -40) / this.block;
  }

  /** Byte offset of the root: pass it to `Pool.attach`. */
  get root(): Ptr {
    return this.at;
  }

  /** Bytes of each block. */
  get blockSize(): number {
    return this.block;
  }

  /**
   * A new pool of `size`-byte objects. Throws OutOfMemoryError when its first segment cannot be
   * had. `into`: a destroyed handle over the same page pool to re-point at the new pool and return,
   * instead of a new handle object: a pool per request then makes no garbage for the GC.
   */
  static create(pages: PagePool, options: PoolOptions, into?: Pool): Pool {
    if (into !== undefined && (!(into instanceof Pool) || into.pages !== pages || into.alive)) {
      invalidState("Pool.create(pages, options, into): `into` must be a destroyed pool handle over the same page pool");
    }
    const size = options?.size;
    const align = options?.align ?? 8;
    const largest = pages.classes[pages.classes.length - 1];
    if (typeof align !== "number" || !isPow2(align) || align < 8 || align > 4096) invalidOption("align", align, "a power of two from 8 to 4096");
    const maxBlock = Math.floor(largest / MIN_BLOCKS_PER_SEG / 2);
    if (!isSize(size) || size > maxBlock) invalidOption("size", size, `an integer in [0, ${maxBlock}]`);
    const block = alignUp(Math.max(size, 8), align);
    const segBytes = segmentBytes(pages.frameBytes, block, align, largest);
    // Runs are whole page classes after the first, so a run given back (reset, destroy) is one
    // free page the next run pops as it is: no splitting, no coalescing, and its frames are hot.
    const capClass = firstAtLeast(pages.classes, Math.max(MAX_RUN_BYTES, 4 * segBytes), largest);
    const maxRun = Math.max(1, Math.floor(capClass / segBytes));
    // The first run is a whole page class too (one 4 KiB segment for small blocks, 64 KiB of 16 KiB
    // segments for 240 B ones): a pool created and destroyed per request then takes and gives
    // back one whole free page. A single segment was split from a 64 KiB page each time and
    // left the page pool coalescing on every create (measured: most of a create-destroy round).
    const firstRun = Math.min(firstAtLeast(pages.classes, segBytes, segBytes), maxRun * segBytes);
    let firstSegs = Math.max(1, Math.floor(firstRun / segBytes));
    let seg = takeRun(pages, segBytes, firstSegs);
    if (seg === NULL && firstSegs > 1) seg = takeRun(pages, segBytes, (firstSegs = 1));
    if (seg === NULL) outOfMemory(segBytes, "pool's first segment");
    const u32 = pages.memory.u32;
    const extra = ROOT_BYTES + STATS_BYTES;
    const count = gridCount(segBytes, block, align, extra);
    const first = gridFirst(count, align, extra);
    const root = SEG_HEADER_BYTES + mapBytes(count) + seg;
    const r = root >>> 2;
    const tag = newTag();
    clearWords(u32, r, r + ROOT_WORDS);
    u32[r + P_MAGIC] = POOL_MAGIC;
    u32[r + P_TAG] = tag;
    u32[r + P_BLOCK] = block;
    u32[r + P_SIZE] = size;
    u32[r + P_ALIGN] = align;
    u32[r + P_SEG_SHIFT] = log2(segBytes);
    u32[r + P_MAX_RUN] = maxRun;
    u32[r + P_STATS] = root + ROOT_BYTES;
    statsClear(pages.memory.f64, (root + ROOT_BYTES) >>> 3);
    formatSegment(u32, seg, root, tag, first, count, firstSegs);
    const restCount = gridCount(segBytes, block, align, 0);
    const restFirst = gridFirst(restCount, align, 0);
    for (let k = 1; k < firstSegs; k++) formatSegment(u32, seg + k * segBytes, root, tag, restFirst, restCount, 0);
    u32[r + P_RUNS] = seg;
    u32[r + P_FIRST] = seg;
    u32[r + P_RUN_SEGS] = firstSegs;
    u32[r + P_SEGS] = firstSegs;
    u32[r + P_BUMP] = seg + first;
    u32[r + P_LIMIT] = seg + first + count * block;
    u32[r + P_BUMP_I] = 0;
    u32[r + P_NEXT_SEG] = firstSegs > 1 ? seg + segBytes : NULL;
    u32[r + P_RUN_END] = seg + firstSegs * segBytes;
    gaugeAdd(pages.memory.f64, ((root + ROOT_BYTES) >>> 3) + S_FOOTPRINT, firstSegs * segBytes);
    if (into === undefined) return new Pool(pages, root);
    into.point(root);
    return into;
  }

  /** Another handle on the pool whose root is at `root`. */
  static attach(pages: PagePool, root: Ptr): Pool {
    const u32 = pages.memory.u32;
    if (!rootLooksLike(u32, pages.memory.byteLength, root, ROOT_BYTES, P_MAGIC, POOL_MAGIC) || u32[(root >>> 2) + P_TAG] === 0) {
      throw new AttachError("ERR_HEAP_BAD_FORMAT", `no live pool at ${String(root)}`);
    }
    return new Pool(pages, root);
  }

  /** True until `destroy`, seen from any handle. */
  get alive(): boolean {
    return this.memory.u32[this.r + P_TAG] === this.tag;
  }

  /** One block (`size` at most the block size), or 0 when out of memory. */
  alloc(size: number): Ptr {
    const u32 = this.memory.u32;
    const r = this.r;
    // Fast path, about 10 loads and stores: a valid size, a live pool, and a block on the free
    // list or left in the segment being carved. The guard is also the validation.
    if (typeof size === "number" && size >>> 0 === size && size <= this.block && u32[r + P_TAG] === this.tag) {
      let b = u32[r + P_FREE];
      let i: number;
      if (b !== NULL) {
        u32[r + P_FREE] = u32[b >>> 2];
        i = u32[(b >>> 2) + 1];
      } else {
        b = u32[r + P_BUMP];
        if (b === u32[r + P_LIMIT]) return this.allocSlow(size);
        u32[r + P_BUMP] = b + this.block;
        i = u32[r + P_BUMP_I];
        u32[r + P_BUMP_I] = i + 1;
      }
      u32[((b & this.segMask) >>> 2) + G_MAP + (i >>> 5)] |= 1 << (i & 31); // i & 31: the shift stays below 32
      u32[r + P_LIVE] += 1;
      return b;
    }
    return this.allocSlow(size);
  }

  /** One block, for callers that allocate objects rather than sizes: `alloc(0)` without the argument. */
  allocBlock(): Ptr {
    return this.alloc(0);
  }

  /** A block aligned to `align`: any alignment up to the pool's own; 0 beyond it (a pool cannot align further). */
  alignedAlloc(size: number, align: number): Ptr {
    if (typeof align !== "number" || !isPow2(align)) invalidAlignment(align);
    if (align > this.memory.u32[this.r + P_ALIGN]) {
      this.live();
      if (!isSize(size)) invalidSize(size);
      return NULL;
    }
    return this.alloc(size);
  }

  /** Returns a block. `free(0)` does nothing. */
  free(ptr: Ptr): void {
    const u32 = this.memory.u32;
    // Fast path: the segment by mask, one header load for the owner and the grid, one bit test.
    // A pointer outside the memory reads undefined and fails the owner test.
    // Measured (warm alloc + free pairs, 24 B, interleaved medians of 5 fresh processes on the
    // shared 2-core machine): 50 ns with these checks, 49 ns without the live bit, 32 ns with no
    // check at all. The live bit is free; the owner and grid test is about a third of the pair.
    if (typeof ptr === "number") {
      const sw = (ptr & this.segMask) >>> 2;
      if (u32[sw + G_OWNER] === this.root && u32[sw + G_TAG] === this.tag) {
        const off = ptr - sw * 4 - u32[sw + G_FIRST]; // sw * 4, not sw << 2: that would go negative above 2 GiB
        const i = Math.floor(off * this.inv);
        if (i >= 0 && i < u32[sw + G_COUNT] && i * this.block === off) {
          const w = sw + G_MAP + (i >>> 5);
          const bit = 1 << (i & 31);
          const word = u32[w];
          if ((word & bit) !== 0) {
            u32[w] = word & ~bit;
            const r = this.r;
            const pw = ptr >>> 2;
            u32[pw] = u32[r + P_FREE];
            u32[pw + 1] = i;
            u32[r + P_FREE] = ptr;
            const live = u32[r + P_LIVE];
            if (live > u32[r + P_PEAK]) u32[r + P_PEAK] = live; // a peak settles before the decrease
            u32[r + P_LIVE] = live - 1;
            const frees = u32[r + P_NEW_FREES] + 1;
            if (frees === FOLD_FREES) this.foldFrees();
            else u32[r + P_NEW_FREES] = frees;
            return;
          }
        }
      }
    }
    this.freeSlow(ptr);
  }

  /** Whether `ptr` is a block start of this pool (live or free): one mask and one header load, never throws. */
  owns(ptr: Ptr): boolean {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) return false;
    const u32 = this.memory.u32;
    const sw = (ptr & this.segMask) >>> 2;
    if (u32[sw + G_OWNER] !== this.root || u32[sw + G_TAG] !== this.tag) return false;
    const off = ptr - sw * 4 - u32[sw + G_FIRST];
    const i = Math.floor(off * this.inv);
    return i >= 0 && i < u32[sw + G_COUNT] && i * this.block === off;
  }

  /** Allocates up to `n` blocks into `out[0..n)`; returns how many it got (fewer only when out of memory). */
  allocMany(n: number, out: Uint32Array | number[]): number {
    if (!isSize(n) || n > out.length) invalidSize(n, out.length);
    for (let k = 0; k < n; k++) {
      const p = this.alloc(0);
      if (p === NULL) return k;
      out[k] = p;
    }
    return n;
  }

  /** Frees `ptrs[0..n)`. Stops at the first invalid pointer, throwing; the ones before it are freed. */
  freeMany(ptrs: Uint32Array | number[], n: number = ptrs.length): void {
    if (!isSize(n) || n > ptrs.length) invalidSize(n, ptrs.length);
    for (let k = 0; k < n; k++) this.free(ptrs[k]);
  }

  /** Always true for a size up to the block size (the block already holds it); larger sizes throw ERR_HEAP_INVALID_SIZE. */
  resize(ptr: Ptr, newSize: number): boolean {
    this.liveBlock(ptr);
    if (!isSize(newSize) || newSize > this.block) invalidSize(newSize, this.block);
    return true; // every size the pool accepts fits the block
  }

  usableSize(ptr: Ptr): number {
    this.liveBlock(ptr);
    return this.block;
  }

  stats(): AllocatorStats {
    this.live();
    const f64 = this.memory.f64;
    const s = this.s;
    const u32 = this.memory.u32;
    const r = this.r;
    this.foldFrees();
    const live = u32[r + P_LIVE];
    f64[s + S_ALLOCS] = f64[s + S_FREES] + live;
    const peak = Math.max(f64[s + S_LIVE_BLOCKS + 1], u32[r + P_PEAK], live);
    f64[s + S_LIVE_BLOCKS + 1] = peak;
    f64[s + S_LIVE_BLOCKS] = live;
    f64[s + S_LIVE_BYTES] = live * this.block;
    f64[s + S_LIVE_BYTES + 1] = peak * this.block;
    const size = this.memory.u32[this.r + P_SIZE];
    f64[s + S_REQUESTED] = live * size;
    f64[s + S_REQUESTED + 1] = peak * size;
    return statsRead(f64, s, [{ size: this.block, liveBlocks: live, freeBlocks: this.freeBlocks() }]);
  }

  check(): void {
    this.live();
    checkPool(this.memory, this.pages, this.root);
  }

  /** Frees every block and keeps only the first run of segments; the others go back to the page pool. */
  reset(): void {
    this.live();
    this.stats(); // settles the peaks before everything is freed
    let u32 = this.memory.u32;
    const r = this.r;
    const first = u32[r + P_FIRST];
    for (let run = u32[r + P_RUNS], i = 0; run !== first && run !== NULL && i < 1 << 26; i++) {
      const next = u32[(run >>> 2) + G_NEXT];
      this.dropRun(run);
      u32 = this.memory.u32;
      run = next;
    }
    const segs = u32[(first >>> 2) + G_RUN];
    for (let k = 0; k < segs; k++) {
      const sw = (first + k * this.segBytes) >>> 2;
      clearWords(u32, sw + G_MAP, sw + G_MAP + (mapBytes(u32[sw + G_COUNT]) >>> 2));
    }
    const fw = first >>> 2;
    u32[fw + G_NEXT] = NULL;
    u32[r + P_RUNS] = first;
    u32[r + P_RUN_SEGS] = segs;
    u32[r + P_FREE] = NULL;
    u32[r + P_BUMP] = first + u32[fw + G_FIRST];
    u32[r + P_LIMIT] = first + u32[fw + G_FIRST] + u32[fw + G_COUNT] * this.block;
    u32[r + P_BUMP_I] = 0;
    u32[r + P_NEXT_SEG] = segs > 1 ? first + this.segBytes : NULL;
    u32[r + P_RUN_END] = first + segs * this.segBytes;
    // Every live block is freed: frees catch up with allocs.
    this.memory.f64[this.s + S_FREES] += u32[r + P_LIVE];
    u32[r + P_LIVE] = 0;
  }

  /** Gives every segment back to the page pool; any later use, through any handle, throws ERR_HEAP_INVALID_STATE. */
  destroy(): void {
    this.live();
    let u32 = this.memory.u32;
    const r = this.r;
    const first = u32[r + P_FIRST];
    u32[r + P_TAG] = 0;
    u32[r + P_MAGIC] = 0;
    for (let run = u32[r + P_RUNS], i = 0; run !== NULL && i < 1 << 26; i++) {
      const next = u32[(run >>> 2) + G_NEXT];
      // Every segment disowned, so a stale handle's free fails its fast-path owner test.
      const segs = u32[(run >>> 2) + G_RUN];
      for (let k = 0; k < segs; k++) u32[((run + k * this.segBytes) >>> 2) + G_OWNER] = 0;
      if (run !== first) this.pages.free(run);
      u32 = this.memory.u32;
      run = next;
    }
    this.pages.free(first); // last: it held the root
  }

  /** Adds P_NEW_FREES to the stats block. */
  private foldFrees(): void {
    const u32 = this.memory.u32;
    this.memory.f64[this.s + S_FREES] += u32[this.r + P_NEW_FREES];
    u32[this.r + P_NEW_FREES] = 0;
  }

  // ── slow paths ───────────────────────────────────────────────────────────────────────────────

  /** Everything alloc's fast path leaves out: bad sizes, a destroyed pool, the next segment, a new run, running out. */
  private allocSlow(size: number): Ptr {
    this.live();
    if (!isSize(size) || size > this.block) invalidSize(size, this.block);
    let u32 = this.memory.u32;
    const r = this.r;
    if (u32[r + P_FREE] === NULL && u32[r + P_BUMP] === u32[r + P_LIMIT]) {
      if (u32[r + P_NEXT_SEG] === NULL && !this.grow()) {
        this.memory.f64[this.s + S_FAILED] += 1;
        return NULL; // running out is an answer, not an exception
      }
      u32 = this.memory.u32;
      const seg = u32[r + P_NEXT_SEG];
      const sw = seg >>> 2;
      u32[r + P_BUMP] = seg + u32[sw + G_FIRST];
      u32[r + P_LIMIT] = seg + u32[sw + G_FIRST] + u32[sw + G_COUNT] * this.block;
      u32[r + P_BUMP_I] = 0;
      u32[r + P_NEXT_SEG] = seg + this.segBytes < u32[r + P_RUN_END] ? seg + this.segBytes : NULL;
    }
    return this.alloc(size);
  }

  /** Takes a new run of segments: the next page class above the last run, up to P_MAX_RUN segments; fewer when memory is short. */
  private grow(): boolean {
    const u32a = this.memory.u32;
    const r = this.r;
    const last = u32a[r + P_RUN_SEGS] * this.segBytes;
    const nextClass = firstAtLeast(this.pages.classes, last + 1, last);
    let segs = Math.max(1, Math.min(Math.floor(nextClass / this.segBytes), u32a[r + P_MAX_RUN]));
    let run = NULL;
    for (; segs >= 1; segs >>>= 1) {
      run = takeRun(this.pages, this.segBytes, segs);
      if (run !== NULL) break;
    }
    if (run === NULL) return false;
    const u32 = this.memory.u32;
    const count = gridCount(this.segBytes, this.block, u32[r + P_ALIGN], 0);
    const first = gridFirst(count, u32[r + P_ALIGN], 0);
    for (let k = 0; k < segs; k++) formatSegment(u32, run + k * this.segBytes, this.root, this.tag, first, count, k === 0 ? segs : 0);
    u32[(run >>> 2) + G_NEXT] = u32[r + P_RUNS];
    u32[r + P_RUNS] = run;
    u32[r + P_RUN_SEGS] = segs;
    u32[r + P_SEGS] += segs;
    u32[r + P_NEXT_SEG] = run;
    u32[r + P_RUN_END] = run + segs * this.segBytes;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, segs * this.segBytes);
    return true;
  }

  private dropRun(run: Ptr): void {
    const u32 = this.memory.u32;
    const segs = u32[(run >>> 2) + G_RUN];
    for (let k = 0; k < segs; k++) u32[((run + k * this.segBytes) >>> 2) + G_OWNER] = 0;
    u32[this.r + P_SEGS] -= segs;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, -segs * this.segBytes);
    this.pages.free(run);
  }

  private freeSlow(ptr: Ptr): void {
    if (ptr === NULL) return;
    this.live();
    const i = this.blockIndex(ptr);
    if (!this.isCarved(ptr, i)) invalidPointer(ptr, "a block this pool has not handed out");
    doubleFree(ptr); // a carved block start whose live bit is clear: it is on the free list
  }

  /** Index of the block at `ptr` in its segment, after the cheap checks; throws for anything that is not a block start of this pool. */
  private blockIndex(ptr: Ptr): number {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    const u32 = this.memory.u32;
    const seg = (ptr & this.segMask) >>> 0;
    const sw = seg >>> 2;
    if (seg + SEG_HEADER_BYTES > this.memory.byteLength || u32[sw + G_OWNER] !== this.root || u32[sw + G_TAG] !== this.tag) {
      invalidPointer(ptr, "not in a segment of this pool");
    }
    const off = ptr - seg - u32[sw + G_FIRST];
    const i = Math.floor(off * this.inv);
    if (i < 0 || i >= u32[sw + G_COUNT] || i * this.block !== off) invalidPointer(ptr, "not the start of a block");
    return i;
  }

  /** Throws unless `ptr` is a live block of this pool. */
  private liveBlock(ptr: Ptr): void {
    this.live();
    const i = this.blockIndex(ptr);
    const sw = ((ptr & this.segMask) >>> 0) >>> 2;
    if ((this.memory.u32[sw + G_MAP + (i >>> 5)] & (1 << (i & 31))) === 0) invalidPointer(ptr, "a free block");
  }

  /** Whether block `i` (at `ptr`) has been handed out at least once since the last reset. */
  private isCarved(ptr: Ptr, i: number): boolean {
    const u32 = this.memory.u32;
    const r = this.r;
    const seg = (ptr & this.segMask) >>> 0;
    const limit = u32[r + P_LIMIT];
    if (limit !== 0 && seg === ((limit - 1) & this.segMask) >>> 0) return i < u32[r + P_BUMP_I];
    const next = u32[r + P_NEXT_SEG];
    if (next !== NULL && seg >= next && seg < u32[r + P_RUN_END]) return false;
    return true;
  }

  private freeBlocks(): number {
    const u32 = this.memory.u32;
    let n = 0;
    const cap = this.memory.byteLength >>> 3;
    for (let b = u32[this.r + P_FREE]; b !== NULL && n < cap; b = u32[b >>> 2]) n++;
    return n;
  }

  private live(): void {
    if (this.memory.u32[this.r + P_TAG] !== this.tag || this.tag === 0) invalidState("this pool was destroyed");
  }
}

function formatSegment(u32: Uint32Array, seg: Ptr, root: Ptr, tag: number, first: number, count: number, runSegs: number): void {
  const sw = seg >>> 2;
  u32[sw + G_OWNER] = root;
  u32[sw + G_TAG] = tag;
  u32[sw + G_FIRST] = first;
  u32[sw + G_COUNT] = count;
  u32[sw + G_RUN] = runSegs;
  u32[sw + G_NEXT] = NULL;
  clearWords(u32, sw + G_MAP, sw + G_MAP + (mapBytes(count) >>> 2));
}

/** `segs` segments of `segBytes`, contiguous and aligned to `segBytes`, or 0. */
function takeRun(pages: PagePool, segBytes: number, segs: number): Ptr {
  const bytes = segBytes * segs;
  return segBytes <= pages.frameBytes ? pages.alloc(bytes) : pages.alignedAlloc(bytes, segBytes);
}
