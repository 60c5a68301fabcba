// Slab caches (the Linux SLAB/SLUB family): a cache per size class, slabs of whole page-pool
// frames, objects on an in-slab free list, empty slabs given back to the pool beyond a small
// reserve, cache colouring. Layout and invariants: layout.ts. Full validation: check.ts.
import type { Allocator, MapRegion, Mappable } from "../core/allocator.js";
import { AttachError, doubleFree, invalidAlignment, invalidOption, invalidPointer, invalidSize, outOfMemory } from "../core/errors.js";
import { MIN_ALIGN, NULL, isSize, roundUp, type Ptr } from "../core/ptr.js";
import {
  S_FAILED,
  S_FOOTPRINT,
  STATS_BYTES,
  gaugeAdd,
  statsClear,
  type AllocatorStats,
  type ClassStats,
  countLive,
  statsReadNoRequests,
} from "../core/stats.js";
import { R_FRAME_SHIFT as P_FRAME_SHIFT, R_START as P_START, R_TABLE_FRAMES as P_TABLE_FRAMES } from "../pages/layout.js";
import { rootLooksLike } from "../memory/header.js";
import type { PagePool } from "../pages/page-pool.js";
import {
  CLASS_WORDS,
  C_ALIGN,
  C_CAPACITY,
  C_COLOURS,
  C_COLOUR_STEP,
  C_EMPTY,
  C_EMPTY_COUNT,
  C_FIRST,
  C_FULL,
  C_NEXT_COLOUR,
  C_PARTIAL,
  C_SIZE,
  C_SLABS,
  C_SLAB_BYTES,
  F_COLOUR,
  L_EMPTY,
  L_FULL,
  L_PARTIAL,
  MAX_CLASSES,
  MAX_OBJECT_BYTES,
  NO_CLASS,
  ROOT_WORDS,
  R_AREA,
  R_BYTES,
  R_CLASS0,
  R_CLASSES,
  R_FLAGS,
  R_FRAME_SHIFT,
  R_LIMIT,
  R_MAGIC,
  R_MAP,
  R_MAP_FRAMES,
  R_RESERVE,
  R_STATS,
  R_TABLE,
  SH_BITMAP,
  SH_BUMP,
  SH_CLASS,
  SH_END,
  SH_FIRST,
  SH_FREE,
  SH_INUSE,
  SH_LIST,
  SH_MAGIC,
  SH_NEXT,
  SH_OWNER,
  SH_PREV,
  SH_REMOTE,
  SLAB_MAGIC,
  SLAB_ROOT_MAGIC,
  bitmapBytes,
} from "./layout.js";
import { checkSizes, defaultSizes, isClassSize, slabGeometry } from "./size-classes.js";
import { checkSlab, walkList } from "./check.js";

export interface SlabOpts {
  /**
   * Object sizes of the caches: distinct multiples of 8 from 8 to 64 KiB, at most 120.
   * @defaultValue every multiple of 8 up to 64, then 8 classes per doubling up to 4 KiB (56 classes)
   */
  sizes?: number[];
  /**
   * Empty slabs each cache keeps for reuse; further empty slabs go back to the page pool at once.
   * @defaultValue 1
   */
  reserve?: number;
  /**
   * Cache colouring: successive slabs of a cache offset their first object by successive
   * multiples of the 64-byte cache line, as far as the slab's slack allows.
   * @defaultValue true
   */
  colour?: boolean;
  /**
   * Largest class size `addClass` may add later (the size → class table covers sizes up to it).
   * @defaultValue the larger of the largest size and 16 KiB
   */
  limit?: number;
}

/** Handle on a Slab: every field is fixed at construction (values that never change in the memory). */
export class Slab implements Allocator, Mappable {
  readonly kind = "slab" as const;
  readonly memory: PagePool["memory"];
  readonly pages: PagePool;
  /** Byte offset of the root run: what `Slab.attach` takes. */
  readonly root: Ptr;
  private readonly r: number; // word index of the root
  private readonly s: number; // f64 index of the stats block
  private readonly table: number; // byte offset of the size → class table
  private readonly limit: number;
  private readonly map: number; // byte offset of the page map
  private readonly area: number; // byte offset of the pool's frame 0
  private readonly span: number; // bytes the map covers
  private readonly frameShift: number;
  private readonly frameBytes: number;

