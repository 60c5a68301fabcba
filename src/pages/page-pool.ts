// The page pool: wholesale from the memory, retail in pages, free pages hoarded per class for
// reuse. Layout and invariants: layout.ts. Every layer above takes its memory from here.
import type { Allocator } from "../core/allocator.js";
import { corrupted, doubleFree, invalidAlignment, invalidOption, invalidPointer, invalidSize, invalidState } from "../core/errors.js";
import { AttachError } from "../core/errors.js";
import { NULL, isPow2, isSize, roundUp, type Ptr } from "../core/ptr.js";
import {
  S_ALLOCS,
  S_FAILED,
  S_FOOTPRINT,
  S_FREES,
  S_LIVE_BLOCKS,
  S_LIVE_BYTES,
  S_REQUESTED,
  STATS_BYTES,
  gaugeAdd,
  statsClear,
  statsRead,
  type AllocatorStats,
} from "../core/stats.js";
import { log2, pow2 } from "../core/bits.js";
import type { Memory } from "../memory/memory.js";
import {
  CLASS_WORDS,
  C_FREE,
  C_HEAD,
  C_LIVE,
  C_SHIFT,
  MAX_RUN_FRAMES,
  POOL_MAGIC,
  ROOT_WORDS,
  R_CLASS0,
  R_CLASSES,
  R_FRAME_SHIFT,
  R_FREED,
  R_MAGIC,
  R_START,
  R_STATS,
  R_TABLE,
  R_TABLE_FRAMES,
  R_TOP,
  SEG_ADDRS,
  SEG_COUNT,
  SEG_NEXT,
  ST_FREE,
  ST_USED,
  entry,
  entryClass,
  entryFrames,
  entryState,
  segCap,
} from "./layout.js";
import { alignClassOf, checkClasses, defaultClasses, exactClassTable, holdingClass } from "./page-classes.js";
import { checkPagePool } from "./check.js";

export interface PagePoolOpts {
  /**
   * Page class sizes in bytes: ascending powers of two from 256 B to 1 GiB; the first is the
   * frame, the unit of every run.
   * @defaultValue 4 KiB, 64 KiB, 2 MiB, and 1 GiB when the memory's maximum is at least 2 GiB
   */
  classes?: number[];
}

/** What the pool's handle caches: values fixed when the pool was created, read once from the root. */
export interface PoolGeometry {
  readonly root: number; // word index of the root
  readonly stats: number; // f64 index of the stats block
  readonly frameShift: number;
  readonly frameBytes: number;
  readonly classFrames: readonly number[];
  readonly start: number;
  readonly table: number; // word index of the frame table
  readonly tableFrames: number;
  readonly segCap: number;
  readonly base: number;
}

/** One run of the page area, as `runs()` reports it. */
export interface PageRun {
  ptr: Ptr;
  bytes: number;
  used: boolean;
  /** Page class index: of the free page, or the alignment class of the used run. */
  cls: number;
}

export class PagePool implements Allocator {
  readonly kind = "pages" as const;
  readonly memory: Memory;
  /** Page class sizes in bytes, ascending. */
  readonly classes: readonly number[];
  private readonly g: PoolGeometry;
  private readonly exact: Int8Array;
  private readonly r: number;
  private readonly s: number;
  private readonly frameShift: number;
  private readonly table: number;

  private constructor(memory: Memory, root: number) {
    this.memory = memory;
    const u32 = memory.u32;
    const r = root >>> 2;
    const frameShift = u32[r + R_FRAME_SHIFT];
    const classFrames: number[] = [];
    for (let c = 0; c < u32[r + R_CLASSES]; c++) classFrames.push(pow2(u32[r + R_CLASS0 + c * CLASS_WORDS + C_SHIFT] - frameShift));
    this.g = {
      root: r,
      stats: u32[r + R_STATS] >>> 3,
      frameShift,
      frameBytes: pow2(frameShift), // small integers, not `2 **` (a double: boxed on every read before optimization)
      classFrames,
      start: u32[r + R_START],
      table: u32[r + R_TABLE] >>> 2,
      tableFrames: u32[r + R_TABLE_FRAMES],
      segCap: segCap(pow2(frameShift)),
      base: memory.base,
    };
    this.classes = classFrames.map((f) => f * this.g.frameBytes);
    this.exact = exactClassTable(classFrames);
    this.r = r;
    this.s = this.g.stats;
    this.frameShift = frameShift;
    this.table = this.g.table;
  }

