// The buddy allocator: power-of-two blocks, split on alloc, coalesced with the free buddy on free,
// per-order doubly linked free lists and two bitmaps per arena. O(log(maxBlock / minBlock)) per
// operation. Layout and invariants: layout.ts.
import type { Allocator, MapRegion, Mappable } from "../core/allocator.js";
import { AttachError, corrupted, doubleFree, invalidAlignment, invalidOption, invalidPointer, invalidSize, outOfMemory } from "../core/errors.js";
import { NULL, isPow2, isSize, type Ptr } from "../core/ptr.js";
import {
  S_FAILED,
  S_FOOTPRINT,
  S_LIVE_BYTES,
  STATS_BYTES,
  gaugeAdd,
  statsClear,
  type AllocatorStats,
  countLive,
  statsReadNoRequests,
} from "../core/stats.js";
import { log2 } from "../core/bits.js";
import { rootLooksLike } from "../memory/header.js";
import { Memory } from "../memory/memory.js";
import { PagePool } from "../pages/page-pool.js";
import {
  ARENA_WORDS,
  A_BASE,
  A_META,
  BUDDY_MAGIC,
  B_NEXT,
  B_PREV,
  MAX_ARENAS,
  MAX_K,
  ROOT_WORDS,
  R_ARENA0,
  R_ARENAS,
  R_ARENA_ALIGN,
  R_ARENA_BYTES,
  R_BYTES,
  R_FREE0,
  R_HEAD0,
  R_MAGIC,
  R_META_BYTES,
  R_MIN_SHIFT,
  R_NONEMPTY,
  R_ORDERS,
  R_STATS,
  R_USED0,
  bitmapBytes,
} from "./layout.js";
import { checkBuddy } from "./check.js";

export interface BuddyOpts {
  /**
   * Smallest block (order 0): a power of two from 8 to 2^20.
   * @defaultValue 32
   */
  minBlock?: number;
  /**
   * Largest block, and the size of each arena taken from the page pool: a power of two with
   * maxBlock / minBlock at most 2^24.
   * @defaultValue 1 MiB
   */
  maxBlock?: number;
}

export class Buddy implements Allocator, Mappable {
  readonly kind = "buddy" as const;
  readonly memory: Memory;
  readonly pages: PagePool;
  /** Byte offset of the root run: what `Buddy.attach` takes. */
  readonly root: Ptr;
  readonly minBlock: number;
  readonly maxBlock: number;
  private readonly r: number;
  private readonly s: number;
  private readonly minShift: number;
  private readonly K: number;
  private readonly bitmapWords: number; // u32 words of one bitmap

  private constructor(pages: PagePool, root: Ptr) {
    this.pages = pages;
    this.memory = pages.memory;
    this.root = root;
    const u32 = this.memory.u32;
    const r = root >>> 2;
    this.r = r;
    this.s = u32[r + R_STATS] >>> 3;
    this.minShift = u32[r + R_MIN_SHIFT];
    this.K = u32[r + R_ORDERS] - 1;
    this.minBlock = 2 ** this.minShift;
    this.maxBlock = 2 ** (this.minShift + this.K);
    this.bitmapWords = bitmapBytes(this.K) / 4;
  }

