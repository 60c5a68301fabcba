// The general-purpose heap: malloc, calloc, realloc, free, alignedAlloc, usableSize over one
// memory. A thin dispatcher: small sizes to the size-class slabs (small.ts), medium sizes to the
// TLSF core (segregated.ts), huge sizes to page pool runs (huge.ts). Layout: layout.ts.
import type { Allocator, MapRegion } from "../core/allocator.js";
import { allocArray, arrayBytes, type ElementType, type TypedArrayOf } from "../core/derived.js";
import { AttachError, corrupted, doubleFree, invalidAlignment, invalidPointer, invalidSize, invalidState } from "../core/errors.js";
import { NULL, isPow2, isSize, type Ptr } from "../core/ptr.js";
import { S_FAILED, statsClear, statsRead, type AllocatorStats } from "../core/stats.js";
import { newTag } from "../core/tags.js";
import { writeWord } from "../memory/header.js";
import { H_HEAP_ROOT } from "../memory/layout.js";
import { Memory, type MemoryOpts, type WasmMemory, type WasmOpts } from "../memory/memory.js";
import { PagePool, type PagePoolOpts } from "../pages/page-pool.js";
import { checkHeap } from "./check.js";
import { heapRegions } from "./map.js";
import { HugeSpace } from "./huge.js";
import {
  CHUNK_HEADER_BYTES,
  FREE_BIT,
  HEADER_BYTES,
  HEAP_MAGIC,
  HEAP_VERSION,
  HUGE_BIT,
  HUGE_HEADER_BYTES,
  HUGE_MIN,
  HW_RUN,
  LINEAR_LIMIT,
  MAX_SLACK,
  MEDIUM_MAX_ALIGN,
  MIN_BLOCK_BYTES,
  PREV_FREE_BIT,
  QUICK_MARK,
  QUICK_MAX,
  R_HEADS,
  R_KEY,
  R_MAGIC,
  R_MAINT,
  R_SM,
  R_SMALL,
  R_SLAB,
  SMALL_MAX,
  R_VERSION,
  ROOT_BYTES,
  SMALL_ROOT_BYTES,
  SIZE_MASK,
  SLACK_SHIFT,
  W_NEXT,
  W_PREV,
  W_SIZE,
  guardOf,
} from "./layout.js";
import { SegregatedHeap, countAllocAt, countFreeAt } from "./segregated.js";
import { SmallSizes } from "./small.js";
import { Slab } from "../slab/slab.js";
import { defaultSizes } from "../slab/size-classes.js";

export interface HeapOpts extends MemoryOpts, PagePoolOpts {
  /**
   * Serve requests up to SMALL_MAX (128) bytes from size-class slab pages (no per-block header,
   * adaptive classes) instead of the TLSF core's exact 8-byte lists. Off by default: on the
   * project's traces (bench/heap-traces-quick.ts) the slab pages lowered utilization on
   * python-json (86 % → 69 %), cmu-firefox-reddit (82 % → 61 %), sqlite-insert and amptjp, while
   * raising it on binary-bal and freeciv; turn it on for workloads of many same-size objects.
   * `"slab"` routes them through the Slab layer (src/slab) instead: its classes (8-byte steps to
   * 64, then 8 per doubling) and its page map (one byte per frame of the memory's maximum).
   * @defaultValue false
   */
  small?: boolean | "slab";
  /**
   * Let the small size classes adapt to the request histogram (add an exact class for a common
   * size that its class wastes more than 1/8 of).
   * @defaultValue true
   */
  adaptiveClasses?: boolean;
  /**
   * Put the heap in this memory instead of creating one (its page pool is used if it has one,
   * created otherwise). The memory options are then ignored.
   */
  memory?: Memory;
}

export type HeapWasmOpts = WasmOpts & PagePoolOpts & Pick<HeapOpts, "small" | "adaptiveClasses">;

/** Requests below this take the fast path when their exact free list is not empty. */
const FAST_LIMIT = LINEAR_LIMIT - HEADER_BYTES; // 248

const clock = (globalThis as { performance?: { now(): number } }).performance;
const now = (): number => (clock !== undefined ? clock.now() : Date.now());