  /** Formats a page pool over `memory`, which must not have one yet. */
  static create(memory: Memory, opts: PagePoolOpts = {}): PagePool {
    if (memory.pagesRoot !== 0) invalidState("this memory already has a page pool: use PagePool.attach");
    const maximum = memory.maximum;
    const classes = checkClasses(opts.classes ?? defaultClasses(maximum - memory.base));
    const frameBytes = classes[0];
    const root = roundUp(memory.dataStart, 8);
    const stats = roundUp(root + ROOT_WORDS * 4, 8);
    const table = roundUp(stats + STATS_BYTES, 8);
    const tableFrames = Math.ceil((maximum - table) / frameBytes);
    const start = roundUp(table + tableFrames * 8, frameBytes);
    if (start + frameBytes > maximum) invalidOption("maximum", maximum, "room for the page pool's table and at least one page");
    if (!memory.ensure(start)) invalidOption("maximum", maximum, "a memory that can grow to hold the page pool's table");
    const u32 = memory.u32;
    const r = root >>> 2;
    u32.fill(0, r, r + ROOT_WORDS);
    u32[r + R_MAGIC] = POOL_MAGIC;
    u32[r + R_FRAME_SHIFT] = log2(frameBytes);
    u32[r + R_CLASSES] = classes.length;
    u32[r + R_START] = start;
    u32[r + R_TOP] = start;
    u32[r + R_TABLE] = table;
    u32[r + R_TABLE_FRAMES] = tableFrames;
    u32[r + R_STATS] = stats;
    classes.forEach((size, c) => (u32[r + R_CLASS0 + c * CLASS_WORDS + C_SHIFT] = log2(size)));
    statsClear(memory.f64, stats >>> 3);
    memory.pagesRoot = root;
    const pool = new PagePool(memory, root);
    pool.setFootprint();
    return pool;
  }

  /** A second handle on the page pool of `memory` (another worker, a re-opened image). */
  static attach(memory: Memory): PagePool {
    const root = memory.pagesRoot;
    if (root === 0 || memory.u32[(root >>> 2) + R_MAGIC] !== POOL_MAGIC) throw new AttachError("ERR_HEAP_BAD_FORMAT", "this memory has no page pool");
    return new PagePool(memory, root);
  }

  /** The unit of every run: the smallest class size. */
  get frameBytes(): number {
    return this.g.frameBytes;
  }

  /** End of the tiled page area; the wilderness starts here. */
  get top(): number {
    return this.memory.u32[this.r + R_TOP];
  }

  /**
   * A run of at least `size` bytes (rounded up to whole frames), aligned to the largest page
   * class not longer than it, or 0 when out of memory. An exact class size is one page of that
   * class. Same as `allocPages`.
   */
  alloc(size: number): Ptr {
    // Fast path: a size of exactly one page of a class whose free list is not empty: one table
    // load, one segment pop, the head entry and the stats. Everything else is allocSlow.
    if (isSize(size) && size !== 0) {
      const frames = ((size - 1) >>> this.frameShift) + 1;
      if ((frames & (frames - 1)) === 0) {
        const c = this.exact[31 - Math.clz32(frames)];
        if (c >= 0) {
          const page = this.pop(this.memory.u32, c);
          if (page !== NULL) {
            this.markUsed(page, c, frames, size);
            return page;
          }
        }
      }
    }
    return this.allocSlow(size, 0);
  }

  /** Alias of `alloc`, by the name the page pool's users look for. */
  allocPages(bytes: number): Ptr {
    return this.alloc(bytes);
  }

  /** Alias of `free`. */
  freePages(ptr: Ptr): void {
    this.free(ptr);
  }