  private constructor(pages: PagePool, root: Ptr) {
    this.pages = pages;
    this.memory = pages.memory;
    this.root = root;
    const u32 = this.memory.u32;
    const r = root >>> 2;
    this.r = r;
    this.s = u32[r + R_STATS] >>> 3;
    this.table = u32[r + R_TABLE];
    this.limit = u32[r + R_LIMIT];
    this.map = u32[r + R_MAP];
    this.area = u32[r + R_AREA];
    this.frameShift = u32[r + R_FRAME_SHIFT];
    this.frameBytes = 2 ** this.frameShift;
    this.span = u32[r + R_MAP_FRAMES] * this.frameBytes;
  }

  /**
   * Formats slab caches whose slabs come from `pages`. The root run (classes, stats, the size →
   * class table and the page map: one byte per frame the pool can ever have) is taken from the
   * pool now; an OutOfMemoryError when it cannot be.
   */
  static create(pages: PagePool, opts: SlabOpts = {}): Slab {
    const sizes = checkSizes(opts.sizes ?? defaultSizes(), MAX_CLASSES);
    const largest = sizes[sizes.length - 1];
    const reserve = opts.reserve ?? 1;
    if (!isSize(reserve) || reserve > 1 << 20) invalidOption("reserve", reserve, "an integer in [0, 2^20]");
    const limit = opts.limit ?? Math.max(largest, 16384);
    if (!isClassSize(limit) || limit < largest) invalidOption("limit", limit, `a multiple of 8 from the largest size to ${MAX_OBJECT_BYTES}`);
    const mem = pages.memory;
    const pr = mem.pagesRoot >>> 2;
    const area = mem.u32[pr + P_START];
    const mapFrames = mem.u32[pr + P_TABLE_FRAMES];
    const frameShift = mem.u32[pr + P_FRAME_SHIFT];
    const geometry = sizes.map((size) => slabGeometry(size, 2 ** frameShift, pages.classes)); // validates before anything is taken
    const stats = roundUp(ROOT_WORDS * 4, 8);
    const table = stats + STATS_BYTES;
    const map = table + (limit >>> 3) + 1;
    const bytes = map + mapFrames;
    const root = pages.alloc(bytes);
    if (root === NULL) outOfMemory(bytes, "slab root");
    const u8 = mem.u8;
    u8.fill(0, root, root + bytes);
    const u32 = mem.u32;
    const r = root >>> 2;
    u32[r + R_MAGIC] = SLAB_ROOT_MAGIC;
    u32[r + R_CLASSES] = 0;
    u32[r + R_LIMIT] = limit;
    u32[r + R_RESERVE] = reserve;
    u32[r + R_FLAGS] = opts.colour === false ? 0 : F_COLOUR;
    u32[r + R_STATS] = root + stats;
    u32[r + R_TABLE] = root + table;
    u32[r + R_MAP] = root + map;
    u32[r + R_MAP_FRAMES] = mapFrames;
    u32[r + R_AREA] = area;
    u32[r + R_FRAME_SHIFT] = frameShift;
    u32[r + R_BYTES] = pages.usableSize(root);
    statsClear(mem.f64, (root + stats) >>> 3);
    const slab = new Slab(pages, root);
    for (const g of geometry) slab.writeClass(g.size, g);
    slab.rebuildTable();
    gaugeAdd(mem.f64, slab.s + S_FOOTPRINT, u32[r + R_BYTES]);
    return slab;
  }

  /** A second handle on the Slab whose root run is at `root` (another worker, a re-opened image). */
  static attach(pages: PagePool, root: Ptr): Slab {
    const mem = pages.memory;
    if (!rootLooksLike(mem.u32, mem.byteLength, root, ROOT_WORDS * 4, R_MAGIC, SLAB_ROOT_MAGIC)) {
      throw new AttachError("ERR_HEAP_BAD_FORMAT", `no slab root at ${root}`);
    }
    return new Slab(pages, root);
  }

  // ── the fast paths ───────────────────────────────────────────────────────────────────────────