/**
 * The general-purpose heap. All its state lives in the memory (the object is a handle: see
 * `attach`). Pointers are byte offsets; 0 means only "out of memory". Misuse throws a HeapError
 * with a stable code and leaves the heap valid.
 */
export class Heap implements Allocator {
  readonly kind = "heap" as const;
  readonly memory: Memory;
  readonly pool: PagePool;
  /** Byte offset of the heap's root. */
  readonly root: number;
  private readonly core: SegregatedHeap;
  private readonly huge: HugeSpace;
  private readonly small: SmallSizes | null;
  /** The Slab layer serving small sizes when created with small: "slab". */
  readonly slab: Slab | null;
  private readonly heads: number;
  private readonly quick: number;
  /** No small-size slabs: requests below 248 bytes are medium blocks (the fast paths' case). */
  private readonly plain: boolean;
  /** f64 index of the stats block. */
  private readonly stats0: number;
  private readonly key: number;
  private readonly lo: number;
  private readonly maxAlign: number;

  private constructor(memory: Memory, pool: PagePool, root: number) {
    this.memory = memory;
    this.pool = pool;
    this.root = root;
    this.core = new SegregatedHeap(memory, pool, root);
    this.huge = new HugeSpace(this.core);
    this.small = memory.u32[(root >>> 2) + R_SMALL] !== 0 ? new SmallSizes(this.core) : null;
    const slabRoot = memory.u32[(root >>> 2) + R_SLAB];
    this.slab = slabRoot !== 0 ? Slab.attach(pool, slabRoot) : null;
    this.heads = (root >>> 2) + R_HEADS;
    this.quick = this.core.quick;
    this.plain = this.small === null && this.slab === null;
    this.stats0 = this.core.s;
    this.key = this.core.key;
    this.lo = memory.dataStart + HUGE_HEADER_BYTES;
    this.maxAlign = pool.classes[pool.classes.length - 1];
  }

  /**
   * A new heap: over `opts.memory`, or over a new Memory made from the memory options (initial,
   * maximum, shared, growth, base, views). Page pool options (classes) apply when the pool is new.
   */
  static create(opts: HeapOpts = {}): Heap {
    const memory = opts.memory ?? Memory.create(opts);
    if (memory.u32[(memory.base >>> 2) + H_HEAP_ROOT] !== 0) invalidState("this memory already has a heap: use Heap.attach");
    const pool = memory.pagesRoot !== 0 ? PagePool.attach(memory) : PagePool.create(memory, opts);
    const small = opts.small === true && SmallSizes.fits(pool);
    const rootSize = small ? SMALL_ROOT_BYTES : ROOT_BYTES;
    const root = pool.alloc(rootSize + CHUNK_HEADER_BYTES + MIN_BLOCK_BYTES + HEADER_BYTES);
    if (root === NULL) invalidState("the memory cannot hold the heap's root");
    const u32 = memory.u32;
    const r = root >>> 2;
    u32.fill(0, r, r + rootSize / 4);
    u32[r + R_MAGIC] = HEAP_MAGIC;
    u32[r + R_VERSION] = HEAP_VERSION;
    u32[r + R_KEY] = newTag();
    if (small) u32[r + R_SMALL] = (r + R_SM) * 4;
    if (opts.small === "slab") {
      const slabRoot = Slab.create(pool, { sizes: defaultSizes(SMALL_MAX), limit: SMALL_MAX }).root;
      memory.u32[r + R_SLAB] = slabRoot; // a fresh view: creating the Slab may have grown (and replaced) the memory's buffer
    }
    const heap = new Heap(memory, pool, root);
    statsClear(memory.f64, heap.core.s);
    if (heap.small !== null) heap.small.format(opts.adaptiveClasses ?? true);
    const c = root + rootSize;
    heap.core.initChunk(memory.u32, c, root, root + pool.usableSize(root));
    heap.core.syncFootprint();
    writeWord(memory.u32, memory.base, H_HEAP_ROOT, root);
    return heap;
  }