  /**
   * A buddy allocator taking arenas of maxBlock bytes from `pages` (or from the page pool of a
   * Memory, created there when it has none). The root run is taken now; the first arena on the
   * first allocation.
   */
  static create(pagesOrMemory: PagePool | Memory, opts: BuddyOpts = {}): Buddy {
    const pages = pagesOrMemory instanceof PagePool ? pagesOrMemory : pagesOrMemory.pagesRoot !== 0 ? PagePool.attach(pagesOrMemory) : PagePool.create(pagesOrMemory);
    const minBlock = opts.minBlock ?? 32;
    const maxBlock = opts.maxBlock ?? 1 << 20;
    if (typeof minBlock !== "number" || !isPow2(minBlock) || minBlock < 8 || minBlock > 1 << 20) invalidOption("minBlock", minBlock, "a power of two from 8 to 2^20");
    if (typeof maxBlock !== "number" || !isPow2(maxBlock) || maxBlock < minBlock || maxBlock > 1 << 30 || maxBlock / minBlock > 2 ** MAX_K) {
      invalidOption("maxBlock", maxBlock, `a power of two from minBlock to min(2^30, minBlock * 2^${MAX_K})`);
    }
    const K = log2(maxBlock / minBlock);
    const largestPage = pages.classes[pages.classes.length - 1];
    const stats = Math.ceil((ROOT_WORDS * 4) / 8) * 8;
    const bytes = stats + STATS_BYTES;
    const root = pages.alloc(bytes);
    if (root === NULL) outOfMemory(bytes, "buddy root");
    const mem = pages.memory;
    const u32 = mem.u32;
    const r = root >>> 2;
    u32.fill(0, r, r + ROOT_WORDS);
    u32[r + R_MAGIC] = BUDDY_MAGIC;
    u32[r + R_MIN_SHIFT] = log2(minBlock);
    u32[r + R_ORDERS] = K + 1;
    u32[r + R_ARENA_ALIGN] = Math.min(maxBlock, largestPage);
    u32[r + R_STATS] = root + stats;
    u32[r + R_META_BYTES] = 2 * bitmapBytes(K);
    u32[r + R_BYTES] = pages.usableSize(root);
    const frame = pages.frameBytes;
    u32[r + R_ARENA_BYTES] = Math.ceil(maxBlock / frame) * frame + Math.ceil((2 * bitmapBytes(K)) / frame) * frame;
    statsClear(mem.f64, (root + stats) >>> 3);
    gaugeAdd(mem.f64, ((root + stats) >>> 3) + S_FOOTPRINT, u32[r + R_BYTES]);
    return new Buddy(pages, root);
  }

  /** A second handle on the buddy allocator whose root run is at `root`. */
  static attach(pages: PagePool, root: Ptr): Buddy {
    const mem = pages.memory;
    if (!rootLooksLike(mem.u32, mem.byteLength, root, ROOT_WORDS * 4, R_MAGIC, BUDDY_MAGIC)) {
      throw new AttachError("ERR_HEAP_BAD_FORMAT", `no buddy root at ${root}`);
    }
    return new Buddy(pages, root);
  }

  /** The block order that holds `size` bytes: ceil(log2 size) - log2 minBlock, at least 0. */
  orderOf(size: number): number {
    return size <= this.minBlock ? 0 : 32 - Math.clz32(size - 1) - this.minShift;
  }

  /**
   * A block of the smallest power of two that holds `size` (at least minBlock), aligned to its
   * size, or 0 when the page pool has no arena left to give. Sizes above maxBlock throw.
   * The smallest non-empty list at or above the order is found with one bit scan; a larger block
   * is split down, its upper halves going onto the lists below.
   */
  alloc(size: number): Ptr {
    if (!isSize(size) || size > this.maxBlock) invalidSize(size, this.maxBlock);
    return this.allocOrder(this.orderOf(size));
  }

  alignedAlloc(size: number, align: number): Ptr {
    if (typeof align !== "number" || !isPow2(align)) invalidAlignment(align);
    if (!isSize(size) || size > this.maxBlock) invalidSize(size, this.maxBlock);
    if (align > this.memory.u32[this.r + R_ARENA_ALIGN]) return NULL; // blocks are aligned to their size only up to the arena's alignment
    return this.allocOrder(this.orderOf(Math.max(size, align)));
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    const a = this.arenaOf(ptr);
    const node = this.blockNode(a, ptr, true);
    const k = this.K - (31 - Math.clz32(node)); // the depth of the node gives its order
    const u32 = this.memory.u32;
    u32[this.r + R_USED0 + k]--;
    this.counted(-(1 << (this.minShift + k)));
    this.release(a, node, k);
  }