  /**
   * An object of the smallest class that holds `size` bytes, or 0 when the page pool is out of
   * memory. Sizes above the largest class throw ERR_HEAP_INVALID_SIZE.
   *
   * Fast path: one table load for the class, the partial-list head, one free-list pop (or one
   * bump), one bitmap store, the in-use count and the stats. No search, no call but gaugeAdd.
   */
  alloc(size: number): Ptr {
    if (typeof size === "number" && size >>> 0 === size && size <= this.limit) {
      const u32 = this.memory.u32;
      const cw = this.r + R_CLASS0 + this.memory.u8[this.table + ((size + 7) >>> 3)] * CLASS_WORDS;
      const h = u32[cw + C_PARTIAL]; // 0 for NO_CLASS: its record is all zero
      if (h !== NULL) {
        const hw = h >>> 2;
        const csize = u32[cw + C_SIZE];
        let p = u32[hw + SH_FREE];
        if (p !== NULL) {
          u32[hw + SH_FREE] = u32[p >>> 2];
        } else {
          p = u32[hw + SH_BUMP];
          if (p === u32[hw + SH_END]) return this.allocSlow(size);
          u32[hw + SH_BUMP] = p + csize;
        }
        const idx = (p - u32[hw + SH_FIRST]) / csize; // exact: p is an object start
        u32[hw + SH_BITMAP + (idx >>> 5)] |= 1 << (idx & 31);
        u32[hw + SH_INUSE]++;
        this.counted(csize);
        return p;
      }
    }
    return this.allocSlow(size);
  }

  /**
   * Returns an object. O(1): the page map gives the slab, one division the object index, one
   * bitmap test proves it live. Fast path: the slab stays on its partial list.
   */
  free(ptr: Ptr): void {
    if (typeof ptr === "number" && ptr >>> 0 === ptr) {
      const off = ptr - this.area;
      if (off >= 0 && off < this.span) {
        const f = off >>> this.frameShift;
        const d = this.memory.u8[this.map + f];
        if (d !== 0) {
          const u32 = this.memory.u32;
          const h = this.area + (f - d + 1) * this.frameBytes; // float arithmetic: exact above 2^31
          const hw = h >>> 2;
          const cw = this.r + R_CLASS0 + u32[hw + SH_CLASS] * CLASS_WORDS;
          const csize = u32[cw + C_SIZE];
          const q = (ptr - u32[hw + SH_FIRST]) / csize;
          const idx = q >>> 0;
          const inuse = u32[hw + SH_INUSE];
          if (idx === q && ptr < u32[hw + SH_BUMP] && u32[hw + SH_LIST] === L_PARTIAL && (inuse > 1 || u32[cw + C_PARTIAL] === h)) {
            const bw = hw + SH_BITMAP + (idx >>> 5);
            const m = 1 << (idx & 31);
            if ((u32[bw] & m) !== 0) {
              u32[bw] ^= m;
              u32[ptr >>> 2] = u32[hw + SH_FREE];
              u32[hw + SH_FREE] = ptr;
              u32[hw + SH_INUSE] = inuse - 1;
              this.counted(-csize);
              return;
            }
          }
        }
      }
    }
    this.freeSlow(ptr);
  }

  /** Objects are aligned to their class's natural alignment: the smallest class that holds `size` and is aligned to `align`, or 0 when none is. */
  alignedAlloc(size: number, align: number): Ptr {
    if (typeof align !== "number" || align >>> 0 !== align || align === 0 || (align & (align - 1)) !== 0) invalidAlignment(align);
    if (align <= MIN_ALIGN) return this.alloc(size);
    if (!isSize(size) || size > this.largest()) invalidSize(size, this.largest());
    const u32 = this.memory.u32;
    let best = NO_CLASS;
    for (let c = 0; c < u32[this.r + R_CLASSES]; c++) {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      if (u32[cw + C_SIZE] >= size && u32[cw + C_ALIGN] >= align && (best === NO_CLASS || u32[cw + C_SIZE] < this.classSize(best))) best = c;
    }
    return best === NO_CLASS ? NULL : this.allocIn(best);
  }