  /**
   * A heap inside a WebAssembly module's memory, from `base` up (above the module's own data and
   * stack). The module can call this heap's malloc and free through its imports.
   */
  static fromWasm(memory: WasmMemory, opts: HeapWasmOpts = {}): Heap {
    const { classes, small, adaptiveClasses } = opts;
    return Heap.create({ classes, small, adaptiveClasses, memory: Memory.fromWasm(memory, opts) });
  }

  /** A second handle on the heap in `memory` (another worker, a re-opened image). */
  static attach(memory: Memory): Heap {
    const root = memory.u32[(memory.base >>> 2) + H_HEAP_ROOT];
    if (root === 0) throw new AttachError("ERR_HEAP_BAD_FORMAT", "this memory has no heap");
    const u32 = memory.u32;
    if (u32[(root >>> 2) + R_MAGIC] !== HEAP_MAGIC) throw new AttachError("ERR_HEAP_BAD_FORMAT", "no heap root where the memory header says");
    if (u32[(root >>> 2) + R_VERSION] !== HEAP_VERSION) {
      throw new AttachError("ERR_HEAP_VERSION_MISMATCH", `heap layout version ${u32[(root >>> 2) + R_VERSION]}, this code reads ${HEAP_VERSION}`);
    }
    return new Heap(memory, PagePool.attach(memory), root);
  }

  // ── typed views (current: read them again after anything that allocates) ───────────────────

  get u8(): Uint8Array {
    return this.memory.u8;
  }
  get i8(): Int8Array {
    return this.memory.i8;
  }
  get u16(): Uint16Array {
    return this.memory.u16;
  }
  get i16(): Int16Array {
    return this.memory.i16;
  }
  get u32(): Uint32Array {
    return this.memory.u32;
  }
  get i32(): Int32Array {
    return this.memory.i32;
  }
  get f32(): Float32Array {
    return this.memory.f32;
  }
  get f64(): Float64Array {
    return this.memory.f64;
  }

  // ── the C surface ───────────────────────────────────────────────────────────────────────────

  /** At least `size` bytes aligned to 8, or 0 when out of memory. `size` 0 gets a real block. */
  alloc(size: number): Ptr {
    // Fast path: a valid size below 248 bytes whose quick list is not empty: pop its head and give
    // it its used header back (the block is where it was: its neighbours never changed). The size
    // test is the validation: NaN, fractions, negatives, non-numbers and large sizes fail it.
    if (typeof size === "number" && size >>> 0 === size && size < FAST_LIMIT && this.plain) {
      const need = size <= 8 ? MIN_BLOCK_BYTES : (size + 15) & ~7;
      const u32 = this.memory.u32;
      const q = this.quick + (need >>> 3);
      const c = u32[q];
      if (c > 0) {
        // (> 0, not !== 0: a view that a module's own memory.grow detached reads undefined, and
        // the slow path then refreshes the views.)
        const w = c >>> 2;
        const csw = u32[w + W_SIZE];
        // A list entry that is not a cached block of this size: a write after free reached a
        // cached block's link. Reported, never handed out.
        if (((csw | PREV_FREE_BIT) ^ PREV_FREE_BIT) >>> 0 !== (need | QUICK_MARK) >>> 0) this.badQuick(c);
        u32[q] = u32[w + W_NEXT];
        const sw = ((csw & (SIZE_MASK | PREV_FREE_BIT)) | ((need - HEADER_BYTES - size) << SLACK_SHIFT)) >>> 0;
        u32[w + W_SIZE] = sw;
        if ((sw & PREV_FREE_BIT) === 0) u32[w + W_PREV] = guardOf(c, sw, this.key);
        countAllocAt(this.memory.f64, this.stats0, need - HEADER_BYTES, size);
        return c + HEADER_BYTES;
      }
    }
    return this.allocMore(size);
  }

  private badQuick(c: number): never {
    corrupted("Q1 a quick list names a block that is not cached there (a write after free?)", c);
  }