  /** A run aligned to `align` (a power of two up to the largest class), or 0 when out of memory. */
  alignedAlloc(size: number, align: number): Ptr {
    const largest = this.classes[this.classes.length - 1];
    if (typeof align !== "number" || !isPow2(align) || align > largest) invalidAlignment(align, largest);
    let c = 0;
    while (this.classes[c] < align) c++;
    return this.allocSlow(size, c);
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    const u32 = this.memory.u32;
    const w = this.headWord(u32, ptr);
    const e = u32[w];
    if (entryState(e) !== ST_USED) {
      if (entryState(e) === ST_FREE) doubleFree(ptr);
      invalidPointer(ptr, "not the start of a run this page pool handed out");
    }
    const frames = entryFrames(e);
    const c = entryClass(e);
    const bytes = frames * this.g.frameBytes;
    const f64 = this.memory.f64;
    const s = this.s;
    gaugeAdd(f64, s + S_LIVE_BLOCKS, -1);
    gaugeAdd(f64, s + S_LIVE_BYTES, -bytes);
    gaugeAdd(f64, s + S_REQUESTED, -u32[w + 1]);
    f64[s + S_FREES] += 1;
    u32[this.r + R_CLASS0 + c * CLASS_WORDS + C_LIVE]--;
    u32[this.r + R_FREED] = Math.min(u32[this.r + R_FREED] + frames, MAX_RUN_FRAMES);
    u32[w + 1] = 0;
    if (frames === this.g.classFrames[c]) {
      this.pushFree(u32, ptr, c);
    } else {
      u32[w] = 0;
      this.release(ptr, ptr + bytes);
    }
  }

  /**
   * In place only: a shrink gives the tail back as free pages; a grow succeeds when the run ends
   * at the top of the page area and the memory can grow. Otherwise false.
   */
  resize(ptr: Ptr, newSize: number): boolean {
    if (!isSize(newSize)) invalidSize(newSize);
    let u32 = this.memory.u32;
    const w = this.usedHead(u32, ptr);
    const frames = entryFrames(u32[w]);
    const want = newSize === 0 ? 1 : Math.ceil(newSize / this.g.frameBytes);
    const F = this.g.frameBytes;
    if (want > frames) {
      const end = ptr + want * F;
      if (ptr + frames * F !== u32[this.r + R_TOP] || want > MAX_RUN_FRAMES) return false;
      if (!this.extendTop(end)) return false;
      u32 = this.memory.u32;
    } else if (want < frames) {
      this.release(ptr + want * F, ptr + frames * F);
    }
    this.retag(u32, w, ptr, frames, want, newSize);
    return true;
  }

  usableSize(ptr: Ptr): number {
    const u32 = this.memory.u32;
    return entryFrames(u32[this.usedHead(u32, ptr)]) * this.g.frameBytes;
  }

  stats(): AllocatorStats {
    const u32 = this.memory.u32;
    const classes = this.classes.map((size, c) => {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      return { size, liveBlocks: u32[cw + C_LIVE], freeBlocks: u32[cw + C_FREE] };
    });
    return statsRead(this.memory.f64, this.s, classes);
  }

  check(): void {
    checkPagePool(this.memory, this.g);
  }

  /**
   * The runs tiling the page area, in address order: for each, its address, its length in bytes,
   * whether it is in use, and its class. For heap maps and reports; O(runs), allocates.
   */
  runs(): PageRun[] {
    const u32 = this.memory.u32;
    const top = u32[this.r + R_TOP];
    const out: PageRun[] = [];
    for (let at = this.g.start; at < top; ) {
      const e = u32[this.table + 2 * ((at - this.g.start) >>> this.frameShift)];
      const frames = entryFrames(e);
      if (frames === 0 || at + frames * this.g.frameBytes > top) corrupted("T1 run length out of range", at);
      out.push({ ptr: at, bytes: frames * this.g.frameBytes, used: entryState(e) === ST_USED, cls: entryClass(e) });
      at += frames * this.g.frameBytes;
    }
    return out;
  }

  /** First byte of the page area. */
  get start(): number {
    return this.g.start;
  }