  /** True when `newSize` still fits the object's class (in place, nothing moves); false otherwise. */
  resize(ptr: Ptr, newSize: number): boolean {
    if (!isSize(newSize) || newSize > this.limit) invalidSize(newSize, this.largest());
    const h = this.liveObject(ptr, false);
    if (newSize <= this.classSize(this.memory.u32[(h >>> 2) + SH_CLASS])) return true;
    if (this.classFor(newSize) < 0) invalidSize(newSize, this.largest()); // no class serves it: as alloc would say
    return false;
  }

  /** The object's class size. */
  usableSize(ptr: Ptr): number {
    const h = this.liveObject(ptr, false);
    return this.classSize(this.memory.u32[(h >>> 2) + SH_CLASS]);
  }

  stats(): AllocatorStats {
    const u32 = this.memory.u32;
    const classes: ClassStats[] = [];
    for (let c = 0; c < u32[this.r + R_CLASSES]; c++) {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      let live = 0;
      for (const list of [C_PARTIAL, C_FULL]) walkList(u32, u32[cw + list], this.span / this.frameBytes, (h) => (live += u32[(h >>> 2) + SH_INUSE]));
      classes.push({ size: u32[cw + C_SIZE], liveBlocks: live, freeBlocks: u32[cw + C_SLABS] * u32[cw + C_CAPACITY] - live });
    }
    return statsReadNoRequests(this.memory.f64, this.s, classes);
  }

  check(): void {
    checkSlab(this.memory, this.root);
  }

  /** Gives every empty slab (beyond none) back to the page pool. Returns the bytes given back. */
  shrink(): number {
    let bytes = 0;
    const n = this.memory.u32[this.r + R_CLASSES];
    for (let c = 0; c < n; c++) {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      for (let h = this.memory.u32[cw + C_EMPTY]; h !== NULL; h = this.memory.u32[cw + C_EMPTY]) {
        this.unlink(cw, h);
        bytes += this.release(cw, h);
      }
      const head = this.memory.u32[cw + C_PARTIAL];
      if (head !== NULL && this.memory.u32[(head >>> 2) + SH_INUSE] === 0) {
        this.unlink(cw, head);
        bytes += this.release(cw, head);
      }
    }
    return bytes;
  }