  /** alloc when the quick list is empty, the size is not small or not valid, or small sizes go to slabs. */
  private allocMore(size: number): Ptr {
    if (typeof size === "number" && size >>> 0 === size && size < FAST_LIMIT) {
      if (size <= SMALL_MAX && this.small !== null) {
        const p = this.small.alloc(size);
        if (p === NULL) this.memory.f64[this.core.s + S_FAILED] += 1;
        return p;
      }
      if (size <= SMALL_MAX && this.slab !== null) {
        const p = this.slab.alloc(size);
        if (p === NULL) this.memory.f64[this.core.s + S_FAILED] += 1;
        return p;
      }
      // The exact free list of the size: pop its head, no split.
      const need = size <= 8 ? MIN_BLOCK_BYTES : (size + 15) & ~7;
      const u32 = this.memory.u32;
      const b = u32[this.heads + (need >>> 3)];
      if (b > 0) {
        const core = this.core;
        core.remove(u32, b, need);
        core.carve(u32, b, need, need, size, 0);
        core.countAlloc(need - HEADER_BYTES, size);
        return b + HEADER_BYTES;
      }
    }
    return this.allocSlow(size);
  }

  /** C's malloc: same as `alloc`. */
  malloc(size: number): Ptr {
    return this.alloc(size);
  }

  /** C's calloc: `count * size` zeroed bytes (overflow throws ERR_HEAP_INVALID_SIZE), or 0 when out of memory. */
  calloc(count: number, size: number): Ptr {
    const bytes = arrayBytes(count, size);
    const p = this.alloc(bytes);
    if (p !== NULL) this.memory.u8.fill(0, p, p + bytes);
    return p;
  }

  /**
   * C's realloc. A null `ptr` acts as malloc. Grows in place into a free neighbour or the top of
   * the heap when it can; a shrink never moves. Size 0 keeps a minimal live block (never returns 0
   * for it: 0 means only "out of memory"). When it must move and cannot, returns 0 and the old
   * block stays live and untouched.
   */
  realloc(ptr: Ptr, size: number): Ptr {
    if (ptr === NULL) return this.alloc(size);
    if (this.resize(ptr, size)) return ptr;
    const keep = Math.min(this.usableSize(ptr), size);
    const q = this.alloc(size);
    if (q === NULL) return NULL;
    this.memory.u8.copyWithin(q, ptr, ptr + keep); // views read after alloc: it may have grown the memory
    this.free(ptr);
    return q;
  }

  /**
   * `size` bytes aligned to `align`, any power of two up to the largest page class. Note the order:
   * size first, like every heapkit call; C's aligned_alloc(alignment, size) takes them the other way round.
   */
  alignedAlloc(size: number, align: number): Ptr {
    if (typeof align !== "number" || !isPow2(align) || align > this.maxAlign) invalidAlignment(align, this.maxAlign);
    if (!isSize(size)) invalidSize(size);
    if (align <= 8) return this.alloc(size);
    this.memory.refresh();
    const p = align <= MEDIUM_MAX_ALIGN && size < HUGE_MIN ? this.core.alignedAlloc(size, align) : this.huge.alloc(size, align);
    if (p === NULL) this.memory.f64[this.core.s + S_FAILED] += 1;
    return p;
  }

  /** Returns a block. `free(0)` does nothing. A bad pointer, a double free or a damaged header throws. */
  free(ptr: Ptr): void {
    // Fast path: a used block of at most QUICK_MAX bytes with an intact guard (so its left
    // neighbour is used and the header is its own) goes onto its quick list, uncoalesced.
    if (typeof ptr === "number" && (ptr & 7) === 0 && ptr >= this.lo && this.plain) {
      const u32 = this.memory.u32;
      const b = ptr - HEADER_BYTES;
      const w = b >>> 2;
      const sw = u32[w + W_SIZE];
      const size = sw & SIZE_MASK;
      if ((sw & (FREE_BIT | PREV_FREE_BIT | HUGE_BIT)) === 0 && size >= MIN_BLOCK_BYTES && size <= QUICK_MAX && sw < QUICK_MARK && u32[w + W_PREV] === guardOf(b, sw, this.key)) {
        this.core.cache(u32, b);
        countFreeAt(this.memory.f64, this.stats0, size - HEADER_BYTES, size - HEADER_BYTES - (sw >>> SLACK_SHIFT));
        return;
      }
    }
    this.freeMore(ptr);
  }