  /**
   * Puts split pages back together: every maximal span of free frames is re-cut into the largest
   * aligned pages it holds. O(runs). Runs on `trim()`, and before the pool would grow the memory
   * (or fail) for a page that free smaller pages might make up; never on the fast paths.
   */
  coalesce(): void {
    this.recut(false);
  }

  /**
   * Coalesces, returns the free span at the top of the page area to the wilderness, and gives the
   * memory above the top back to the platform where it can shrink. Returns the bytes given back.
   */
  trim(): number {
    this.recut(true);
    const before = this.memory.byteLength;
    this.memory.shrink(this.top);
    return before - this.memory.byteLength;
  }

  // ── slow paths ───────────────────────────────────────────────────────────────────────────────

  /** Everything alloc's fast path leaves out: bad sizes, runs, refills from larger classes or the top, running out. */
  private allocSlow(size: number, alignClass: number): Ptr {
    if (!isSize(size)) invalidSize(size);
    this.memory.refresh();
    const frames = size === 0 ? 1 : Math.ceil(size / this.g.frameBytes);
    const c = Math.max(alignClassOf(this.g.classFrames, frames), alignClass);
    const page = frames > MAX_RUN_FRAMES ? NULL : this.takeRun(frames, c);
    if (page === NULL) {
      this.memory.f64[this.s + S_FAILED] += 1;
      return NULL; // running out is an answer, not an exception
    }
    this.markUsed(page, c, frames, size);
    return page;
  }

  /** `frames` contiguous frames aligned to class `c`'s size, the rest of the page they come from freed. */
  private takeRun(frames: number, c: number): Ptr {
    const b = holdingClass(this.g.classFrames, frames, c);
    if (b < 0) {
      // Longer than the largest class: from the top, or from a span of free pages put together.
      // A walk over the runs, but only when enough pages are free; such a run is megabytes long.
      const run = this.bump(frames, this.classes.length - 1);
      if (run !== NULL || this.freeBytes() < frames * this.g.frameBytes) return run;
      return this.recut(false, frames);
    }
    const page = this.takePage(b);
    if (page !== NULL && frames < this.g.classFrames[b]) {
      this.release(page + frames * this.g.frameBytes, page + this.g.classFrames[b] * this.g.frameBytes);
    }
    return page;
  }

  /**
   * One free page of class `b`: popped, or split from a larger free page; else, when enough has
   * been freed since the last coalesce to make up such a page, coalesce and try again; else cut
   * from the top; else, out of room, coalesce whatever was freed and try a last time.
   */
  private takePage(b: number): Ptr {
    let page = this.popOrSplit(b);
    if (page !== NULL) return page;
    if (this.memory.u32[this.r + R_FREED] >= this.g.classFrames[b]) {
      this.recut(false);
      page = this.popOrSplit(b);
      if (page !== NULL) return page;
    }
    page = this.bump(this.g.classFrames[b], b);
    if (page !== NULL || this.memory.u32[this.r + R_FREED] === 0) return page;
    this.recut(false);
    return this.popOrSplit(b);
  }

  /** A free page of class `b`, or of the smallest larger class that has one, split. */
  private popOrSplit(b: number): Ptr {
    const u32 = this.memory.u32;
    for (let d = b; d < this.g.classFrames.length; d++) {
      const page = this.pop(u32, d);
      if (page === NULL) continue;
      if (d > b) this.release(page + this.classes[b], page + this.classes[d]);
      return page;
    }
    return NULL;
  }

  /** A run cut from the wilderness at the top, aligned to class `c`; the alignment gap becomes free pages. */
  private bump(frames: number, c: number): Ptr {
    const top = this.memory.u32[this.r + R_TOP];
    const at = roundUp(top, this.classes[c]);
    const end = at + frames * this.g.frameBytes;
    if (!this.extendTop(end)) return NULL;
    if (at > top) this.release(top, at);
    return at;
  }