  /** The root run and every slab, with its class and the bytes of its objects in use: for heap maps. O(slabs). */
  mapRegions(): MapRegion[] {
    const u32 = this.memory.u32;
    const out: MapRegion[] = [{ start: this.root, bytes: u32[this.r + R_BYTES], role: "slab root, size table, page map", usedBytes: 0 }];
    const cap = this.span / this.frameBytes;
    for (let c = 0; c < u32[this.r + R_CLASSES]; c++) {
      const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
      const size = u32[cw + C_SIZE];
      for (const list of [C_PARTIAL, C_FULL, C_EMPTY]) {
        walkList(u32, u32[cw + list], cap, (h) => out.push({ start: h, bytes: u32[cw + C_SLAB_BYTES], role: `slab ${size} B`, usedBytes: u32[(h >>> 2) + SH_INUSE] * size }));
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  // ── the heap-facing queries ──────────────────────────────────────────────────────────────────

  /**
   * The slab holding `ptr` (its header's address), or 0 when `ptr` is not in a slab of this Slab.
   * O(1), one byte load; never throws. It does not say that `ptr` is a live object: free() does.
   */
  slabOf(ptr: Ptr): Ptr {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) return NULL;
    const off = ptr - this.area;
    if (off < 0 || off >= this.span) return NULL;
    const f = off >>> this.frameShift;
    const d = this.memory.u8[this.map + f];
    return d === 0 ? NULL : this.area + (f - d + 1) * this.frameBytes;
  }

  /** Class index of the slab holding `ptr`, or -1 when `ptr` is in no slab of this Slab. O(1). */
  classOf(ptr: Ptr): number {
    const h = this.slabOf(ptr);
    return h === NULL ? -1 : this.memory.u32[(h >>> 2) + SH_CLASS];
  }

  /** The class `alloc(size)` uses, or -1 when no class holds `size`. O(1). */
  classFor(size: number): number {
    if (!isSize(size) || size > this.limit) return -1;
    const c = this.memory.u8[this.table + ((size + 7) >>> 3)];
    return c === NO_CLASS ? -1 : c;
  }

  /** Object size of class `c`. */
  classSize(c: number): number {
    return this.memory.u32[this.r + R_CLASS0 + c * CLASS_WORDS + C_SIZE];
  }

  /** Object sizes by class index (the order classes were added, not sorted). */
  get sizes(): number[] {
    const n = this.memory.u32[this.r + R_CLASSES];
    return Array.from({ length: n }, (_, c) => this.classSize(c));
  }

  /**
   * Adds a cache of `size`-byte objects (rounded up to a multiple of 8; at most the `limit` option) and points the
   * table's sizes in (next smaller class, size] at it, so later allocations of those sizes use
   * it; objects already allocated stay where they are. Returns its class index (the existing one
   * when `size` is already a class). Adaptive size classes: the heap adds a class for a common
   * size whose class wastes too much.
   */
  addClass(size: number): number {
    if (!isSize(size) || size === 0 || size > this.limit) invalidOption("size", size, `an integer from 1 to ${this.limit}`);
    size = roundUp(size, MIN_ALIGN); // objects stay 8-aligned
    const u32 = this.memory.u32;
    const n = u32[this.r + R_CLASSES];
    for (let c = 0; c < n; c++) if (this.classSize(c) === size) return c;
    if (n >= MAX_CLASSES) invalidOption("size", size, `room for another class (at most ${MAX_CLASSES})`);
    const c = this.writeClass(size, slabGeometry(size, this.frameBytes, this.pages.classes));
    this.rebuildTable();
    return c;
  }

  // ── slow paths ───────────────────────────────────────────────────────────────────────────────

  /** Everything alloc's fast path leaves out: bad sizes, a partial head with nothing left, a new slab. */
  private allocSlow(size: number): Ptr {
    if (!isSize(size)) invalidSize(size, this.largest());
    const c = size > this.limit ? NO_CLASS : this.memory.u8[this.table + ((size + 7) >>> 3)];
    if (c === NO_CLASS) invalidSize(size, this.largest());
    return this.allocIn(c);
  }

  /** An object of class `c`: from the partial head, after retiring full heads; else an empty slab; else a new one. */
  private allocIn(c: number): Ptr {
    const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
    for (;;) {
      const u32 = this.memory.u32;
      const h = u32[cw + C_PARTIAL];
      if (h !== NULL) {
        const hw = h >>> 2;
        const csize = u32[cw + C_SIZE];
        let p = u32[hw + SH_FREE];
        if (p !== NULL) {
          u32[hw + SH_FREE] = u32[p >>> 2];
        } else if (u32[hw + SH_BUMP] !== u32[hw + SH_END]) {
          p = u32[hw + SH_BUMP];
          u32[hw + SH_BUMP] = p + csize;
        }
        if (p !== NULL) {
          const idx = (p - u32[hw + SH_FIRST]) / csize;
          u32[hw + SH_BITMAP + (idx >>> 5)] |= 1 << (idx & 31);
          u32[hw + SH_INUSE]++;
          this.counted(csize);
          return p;
        }
        this.unlink(cw, h); // full: off the partial list, so the next head is tried
        this.push(cw, C_FULL, h, L_FULL);
        continue;
      }
      const e = u32[cw + C_EMPTY];
      if (e !== NULL) {
        this.unlink(cw, e);
        this.pushPartial(cw, e);
        continue;
      }
      if (this.newSlab(c) === NULL) {
        this.memory.f64[this.s + S_FAILED] += 1;
        return NULL; // running out is an answer, not an exception
      }
    }
  }

  /** Everything free's fast path leaves out: null, misuse, a slab changing lists. */
  private freeSlow(ptr: Ptr): void {
    if (ptr === NULL) return;
    const h = this.liveObject(ptr, true); // throws on misuse
    const u32 = this.memory.u32;
    const hw = h >>> 2;
    const cw = this.r + R_CLASS0 + u32[hw + SH_CLASS] * CLASS_WORDS;
    const csize = u32[cw + C_SIZE];
    const idx = (ptr - u32[hw + SH_FIRST]) / csize;
    u32[hw + SH_BITMAP + (idx >>> 5)] ^= 1 << (idx & 31);
    u32[ptr >>> 2] = u32[hw + SH_FREE];
    u32[hw + SH_FREE] = ptr;
    const inuse = u32[hw + SH_INUSE] - 1;
    u32[hw + SH_INUSE] = inuse;
    this.counted(-csize);
    if (u32[hw + SH_LIST] === L_FULL) {
      this.unlink(cw, h);
      this.pushPartial(cw, h); // the slab with room becomes the one alloc takes from
    } else if (inuse === 0 && u32[cw + C_PARTIAL] !== h) {
      this.unlink(cw, h);
      this.retire(cw, h);
    }
  }

  /**
   * The slab of a live object at `ptr`, or a thrown InvalidPointerError (DoubleFreeError when
   * `freeing` and the object is free). Each check is one load and a compare.
   */
  private liveObject(ptr: Ptr, freeing: boolean): Ptr {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    const h = this.slabOf(ptr);
    if (h === NULL) invalidPointer(ptr, "not in a slab of these caches");
    const u32 = this.memory.u32;
    const hw = h >>> 2;
    if (u32[hw + SH_MAGIC] !== SLAB_MAGIC) invalidPointer(ptr, "its slab header is damaged");
    const c = u32[hw + SH_CLASS];
    if (c >= u32[this.r + R_CLASSES]) invalidPointer(ptr, "its slab header is damaged");
    const q = (ptr - u32[hw + SH_FIRST]) / this.classSize(c);
    if (q >>> 0 !== q || ptr >= u32[hw + SH_END]) invalidPointer(ptr, "not the start of an object");
    if (ptr >= u32[hw + SH_BUMP]) invalidPointer(ptr, "an object never handed out");
    if ((u32[hw + SH_BITMAP + (q >>> 5)] & (1 << (q & 31))) === 0) {
      if (freeing) doubleFree(ptr);
      invalidPointer(ptr, "a free object");
    }
    return h;
  }

  /** A new slab of class `c` from the page pool, pushed as the partial head; 0 when the pool is out of memory. */
  private newSlab(c: number): Ptr {
    const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
    const slabBytes = this.memory.u32[cw + C_SLAB_BYTES];
    const h = this.pages.alloc(slabBytes);
    if (h === NULL) return NULL;
    const u32 = this.memory.u32; // after the pool: it may have grown the memory
    const hw = h >>> 2;
    const cap = u32[cw + C_CAPACITY];
    u32.fill(0, hw, hw + SH_BITMAP + bitmapBytes(cap) / 4);
    const colour = u32[cw + C_NEXT_COLOUR];
    if ((u32[this.r + R_FLAGS] & F_COLOUR) !== 0) u32[cw + C_NEXT_COLOUR] = colour + 1 === u32[cw + C_COLOURS] ? 0 : colour + 1;
    const first = h + u32[cw + C_FIRST] + colour * u32[cw + C_COLOUR_STEP];
    u32[hw + SH_MAGIC] = SLAB_MAGIC;
    u32[hw + SH_CLASS] = c;
    u32[hw + SH_FIRST] = first;
    u32[hw + SH_BUMP] = first;
    u32[hw + SH_END] = first + cap * u32[cw + C_SIZE];
    u32[hw + SH_OWNER] = 0;
    u32[hw + SH_REMOTE] = 0;
    const f0 = (h - this.area) / this.frameBytes;
    const frames = slabBytes / this.frameBytes;
    for (let i = 0; i < frames; i++) this.memory.u8[this.map + f0 + i] = i + 1;
    u32[cw + C_SLABS]++;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, slabBytes);
    this.pushPartial(cw, h);
    return h;
  }

  /** Pushes `h` as the partial head. A previous head left empty (only the head may be) is retired first. */
  private pushPartial(cw: number, h: Ptr): void {
    const u32 = this.memory.u32;
    const old = u32[cw + C_PARTIAL];
    if (old !== NULL && u32[(old >>> 2) + SH_INUSE] === 0) {
      this.unlink(cw, old);
      this.retire(cw, old);
    }
    this.push(cw, C_PARTIAL, h, L_PARTIAL);
  }

  /** An empty slab: reset and kept on the empty list while the reserve has room, else given back to the pool. */
  private retire(cw: number, h: Ptr): void {
    const u32 = this.memory.u32;
    if (u32[cw + C_EMPTY_COUNT] < u32[this.r + R_RESERVE]) {
      const hw = h >>> 2;
      u32[hw + SH_FREE] = NULL;
      u32[hw + SH_BUMP] = u32[hw + SH_FIRST];
      this.push(cw, C_EMPTY, h, L_EMPTY);
    } else {
      this.release(cw, h);
    }
  }

  /** Gives an unlinked slab back to the page pool; returns its bytes. */
  private release(cw: number, h: Ptr): number {
    const u32 = this.memory.u32;
    const slabBytes = u32[cw + C_SLAB_BYTES];
    const f0 = (h - this.area) / this.frameBytes;
    this.memory.u8.fill(0, this.map + f0, this.map + f0 + slabBytes / this.frameBytes);
    u32[(h >>> 2) + SH_MAGIC] = 0;
    u32[cw + C_SLABS]--;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, -slabBytes);
    this.pages.free(h);
    return slabBytes;
  }