  /** free of anything but a plain cached-size block: slab slots, larger or left-free blocks, huge blocks, bad pointers. */
  private freeMore(ptr: Ptr): void {
    if (typeof ptr === "number" && (ptr & 7) === 0 && ptr >= this.lo) {
      const u32 = this.memory.u32;
      if (this.small !== null) {
        const page = this.small.pageOf(ptr);
        if (page !== 0) {
          this.small.free(ptr, page);
          return;
        }
      } else if (this.slab !== null && this.slab.slabOf(ptr) !== 0) {
        this.slab.free(ptr);
        return;
      }
      const b = ptr - HEADER_BYTES;
      const sw = u32[(b >>> 2) + W_SIZE];
      const size = sw & SIZE_MASK;
      // A medium block: guarded (left neighbour used), or with its left neighbour's size stored
      // twice (left neighbour free), as isHuge checks it.
      if (
        (sw & (FREE_BIT | HUGE_BIT)) === 0 &&
        size >= MIN_BLOCK_BYTES &&
        sw < QUICK_MARK &&
        (sw >>> SLACK_SHIFT) <= size - HEADER_BYTES &&
        ((sw & PREV_FREE_BIT) === 0 ? u32[(b >>> 2) + W_PREV] === guardOf(b, sw, this.key) : this.leftAgrees(u32, b))
      ) {
        this.core.free(u32, b);
        return;
      }
    }
    this.freeSlow(ptr);
  }

  private freeSlow(ptr: Ptr): void {
    if (ptr === NULL) return;
    this.memory.refresh();
    const page = this.smallPage(ptr);
    if (page !== 0) return this.small!.free(ptr, page);
    if (this.slab !== null && this.slab.slabOf(ptr) !== 0) return this.slab.free(ptr);
    if (this.isHuge(ptr)) this.huge.free(ptr);
    else this.core.free(this.memory.u32, ptr - HEADER_BYTES);
  }

  /** In place only: true when the block now holds `size` bytes; false when it would have to move. */
  resize(ptr: Ptr, size: number): boolean {
    if (!isSize(size)) invalidSize(size);
    this.memory.refresh();
    const page = this.smallPage(ptr);
    if (page !== 0) return size <= this.small!.usableSize(ptr, page); // a slot holds up to its class size
    if (this.slab !== null && this.slab.slabOf(ptr) !== 0) return size <= this.slab.usableSize(ptr) && this.slab.resize(ptr, size); // its limit would throw
    if (this.isHuge(ptr)) return this.huge.resize(ptr, size);
    return this.core.resize(ptr - HEADER_BYTES, size);
  }

  /** Bytes the caller may use at `ptr` (at least what was asked for). */
  usableSize(ptr: Ptr): number {
    const page = this.smallPage(ptr);
    if (page !== 0) return this.small!.usableSize(ptr, page);
    if (this.slab !== null && this.slab.slabOf(ptr) !== 0) return this.slab.usableSize(ptr);
    return this.isHuge(ptr) ? this.huge.usableSize(ptr) : (this.memory.u32[((ptr - HEADER_BYTES) >>> 2) + W_SIZE] & SIZE_MASK) - HEADER_BYTES;
  }

  /** A typed array of `count` elements of `type` over a new block, or undefined when out of memory. */
  mallocAs<T extends ElementType>(type: T, count: number): TypedArrayOf<T> | undefined {
    return allocArray(this, type, count);
  }

  /** Like mallocAs, zeroed. */
  callocAs<T extends ElementType>(type: T, count: number): TypedArrayOf<T> | undefined {
    return allocArray(this, type, count, true);
  }