  /** Moves the top to `end`, growing the memory; clears the table entries of the frames it passes. */
  private extendTop(end: number): boolean {
    const top = this.memory.u32[this.r + R_TOP];
    if (end > this.memory.maximum || !this.memory.ensure(end)) return false;
    const u32 = this.memory.u32;
    const from = this.table + 2 * ((top - this.g.start) >>> this.frameShift);
    const to = this.table + 2 * ((end - this.g.start) >>> this.frameShift);
    u32.fill(0, from, to); // T1: frames above the old top were never written, or were cleared when trimmed
    u32[this.r + R_TOP] = end;
    this.setFootprint();
    return true;
  }

  /** Frees the frames [from, to) (frame-aligned, not listed anywhere) as the largest aligned pages that tile them. */
  private release(from: number, to: number): void {
    const u32 = this.memory.u32;
    const last = this.classes.length - 1;
    for (let at = from; at < to; ) {
      let c = last;
      while (c > 0 && ((at & (this.classes[c] - 1)) !== 0 || at + this.classes[c] > to)) c--;
      this.pushFree(u32, at, c);
      at += this.classes[c];
    }
  }

  /**
   * Clears every free head, then cuts each maximal free span into the largest aligned pages again.
   * With `toWilderness`, lowers the top past a free span that ends there. With `carve` > 0, first
   * takes a run of that many frames, aligned to the largest class, from the first span that holds
   * it, and returns it (0 when none does).
   */
  private recut(toWilderness: boolean, carve = 0): Ptr {
    const u32 = this.memory.u32;
    const F = this.g.frameBytes;
    const top = u32[this.r + R_TOP];
    const spans: number[] = [];
    let spanStart = -1;
    for (let at = this.g.start; at < top; ) {
      const w = this.table + 2 * ((at - this.g.start) >>> this.frameShift);
      const e = u32[w];
      const frames = entryFrames(e);
      if (frames === 0 || at + frames * F > top) {
        checkPagePool(this.memory, this.g); // throws, naming the broken invariant
        corrupted("T1 run length out of range", at);
      }
      if (entryState(e) === ST_FREE) {
        if (spanStart < 0) spanStart = at;
        u32[w] = 0;
      } else if (spanStart >= 0) {
        spans.push(spanStart, at);
        spanStart = -1;
      }
      at += frames * F;
    }
    if (spanStart >= 0) spans.push(spanStart, top);
    for (let c = 0; c < this.classes.length; c++) {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      u32[cw + C_HEAD] = 0;
      u32[cw + C_FREE] = 0;
    }
    u32[this.r + R_FREED] = 0;
    let carved = NULL;
    for (let i = 0; i < spans.length; i += 2) {
      const from = spans[i];
      const to = spans[i + 1];
      const at = roundUp(from, this.classes[this.classes.length - 1]);
      if (carve > 0 && carved === NULL && at + carve * F <= to) {
        carved = at;
        this.release(from, at);
        this.release(at + carve * F, to);
      } else if (toWilderness && to === top) {
        u32[this.r + R_TOP] = from;
        this.setFootprint();
      } else {
        this.release(from, to);
      }
    }
    return carved;
  }

  // ── the segmented free lists ─────────────────────────────────────────────────────────────────

  /** Pops a free page of class `c`, or 0. Its table entry is left for the caller to overwrite. */
  private pop(u32: Uint32Array, c: number): Ptr {
    const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
    const seg = u32[cw + C_HEAD];
    if (seg === NULL) return NULL;
    const sw = seg >>> 2;
    const n = u32[sw + SEG_COUNT];
    u32[cw + C_FREE]--;
    if (n !== 0) {
      u32[sw + SEG_COUNT] = n - 1;
      return u32[sw + SEG_ADDRS + n - 1];
    }
    u32[cw + C_HEAD] = u32[sw + SEG_NEXT]; // the segment is empty: hand out its own page
    return seg;
  }