  /**
   * In place: a shrink splits the block and frees its upper parts; a grow succeeds when the block
   * is the lower half at every order up to the new one and each of those buddies is wholly free.
   */
  resize(ptr: Ptr, newSize: number): boolean {
    if (!isSize(newSize) || newSize > this.maxBlock) invalidSize(newSize, this.maxBlock);
    const a = this.arenaOf(ptr);
    let node = this.blockNode(a, ptr, false);
    const k = this.K - (31 - Math.clz32(node));
    const want = this.orderOf(newSize);
    if (want === k) return true;
    const u32 = this.memory.u32;
    const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
    const split = u32[aw + A_META] >>> 2;
    const free = split + this.bitmapWords;
    if (want > k) {
      for (let j = k, i = node; j < want; j++, i >>>= 1) {
        if ((i & 1) !== 0 || !bit(u32, free, i ^ 1)) return false;
      }
      for (let j = k; j < want; j++, node >>>= 1) {
        this.unlist(u32, this.blockAt(u32[aw + A_BASE], node ^ 1, j), j);
        clearBit(u32, free, node ^ 1);
        clearBit(u32, split, node >>> 1);
      }
    } else {
      for (let j = k; j > want; j--, node <<= 1) {
        setBit(u32, split, node);
        const upper = (node << 1) | 1;
        setBit(u32, free, upper);
        this.list(u32, this.blockAt(u32[aw + A_BASE], upper, j - 1), j - 1);
      }
    }
    u32[this.r + R_USED0 + k]--;
    u32[this.r + R_USED0 + want]++;
    const delta = (1 << (this.minShift + want)) - (1 << (this.minShift + k));
    gaugeAdd(this.memory.f64, this.s + S_LIVE_BYTES, delta);
    return true;
  }

  usableSize(ptr: Ptr): number {
    const node = this.blockNode(this.arenaOf(ptr), ptr, false);
    return 1 << (this.minShift + this.K - (31 - Math.clz32(node)));
  }

  stats(): AllocatorStats {
    const u32 = this.memory.u32;
    const classes = [];
    for (let k = 0; k <= this.K; k++) {
      classes.push({ size: 2 ** (this.minShift + k), liveBlocks: u32[this.r + R_USED0 + k], freeBlocks: u32[this.r + R_FREE0 + k] });
    }
    return statsReadNoRequests(this.memory.f64, this.s, classes);
  }

  check(): void {
    checkBuddy(this.memory, this.root);
  }

  /** Gives every wholly free arena back to the page pool. Returns the bytes given back. */
  shrink(): number {
    let bytes = 0;
    for (let a = this.memory.u32[this.r + R_ARENAS] - 1; a >= 0; a--) {
      const u32 = this.memory.u32;
      const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
      if (bit(u32, (u32[aw + A_META] >>> 2) + this.bitmapWords, 1)) bytes += this.dropArena(a);
    }
    return bytes;
  }

  /** The root run, each arena (with the bytes of its used blocks) and its bitmaps: for heap maps. O(tree nodes). */
  mapRegions(): MapRegion[] {
    const u32 = this.memory.u32;
    const out: MapRegion[] = [{ start: this.root, bytes: u32[this.r + R_BYTES], role: "buddy root", usedBytes: 0 }];
    for (let a = 0; a < u32[this.r + R_ARENAS]; a++) {
      const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
      const split = u32[aw + A_META] >>> 2;
      const free = split + this.bitmapWords;
      let used = 0;
      for (let i = 1; i < 2 ** (this.K + 1); i++) {
        const block = i === 1 || bit(u32, split, i >>> 1);
        if (block && !bit(u32, split, i) && !bit(u32, free, i)) used += 1 << (this.minShift + this.K - (31 - Math.clz32(i)));
      }
      out.push({ start: u32[aw + A_BASE], bytes: this.maxBlock, role: "buddy arena", usedBytes: used });
      out.push({ start: u32[aw + A_META], bytes: u32[this.r + R_META_BYTES], role: "buddy bitmaps", usedBytes: 0 });
    }
    return out.sort((x, y) => x.start - y.start);
  }

  /** Arenas currently held. */
  get arenas(): number {
    return this.memory.u32[this.r + R_ARENAS];
  }

  // ── the work ─────────────────────────────────────────────────────────────────────────────────