  stats(): AllocatorStats {
    this.core.syncFootprint();
    const own = statsRead(this.memory.f64, this.core.s, this.small !== null ? this.small.classes() : []);
    own.footprintBytes = this.pool.stats().footprintBytes; // the pool's gauge: exact peak, whoever took the pages
    if (this.slab === null) return own;
    // The Slab keeps its own stats block: currents add up exactly; a peak is the sum of the two
    // peaks (an upper bound: they need not have peaked together). The footprint is the pool's, shared.
    const sl = this.slab.stats();
    for (const k of ["liveBlocks", "liveBytes", "requestedBytes"] as const) {
      own[k].current += sl[k].current;
      own[k].peak += sl[k].peak;
    }
    own.allocs += sl.allocs;
    own.frees += sl.frees;
    own.failedAllocs += sl.failedAllocs;
    own.classes = sl.classes;
    own.fragmentation = own.footprintBytes.current > 0 ? 1 - own.requestedBytes.current / own.footprintBytes.current : 0;
    return own;
  }

  /** The heap's chunks, huge blocks and (with small: "slab") slabs, for heap maps. */
  mapRegions(): MapRegion[] {
    const own = heapRegions(this.memory, this.pool, this.root);
    return this.slab !== null ? [...own, ...this.slab.mapRegions()] : own;
  }

  check(): void {
    const small = this.small;
    if (this.slab !== null) this.slab.check();
    if (small === null) checkHeap(this.memory, this.pool, this.root);
    else checkHeap(this.memory, this.pool, this.root, small.check(), (p) => small.pageOf(p + 8) === p);
  }

  /**
   * Gives free memory back: the free tail of every chunk (whole chunks when empty) returns to the
   * page pool, which coalesces its free pages and returns its top to the platform. Returns the
   * bytes by which the footprint shrank.
   */
  trim(): number {
    this.memory.refresh();
    const before = this.pool.stats().footprintBytes.current;
    if (this.small !== null) this.small.trim();
    if (this.slab !== null) this.slab.shrink();
    this.core.flushQuick();
    for (const c of this.core.chunks()) this.core.trimChunk(c);
    this.pool.trim();
    this.core.syncFootprint();
    return before - this.pool.stats().footprintBytes.current;
  }

  /**
   * The idle hook: does trim()'s work incrementally, chunk by chunk, until `budgetMs` has passed,
   * and resumes where it stopped on the next call. Call it when the program is idle (between
   * frames, requests or batches). Returns true when a whole pass finished, page pool trim included.
   */
  maintain(budgetMs = 1): boolean {
    this.memory.refresh();
    const deadline = now() + budgetMs;
    const r = this.root >>> 2;
    if (this.memory.u32[r + R_MAINT] === 0) this.core.flushQuick(); // once per pass, at its start
    const chunks = this.core.chunks();
    for (let i = this.memory.u32[r + R_MAINT]; i < chunks.length; i++) {
      this.core.trimChunk(chunks[i]);
      if (now() > deadline && i + 1 < chunks.length) {
        this.memory.u32[r + R_MAINT] = i + 1;
        return false;
      }
    }
    this.memory.u32[r + R_MAINT] = 0;
    if (this.small !== null) this.small.trim();
    if (this.slab !== null) this.slab.shrink();
    this.pool.trim();
    this.core.syncFootprint();
    return true;
  }

  // ── validation ─────────────────────────────────────────────────────────────────────────────

  /**
   * Whether the live block at `ptr` is huge (else medium), after the checks: a pointer, in range,
   * on the grid, guard intact, not free. Throws ERR_HEAP_INVALID_POINTER, ERR_HEAP_DOUBLE_FREE
   * or ERR_HEAP_CORRUPTED, changing nothing. Returns a boolean, not the size word: a word above
   * 2^30 returned from a call V8 does not inline is a heap number, garbage on every realloc.
   */
  private isHuge(ptr: Ptr): boolean {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    if ((ptr & 7) !== 0) invalidPointer(ptr, "not on the 8-byte grid, so not a block start");
    if (ptr < this.lo || ptr > this.memory.byteLength) invalidPointer(ptr, "outside this heap");
    const u32 = this.memory.u32;
    const b = ptr - HEADER_BYTES;
    const w = b >>> 2;
    const sw = u32[w + W_SIZE];
    const intact = (sw & PREV_FREE_BIT) === 0 ? u32[w + W_PREV] === guardOf(b, sw, this.key) : this.leftAgrees(u32, b);
    if (!intact) this.badHeader(u32, ptr, sw);
    if ((sw & FREE_BIT) !== 0 || sw >>> SLACK_SHIFT === MAX_SLACK) doubleFree(ptr); // freed, or cached on a quick list
    if ((sw & HUGE_BIT) !== 0) {
      const run = u32[(ptr >>> 2) + HW_RUN];
      if (run >= ptr || ptr - run > this.maxAlign || (sw & SIZE_MASK) !== 0) corrupted("H1 huge header names no run", b);
      return true;
    }
    if ((sw & SIZE_MASK) < MIN_BLOCK_BYTES) invalidPointer(ptr, "not the start of a block (a chunk's end)");
    if ((sw >>> SLACK_SHIFT) > (sw & SIZE_MASK) - HEADER_BYTES) corrupted("B4 slack larger than the block", b);
    return false;
  }