  // ── lists and records ────────────────────────────────────────────────────────────────────────

  private push(cw: number, list: number, h: Ptr, tag: number): void {
    const u32 = this.memory.u32;
    const hw = h >>> 2;
    const head = u32[cw + list];
    u32[hw + SH_NEXT] = head;
    u32[hw + SH_PREV] = NULL;
    u32[hw + SH_LIST] = tag;
    if (head !== NULL) u32[(head >>> 2) + SH_PREV] = h;
    u32[cw + list] = h;
    if (tag === L_EMPTY) u32[cw + C_EMPTY_COUNT]++;
  }

  private unlink(cw: number, h: Ptr): void {
    const u32 = this.memory.u32;
    const hw = h >>> 2;
    const tag = u32[hw + SH_LIST];
    const list = tag === L_PARTIAL ? C_PARTIAL : tag === L_FULL ? C_FULL : C_EMPTY;
    const next = u32[hw + SH_NEXT];
    const prev = u32[hw + SH_PREV];
    if (prev !== NULL) u32[(prev >>> 2) + SH_NEXT] = next;
    else u32[cw + list] = next;
    if (next !== NULL) u32[(next >>> 2) + SH_PREV] = prev;
    u32[hw + SH_NEXT] = NULL;
    u32[hw + SH_PREV] = NULL;
    u32[hw + SH_LIST] = 0;
    if (tag === L_EMPTY) u32[cw + C_EMPTY_COUNT]--;
  }