  /** Marks `page` a free page of class `c` and pushes it on that class's list. */
  private pushFree(u32: Uint32Array, page: Ptr, c: number): void {
    u32[this.table + 2 * ((page - this.g.start) >>> this.frameShift)] = entry(ST_FREE, c, this.g.classFrames[c]);
    const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
    const seg = u32[cw + C_HEAD];
    u32[cw + C_FREE]++;
    if (seg !== NULL) {
      const sw = seg >>> 2;
      const n = u32[sw + SEG_COUNT];
      if (n < this.g.segCap) {
        u32[sw + SEG_ADDRS + n] = page;
        u32[sw + SEG_COUNT] = n + 1;
        return;
      }
    }
    const pw = page >>> 2; // the page becomes the new top segment
    u32[pw + SEG_NEXT] = seg;
    u32[pw + SEG_COUNT] = 0;
    u32[cw + C_HEAD] = page;
  }

  // ── heads and stats ──────────────────────────────────────────────────────────────────────────

  private markUsed(page: Ptr, c: number, frames: number, size: number): void {
    const u32 = this.memory.u32;
    const w = this.table + 2 * ((page - this.g.start) >>> this.frameShift);
    u32[w] = entry(ST_USED, c, frames);
    u32[w + 1] = size;
    u32[this.r + R_CLASS0 + c * CLASS_WORDS + C_LIVE]++;
    const f64 = this.memory.f64;
    const s = this.s;
    gaugeAdd(f64, s + S_LIVE_BLOCKS, 1);
    gaugeAdd(f64, s + S_LIVE_BYTES, frames * this.g.frameBytes);
    gaugeAdd(f64, s + S_REQUESTED, size);
    f64[s + S_ALLOCS] += 1;
  }

  /** Rewrites a used head after an in-place resize from `frames` to `want` frames. */
  private retag(u32: Uint32Array, w: number, ptr: Ptr, frames: number, want: number, size: number): void {
    const old = u32[w];
    const c = Math.min(alignClassOf(this.g.classFrames, want), this.alignmentClass(ptr));
    u32[this.r + R_CLASS0 + entryClass(old) * CLASS_WORDS + C_LIVE]--;
    u32[this.r + R_CLASS0 + c * CLASS_WORDS + C_LIVE]++;
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BYTES, (want - frames) * this.g.frameBytes);
    gaugeAdd(f64, this.s + S_REQUESTED, size - u32[w + 1]);
    u32[w] = entry(ST_USED, c, want);
    u32[w + 1] = size;
  }

  /** The largest class `ptr` is aligned to. */
  private alignmentClass(ptr: Ptr): number {
    let c = this.classes.length - 1;
    while (c > 0 && (ptr & (this.classes[c] - 1)) !== 0) c--;
    return c;
  }

  private freeBytes(): number {
    const u32 = this.memory.u32;
    let bytes = 0;
    for (let c = 0; c < this.classes.length; c++) bytes += u32[this.r + R_CLASS0 + c * CLASS_WORDS + C_FREE] * this.classes[c];
    return bytes;
  }

  private setFootprint(): void {
    const f64 = this.memory.f64;
    const top = this.memory.u32[this.r + R_TOP];
    // The frame table counts as far as it is touched: 8 bytes per frame below the top, in 4 KiB pages.
    const tableBytes = roundUp(((top - this.g.start) >>> this.frameShift) * 8, 4096);
    const fp = this.table * 4 - this.g.base + tableBytes + (top - this.g.start);
    gaugeAdd(f64, this.s + S_FOOTPRINT, fp - f64[this.s + S_FOOTPRINT]);
  }

  /** Word index of the table entry for `ptr`, after the cheap pointer checks. */
  private headWord(u32: Uint32Array, ptr: Ptr): number {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    if (ptr < this.g.start || ptr >= u32[this.r + R_TOP]) invalidPointer(ptr, "outside this page pool's page area");
    if (((ptr - this.g.start) & (this.g.frameBytes - 1)) !== 0) invalidPointer(ptr, "not aligned to a frame");
    return this.table + 2 * ((ptr - this.g.start) >>> this.frameShift);
  }

  /** Like headWord, for operations on a live run: a free or interior pointer throws. */
  private usedHead(u32: Uint32Array, ptr: Ptr): number {
    const w = this.headWord(u32, ptr);
    const state = entryState(u32[w]);
    if (state !== ST_USED) invalidPointer(ptr, state === ST_FREE ? "a free page" : "not the start of a run this page pool handed out");
    return w;
  }
}