  /** PF is set on b: its left neighbour must be a free block whose size is the one stored at b (stored twice). */
  private leftAgrees(u32: Uint32Array, b: number): boolean {
    const ls = u32[b >>> 2];
    if (ls < MIN_BLOCK_BYTES || (ls & 7) !== 0 || ls > b - this.lo) return false;
    const left = b - ls;
    const lsw = u32[(left >>> 2) + W_SIZE];
    return (lsw & (FREE_BIT | PREV_FREE_BIT | HUGE_BIT)) === FREE_BIT && (lsw & SIZE_MASK) === ls && u32[left >>> 2] === guardOf(left, lsw, this.key);
  }

  /**
   * A header whose guard does not match. When the rest of it is consistent with a used block whose
   * right neighbour is intact, the block is real and its guard was overwritten (an overrun of the
   * block before it): ERR_HEAP_CORRUPTED. Otherwise `ptr` is not a block start: ERR_HEAP_INVALID_POINTER.
   */
  private badHeader(u32: Uint32Array, ptr: Ptr, sw: number): never {
    const b = ptr - HEADER_BYTES;
    const size = sw & SIZE_MASK;
    if ((sw & (FREE_BIT | HUGE_BIT)) === 0 && size >= MIN_BLOCK_BYTES && b + size + HEADER_BYTES <= this.memory.byteLength) {
      const n = b + size;
      const nsw = u32[(n >>> 2) + W_SIZE];
      if ((nsw & PREV_FREE_BIT) === 0 && u32[n >>> 2] === guardOf(n, nsw, this.key)) {
        corrupted("B2 the guard of a live block was overwritten (an overrun of the block before it?)", b);
      }
    }
    invalidPointer(ptr, "not the start of a live block of this heap");
  }

  /** The slab page of `ptr` when it is a small block, else 0 (after the cheap pointer checks). */
  private smallPage(ptr: Ptr): number {
    if (this.small === null || typeof ptr !== "number" || ptr >>> 0 !== ptr || (ptr & 7) !== 0 || ptr < this.lo || ptr >= this.memory.byteLength) return 0;
    return this.small.pageOf(ptr);
  }

  /**
   * The size classes of the small sizes, the request histogram they adapt to, and how many classes
   * adaptation added (for reports; empty when small sizes are off).
   */
  sizeClasses(): { classes: { size: number; liveBlocks: number; freeBlocks: number }[]; histogram: [number, number][]; adapted: number } {
    if (this.small === null) return { classes: [], histogram: [], adapted: 0 };
    return { classes: this.small.classes(), histogram: this.small.histogram(), adapted: this.small.adapted };
  }

  private allocSlow(size: number): Ptr {
    if (!isSize(size)) invalidSize(size);
    if (this.memory.refresh()) return this.alloc(size); // the views were stale (the memory grew elsewhere): the fast paths again
    const p =
      size <= SMALL_MAX && this.small !== null
        ? this.small.alloc(size)
        : size <= SMALL_MAX && this.slab !== null
          ? this.slab.alloc(size)
          : size < HUGE_MIN ? this.core.alloc(size) : this.huge.alloc(size, 8);
    if (p === NULL) this.memory.f64[this.core.s + S_FAILED] += 1;
    return p;
  }
}
