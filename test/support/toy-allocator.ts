// A small, honest Allocator for the trace layer's tests and benchmark, while heapkit's real
// allocators are being written: power-of-two size classes with one free list each, carved from a
// bump pointer in a Memory. Not a heapkit allocator (its free-list heads and counters live in JS,
// not in the memory); it keeps the Allocator contract closely enough to replay traces through.
//
// Block of class c: 2^c bytes at b, 8-aligned, c in [5, 31].
//
//   b+0   class | FREE_BIT          (for an aligned block, also at p-16: see below)
//   b+4   used: payload offset p - b     free: next free block of the class, 0 ends the list
//   b+8   requested size
//   b+12  unused
//   b+16  payload p (for alignments above 16, p = alignUp(b + 16, align), and the 16-byte header
//         is written again just below p, so that free(p) finds it at p - 16)
import { type Allocator } from "../../src/core/allocator.js";
import { corrupted, doubleFree, invalidAlignment, invalidPointer, invalidSize } from "../../src/core/errors.js";
import { NULL, alignUp, isPow2, isSize, type Ptr } from "../../src/core/ptr.js";
import { emptyStats, type AllocatorStats } from "../../src/core/stats.js";
import { Memory } from "../../src/memory/memory.js";

const HEADER = 16;
const FREE_BIT = 0x8000_0000;
const MIN_CLASS = 5;
const MAX_CLASS = 31;

export class ToyAllocator implements Allocator {
  readonly kind = "heap" as const;
  readonly memory: Memory;
  private readonly start: number;
  private bump: number;
  private readonly heads = new Float64Array(MAX_CLASS + 1);
  private readonly s = emptyStats();
  private off = 0; // header()'s second result

  constructor(opts: { initial?: number; maximum?: number } = {}) {
    this.memory = Memory.create({ initial: opts.initial ?? 1 << 20, maximum: opts.maximum ?? 1 << 30 });
    this.start = alignUp(this.memory.dataStart, 16);
    this.bump = this.start;
  }

  alloc(size: number): Ptr {
    if (!isSize(size)) invalidSize(size);
    return this.take(size, 16);
  }

  alignedAlloc(size: number, align: number): Ptr {
    if (!isSize(size)) invalidSize(size);
    if (!isPow2(align)) invalidAlignment(align);
    return this.take(size, Math.max(align, 16));
  }

  resize(ptr: Ptr, newSize: number): boolean {
    if (!isSize(newSize)) invalidSize(newSize);
    const c = this.header(ptr);
    const off = this.off;
    if (newSize + off > 2 ** c) return false;
    const u32 = this.memory.u32;
    const old = u32[(ptr - 8) >>> 2];
    u32[(ptr - 8) >>> 2] = newSize;
    this.s.requestedBytes.current += newSize - old;
    this.peaks();
    return true;
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    const c = this.header(ptr);
    const off = this.off;
    const u32 = this.memory.u32;
    const b = ptr - off;
    this.s.requestedBytes.current -= u32[(ptr - 8) >>> 2];
    this.s.liveBytes.current -= 2 ** c - off;
    this.s.liveBlocks.current--;
    this.s.frees++;
    u32[(ptr - HEADER) >>> 2] = c | FREE_BIT;
    u32[b >>> 2] = (c | FREE_BIT) >>> 0;
    u32[(b + 4) >>> 2] = this.heads[c];
    this.heads[c] = b;
  }

  usableSize(ptr: Ptr): number {
    const c = this.header(ptr);
    return 2 ** c - this.off;
  }

  stats(): AllocatorStats {
    const s = this.s;
    const g = (x: { current: number; peak: number }) => ({ current: x.current, peak: x.peak });
    const footprint = this.bump - this.start;
    return {
      liveBlocks: g(s.liveBlocks),
      liveBytes: g(s.liveBytes),
      requestedBytes: g(s.requestedBytes),
      footprintBytes: { current: footprint, peak: footprint },
      allocs: s.allocs,
      frees: s.frees,
      failedAllocs: s.failedAllocs,
      fragmentation: footprint > 0 ? 1 - s.requestedBytes.current / footprint : 0,
      classes: [],
    };
  }

  /** Walks every free list, bounded by the number of blocks that fit in the used range. */
  check(): void {
    const u32 = this.memory.u32;
    const bound = (this.bump - this.start) / 32;
    for (let c = MIN_CLASS; c <= MAX_CLASS; c++) {
      let steps = 0;
      for (let b = this.heads[c]; b !== 0; b = u32[(b + 4) >>> 2]) {
        if (++steps > bound) corrupted(`free list ${c} is longer than the heap (cycle?)`, b);
        if (b < this.start || b + 2 ** c > this.bump || b % 16 !== 0) corrupted(`free list ${c} holds a block out of range`, b);
        if (u32[b >>> 2] !== (c | FREE_BIT) >>> 0) corrupted(`free list ${c} holds a block that is not a free block of class ${c}`, b);
      }
    }
  }

  private take(size: number, align: number): Ptr {
    const need = Math.max(size, 1) + HEADER + (align - 16); // at least a byte: a payload never starts at the block's end
    const c = need > 0x8000_0000 ? MAX_CLASS + 1 : Math.max(MIN_CLASS, 32 - Math.clz32(need - 1));
    if (c > MAX_CLASS) return this.failed();
    let b = this.heads[c];
    let u32 = this.memory.u32;
    if (b !== 0) {
      this.heads[c] = u32[(b + 4) >>> 2];
    } else {
      b = this.bump;
      const end = b + 2 ** c;
      if (end > this.memory.byteLength && !this.memory.ensure(end)) return this.failed();
      this.bump = end;
      u32 = this.memory.u32;
    }
    const p = alignUp(b + HEADER, align);
    const off = p - b;
    u32[b >>> 2] = c;
    u32[(b + 4) >>> 2] = off;
    u32[(b + 8) >>> 2] = size;
    if (off !== HEADER) {
      u32[(p - HEADER) >>> 2] = c;
      u32[(p - 12) >>> 2] = off;
      u32[(p - 8) >>> 2] = size;
    }
    const s = this.s;
    s.liveBlocks.current++;
    s.liveBytes.current += 2 ** c - off;
    s.requestedBytes.current += size;
    s.allocs++;
    this.peaks();
    return p;
  }

  private failed(): Ptr {
    this.s.failedAllocs++;
    return NULL;
  }

  private peaks(): void {
    const s = this.s;
    if (s.liveBlocks.current > s.liveBlocks.peak) s.liveBlocks.peak = s.liveBlocks.current;
    if (s.liveBytes.current > s.liveBytes.peak) s.liveBytes.peak = s.liveBytes.current;
    if (s.requestedBytes.current > s.requestedBytes.peak) s.requestedBytes.peak = s.requestedBytes.current;
  }

  /**
   * The class of the used block at ptr (its payload offset goes to `off`, to return two numbers
   * without an object); throws on a pointer it never returned or a double free.
   */
  private header(ptr: Ptr): number {
    if (!isSize(ptr) || ptr % 16 !== 0 || ptr < this.start + HEADER || ptr >= this.bump) invalidPointer(ptr, "not a block of this allocator");
    const u32 = this.memory.u32;
    const cw = u32[(ptr - HEADER) >>> 2];
    const c = cw & 0xff;
    if ((cw & FREE_BIT) !== 0) doubleFree(ptr);
    const off = u32[(ptr - 12) >>> 2];
    if (c < MIN_CLASS || c > MAX_CLASS || off < HEADER || off >= 2 ** c) invalidPointer(ptr, "not a block of this allocator");
    this.off = off;
    return c;
  }
}