  private writeClass(size: number, g: ReturnType<typeof slabGeometry>): number {
    const u32 = this.memory.u32;
    const c = u32[this.r + R_CLASSES];
    const cw = this.r + R_CLASS0 + c * CLASS_WORDS;
    u32.fill(0, cw, cw + CLASS_WORDS);
    u32[cw + C_SIZE] = size;
    u32[cw + C_ALIGN] = g.align;
    u32[cw + C_SLAB_BYTES] = g.slabBytes;
    u32[cw + C_CAPACITY] = g.capacity;
    u32[cw + C_FIRST] = g.first;
    u32[cw + C_COLOURS] = g.colours;
    u32[cw + C_COLOUR_STEP] = g.colourStep;
    u32[this.r + R_CLASSES] = c + 1;
    return c;
  }

  /** S6: table[g] = the smallest class of size >= 8 g, or NO_CLASS. */
  private rebuildTable(): void {
    const u32 = this.memory.u32;
    const n = u32[this.r + R_CLASSES];
    const bySize = Array.from({ length: n }, (_, c) => c).sort((a, b) => this.classSize(a) - this.classSize(b));
    const u8 = this.memory.u8;
    let k = 0;
    for (let g = 0; g <= this.limit >>> 3; g++) {
      while (k < n && this.classSize(bySize[k]) < g * 8) k++;
      u8[this.table + g] = k < n ? bySize[k] : NO_CLASS;
    }
  }

  private largest(): number {
    const n = this.memory.u32[this.r + R_CLASSES];
    let max = 0;
    for (let c = 0; c < n; c++) max = Math.max(max, this.classSize(c));
    return max;
  }

  /** Live-block counts for an allocation (`bytes` > 0) or a free (`bytes` < 0): see countLive. */
  private counted(bytes: number): void {
    countLive(this.memory.f64, this.s, bytes);
  }

}