  private allocOrder(k: number): Ptr {
    let u32 = this.memory.u32;
    let mask = u32[this.r + R_NONEMPTY] >>> k; // k <= K <= 24: the shift count is in range
    if (mask === 0) {
      if (!this.addArena()) {
        this.memory.f64[this.s + S_FAILED] += 1;
        return NULL; // running out is an answer, not an exception
      }
      u32 = this.memory.u32;
      mask = u32[this.r + R_NONEMPTY] >>> k;
    }
    let j = k + (31 - Math.clz32(mask & -mask));
    const b = u32[this.r + R_HEAD0 + j];
    this.unlist(u32, b, j);
    const a = this.arenaOf(b);
    const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
    const base = u32[aw + A_BASE];
    const split = u32[aw + A_META] >>> 2;
    const free = split + this.bitmapWords;
    let node = this.nodeAt(base, b, j);
    clearBit(u32, free, node);
    for (; j > k; j--, node <<= 1) {
      setBit(u32, split, node);
      const upper = (node << 1) | 1;
      setBit(u32, free, upper);
      this.list(u32, this.blockAt(base, upper, j - 1), j - 1);
    }
    u32[this.r + R_USED0 + k]++;
    this.counted(1 << (this.minShift + k));
    return b;
  }

  /** Frees the block of `node` (order k) in arena `a`, coalescing with free buddies upwards. */
  private release(a: number, node: number, k: number): void {
    const u32 = this.memory.u32;
    const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
    const base = u32[aw + A_BASE];
    const split = u32[aw + A_META] >>> 2;
    const free = split + this.bitmapWords;
    while (k < this.K && bit(u32, free, node ^ 1)) {
      this.unlist(u32, this.blockAt(base, node ^ 1, k), k);
      clearBit(u32, free, node ^ 1);
      node >>>= 1;
      k++;
      clearBit(u32, split, node);
    }
    setBit(u32, free, node);
    this.list(u32, this.blockAt(base, node, k), k);
    // A wholly free arena goes back to the pool, unless it is the last one.
    if (node === 1 && u32[this.r + R_ARENAS] > 1) this.dropArena(a);
  }

  /**
   * The tree node of the live block starting at `ptr` in arena `a`, or a thrown
   * InvalidPointerError (DoubleFreeError when `freeing` and the block is free). Walks up from
   * order 0 to the first node whose parent is split: O(K).
   */
  private blockNode(a: number, ptr: Ptr, freeing: boolean): number {
    const u32 = this.memory.u32;
    const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
    const off = ptr - u32[aw + A_BASE];
    if (off % this.minBlock !== 0) invalidPointer(ptr, "not the start of a block");
    const split = u32[aw + A_META] >>> 2;
    const free = split + this.bitmapWords;
    const unit = off >>> this.minShift; // off < maxBlock <= 2^30, a multiple of minBlock
    for (let k = 0; k <= this.K; k++) {
      const node = (1 << (this.K - k)) + (unit >>> k);
      if (node === 1 || bit(u32, split, node >>> 1)) {
        if (bit(u32, free, node)) {
          if (freeing) doubleFree(ptr);
          invalidPointer(ptr, "a free block");
        }
        if (bit(u32, split, node)) corrupted("B1 a split node where a block should start", ptr);
        return node;
      }
      if (((unit >>> k) & 1) !== 0) break; // not aligned to the next order: inside a block
    }
    invalidPointer(ptr, "not the start of a block");
  }

  /** Index of the arena holding `ptr`, or a thrown InvalidPointerError. O(arenas). */
  private arenaOf(ptr: Ptr): number {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    const u32 = this.memory.u32;
    const n = u32[this.r + R_ARENAS];
    for (let a = 0; a < n; a++) {
      const base = u32[this.r + R_ARENA0 + a * ARENA_WORDS + A_BASE];
      if (ptr >= base && ptr < base + this.maxBlock) return a;
    }
    invalidPointer(ptr, "not in an arena of this buddy allocator");
  }

  /** A new arena from the page pool, wholly free (one block of order K on its list). */
  private addArena(): boolean {
    let u32 = this.memory.u32;
    const n = u32[this.r + R_ARENAS];
    if (n >= MAX_ARENAS) return false;
    const base = this.pages.alignedAlloc(this.maxBlock, u32[this.r + R_ARENA_ALIGN]);
    if (base === NULL) return false;
    const metaBytes = this.memory.u32[this.r + R_META_BYTES];
    const meta = this.pages.alloc(metaBytes);
    if (meta === NULL) {
      this.pages.free(base);
      return false;
    }
    u32 = this.memory.u32;
    this.memory.u8.fill(0, meta, meta + metaBytes);
    const aw = this.r + R_ARENA0 + n * ARENA_WORDS;
    u32[aw + A_BASE] = base;
    u32[aw + A_META] = meta;
    u32[this.r + R_ARENAS] = n + 1;
    setBit(u32, (meta >>> 2) + this.bitmapWords, 1);
    this.list(u32, base, this.K);
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, u32[this.r + R_ARENA_BYTES]);
    return true;
  }

  /** Gives wholly free arena `a` back to the pool; the last table entry moves into its slot. */
  private dropArena(a: number): number {
    const u32 = this.memory.u32;
    const aw = this.r + R_ARENA0 + a * ARENA_WORDS;
    const base = u32[aw + A_BASE];
    const meta = u32[aw + A_META];
    this.unlist(u32, base, this.K);
    const bytes = u32[this.r + R_ARENA_BYTES];
    const last = this.r + R_ARENA0 + (u32[this.r + R_ARENAS] - 1) * ARENA_WORDS;
    u32[aw + A_BASE] = u32[last + A_BASE];
    u32[aw + A_META] = u32[last + A_META];
    u32[last + A_BASE] = 0;
    u32[last + A_META] = 0;
    u32[this.r + R_ARENAS]--;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, -bytes);
    this.pages.free(base);
    this.pages.free(meta);
    return bytes;
  }

  // ── lists and tree arithmetic ────────────────────────────────────────────────────────────────

  private list(u32: Uint32Array, b: Ptr, k: number): void {
    const hw = this.r + R_HEAD0 + k;
    const head = u32[hw];
    u32[(b >>> 2) + B_NEXT] = head;
    u32[(b >>> 2) + B_PREV] = NULL;
    if (head !== NULL) u32[(head >>> 2) + B_PREV] = b;
    u32[hw] = b;
    u32[this.r + R_NONEMPTY] |= 1 << k;
    u32[this.r + R_FREE0 + k]++;
  }

  private unlist(u32: Uint32Array, b: Ptr, k: number): void {
    const next = u32[(b >>> 2) + B_NEXT];
    const prev = u32[(b >>> 2) + B_PREV];
    if (prev !== NULL) u32[(prev >>> 2) + B_NEXT] = next;
    else u32[this.r + R_HEAD0 + k] = next;
    if (next !== NULL) u32[(next >>> 2) + B_PREV] = prev;
    if (u32[this.r + R_HEAD0 + k] === NULL) u32[this.r + R_NONEMPTY] &= ~(1 << k);
    u32[this.r + R_FREE0 + k]--;
  }

  // Tree arithmetic in int32: node indexes are below 2^25 (K <= 24) and arena offsets below 2^30
  // (maxBlock <= 2^30), so no shift here reaches bit 31; only the base + offset sum can pass 2^31,
  // and it is a float addition. (`2 ** n` here instead cost a Math.pow call each: blockNode was
  // the top of the profile of bench/slab-buddy-quick.ts, buddy-pow2-mix.)

  /** Node of the order-k block at `b` in the arena at `base`. */
  private nodeAt(base: number, b: Ptr, k: number): number {
    return (1 << (this.K - k)) + ((b - base) >>> (this.minShift + k));
  }

  /** Address of the order-k block of `node`. */
  private blockAt(base: number, node: number, k: number): Ptr {
    return base + ((node - (1 << (this.K - k))) << (this.minShift + k));
  }

  /** Live-block counts for an allocation (`bytes` > 0) or a free (`bytes` < 0): see countLive. */
  private counted(bytes: number): void {
    countLive(this.memory.f64, this.s, bytes);
  }


}

const bit = (u32: Uint32Array, w: number, i: number): boolean => (u32[w + (i >>> 5)] & (1 << (i & 31))) !== 0;
const setBit = (u32: Uint32Array, w: number, i: number): void => void (u32[w + (i >>> 5)] |= 1 << (i & 31));
const clearBit = (u32: Uint32Array, w: number, i: number): void => void (u32[w + (i >>> 5)] &= ~(1 << (i & 31)));
