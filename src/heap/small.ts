// Small sizes (up to SMALL_MAX bytes): size-class slab pages with no per-object header, and size
// classes that adapt to the observed request histogram (the malloc-IM idea). Written here because
// the slab layer (src/slab) had not landed when the heap was; the dispatch in heap.ts is the one
// place that would route to it instead.
//
// ── Slab page (P: a medium block of the TLSF core, 4 KiB, aligned to 4 KiB) ─────────────────────
//
// Pages come from the TLSF core, not straight from the page pool: pool runs taken between the
// core's chunk growths would stop the top chunk from growing in place and scatter the heap (the
// traces showed utilization falling from 95 % to 38 % on random-bal that way). The page's medium
// header is uncounted in the stats (the slots are counted instead), and check() recognises it by
// the tag at P.
//
//   P+0   SP_TAG    keyed tag: SLAB_TAG ^ key ^ mix(P). free(p) looks at p & ~(pageBytes-1) for it
//   P+4   SP_CLASS  class index
//   P+8   SP_FREE   first free slot (its first word links the next), 0 when none
//   P+12  SP_USED   live objects in the page
//   P+16  SP_NEXT   next page of the class
//   P+20  SP_PREV   previous page of the class
//   P+24  SP_BUMP   first slot never handed out (slots are carved lazily)
//   P+28  SP_OWNER  reserved for the sync layer: the worker that owns the page (remote frees go to
//                   the root's R_REMOTE list and are collected by the owner)
//   P+32  used bitmap, one bit per slot (a second free of a slot is a double free, never a cycle)
//   P+CL_FIRST  slots of CL_SIZE bytes, CL_COUNT of them
//
// A class's pages are on one list, pages with free slots first: alloc looks at the head only; a
// page that fills moves to the tail, a full page that gets a slot back moves to the head. An empty
// page goes back to the page pool unless it is the class's last one.
//
// Invariants (check() verifies each):
//   SL1 every page on class c's list carries its tag and class c; CL_PAGES counts the list
//   SL2 SP_USED === the bitmap's population; the free list holds exactly the slots below SP_BUMP
//       whose bit is clear, each once
//   SL3 CL_LIVE === the sum of SP_USED over the class's pages
//
// Adaptive classes. Every small request counts in a histogram of 8-byte buckets. When a bucket's
// count reaches a power of two from ADAPT_MIN_COUNT up, is at least 1/ADAPT_MIN_SHARE of all small
// requests, and its class wastes more than 1/ADAPT_MAX_WASTE of the object, a class of exactly that
// bucket's size is added (while MAX_CLASSES allows) and the buckets it serves better are moved to
// it. Existing objects stay where they are; new ones of those sizes go to the new class.
import { gaugeAdd, S_ALLOCS, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED } from "../core/stats.js";
import { corrupted, doubleFree, invalidPointer } from "../core/errors.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import {
  ADAPTIVE_ON,
  CLASS_WORDS,
  CL_COUNT,
  CL_FIRST,
  CL_HEAD,
  CL_LIVE,
  CL_PAGES,
  CL_SIZE,
  CL_TAIL,
  MAX_CLASSES,
  R_SM,
  SMALL_BUCKETS,
  SMALL_MAX,
  SMALL_ON,
  SM_ADAPTED,
  SM_CLASS0,
  SM_CLASSES,
  SM_FLAGS,
  SM_HIST,
  SM_REQUESTS,
  SM_TABLE,
} from "./layout.js";
import type { SegregatedHeap } from "./segregated.js";

export const SP_TAG = 0;
export const SP_CLASS = 1;
export const SP_FREE = 2;
export const SP_USED = 3;
export const SP_NEXT = 4;
export const SP_PREV = 5;
export const SP_BUMP = 6;
export const SP_OWNER = 7;
export const SP_BITMAP = 8;
const SLAB_TAG = 0x626c6173; // "slab"
/** Bytes of a slab page, and its alignment. */
export const PAGE_BYTES = 4096;

/** The starting classes: 8-byte steps to 32, then about 25 % apart. Adaptation adds exact ones. */
export const BASE_CLASSES = [8, 16, 24, 32, 48, 64, 80, 96, 128];
/** Adaptation thresholds (chosen on the traces with bench/heap-traces-quick.ts). */
const ADAPT_MIN_COUNT = 256;
const ADAPT_MIN_SHARE = 32;
const ADAPT_MAX_WASTE = 8;

export class SmallSizes {
  private readonly memory: Memory;
  private readonly core: SegregatedHeap;
  /** Word index of the small state in the root. */
  private readonly m: number;
  /** Byte offset of the size → class table. */
  private readonly table: number;
  private readonly s: number;
  private readonly key: number;
  readonly pageBytes: number;
  private readonly pageMask: number;

  constructor(core: SegregatedHeap) {
    this.core = core;
    this.memory = core.memory;
    this.m = core.r + R_SM;
    this.table = (this.m + SM_TABLE) * 4;
    this.s = core.s;
    this.key = core.key;
    this.pageBytes = PAGE_BYTES;
    this.pageMask = -PAGE_BYTES;
  }

  /** Whether a page pool with these classes can hold slab pages. */
  static fits(pool: PagePool): boolean {
    return pool.frameBytes > 0; // pages come from the TLSF core, which can align to PAGE_BYTES over any page pool
  }

  /** Formats the small-size state: the base classes, an empty histogram. */
  format(adaptive: boolean): void {
    const u32 = this.memory.u32;
    u32.fill(0, this.m, this.m + SM_TABLE);
    u32[this.m + SM_FLAGS] = SMALL_ON | (adaptive ? ADAPTIVE_ON : 0);
    for (const size of BASE_CLASSES) this.addClass(size);
  }

  get adaptive(): boolean {
    return (this.memory.u32[this.m + SM_FLAGS] & ADAPTIVE_ON) !== 0;
  }

  tag(page: number): number {
    return (SLAB_TAG ^ this.key ^ Math.imul(page, 0x85ebca6b)) >>> 0;
  }

  /** Adds a class of `size` bytes and points every bucket it serves better at it. Returns its index, or -1 when full. */
  addClass(size: number): number {
    const u32 = this.memory.u32;
    const n = u32[this.m + SM_CLASSES];
    if (n >= MAX_CLASSES) return -1;
    const cw = this.m + SM_CLASS0 + n * CLASS_WORDS;
    u32.fill(0, cw, cw + CLASS_WORDS);
    const header = SP_BITMAP * 4 + 4 * Math.ceil(Math.floor((this.pageBytes - SP_BITMAP * 4) / size) / 32);
    const first = (header + 7) & ~7;
    u32[cw + CL_SIZE] = size;
    u32[cw + CL_FIRST] = first;
    u32[cw + CL_COUNT] = Math.floor((this.pageBytes - first) / size);
    u32[this.m + SM_CLASSES] = n + 1;
    const u8 = this.memory.u8;
    for (let k = 0; k < SMALL_BUCKETS; k++) {
      const want = k * 8;
      if (want > size) break;
      const cur = n === 0 ? -1 : u8[this.table + k];
      if (cur < 0 || n === 0 || u32[this.m + SM_CLASS0 + cur * CLASS_WORDS + CL_SIZE] > size || u32[this.m + SM_CLASS0 + cur * CLASS_WORDS + CL_SIZE] < want) {
        u8[this.table + k] = n;
      }
    }
    return n;
  }

  /** A slot for `size` (<= SMALL_MAX) bytes, or 0 when out of memory. */
  alloc(size: number): number {
    const u32 = this.memory.u32;
    const bucket = (size + 7) >>> 3;
    const count = ++u32[this.m + SM_HIST + bucket];
    u32[this.m + SM_REQUESTS]++;
    if ((count & (count - 1)) === 0 && count >= ADAPT_MIN_COUNT) this.adapt(bucket, count);
    const c = this.memory.u8[this.table + bucket];
    const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
    // Fast path: the class's head page has a free slot.
    const page = u32[cw + CL_HEAD];
    if (page > 0) {
      const pw = page >>> 2;
      let slot = u32[pw + SP_FREE];
      if (slot !== 0) {
        u32[pw + SP_FREE] = u32[slot >>> 2];
      } else {
        slot = u32[pw + SP_BUMP];
        if (slot === 0) return this.allocSlow(c, size);
        const next = slot + u32[cw + CL_SIZE];
        u32[pw + SP_BUMP] = next + u32[cw + CL_SIZE] <= page + this.pageBytes ? next : 0;
      }
      this.taken(u32, page, cw, slot);
      return slot;
    }
    return this.allocSlow(c, size);
  }

  /** The head page is full (so all are): a new page from the page pool. */
  private allocSlow(c: number, size: number): number {
    if (this.memory.refresh()) return this.alloc(size); // the views were stale (the module grew its memory)
    const page = this.core.alignedAlloc(PAGE_BYTES, PAGE_BYTES, false);
    if (page === 0) return 0;
    const u32 = this.memory.u32;
    const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
    const pw = page >>> 2;
    const objSize = u32[cw + CL_SIZE];
    const first = u32[cw + CL_FIRST];
    u32.fill(0, pw, pw + (first >>> 2));
    u32[pw + SP_TAG] = this.tag(page);
    u32[pw + SP_CLASS] = c;
    const slot = page + first;
    u32[pw + SP_BUMP] = slot + 2 * objSize <= page + this.pageBytes ? slot + objSize : 0;
    // New page at the head of the class's list.
    const head = u32[cw + CL_HEAD];
    u32[pw + SP_NEXT] = head;
    if (head !== 0) u32[(head >>> 2) + SP_PREV] = page;
    else u32[cw + CL_TAIL] = page;
    u32[cw + CL_HEAD] = page;
    u32[cw + CL_PAGES]++;
    this.core.syncFootprint();
    this.taken(u32, page, cw, slot);
    return slot;
  }

  /** Bookkeeping of a slot handed out: bitmap, counts, stats, and a full page to the tail. */
  private taken(u32: Uint32Array, page: number, cw: number, slot: number): void {
    const pw = page >>> 2;
    const size = u32[cw + CL_SIZE];
    const i = ((slot - page - u32[cw + CL_FIRST]) / size) | 0;
    u32[pw + SP_BITMAP + (i >>> 5)] |= 1 << (i & 31);
    const used = ++u32[pw + SP_USED];
    u32[cw + CL_LIVE]++;
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BLOCKS, 1);
    gaugeAdd(f64, this.s + S_LIVE_BYTES, size);
    gaugeAdd(f64, this.s + S_REQUESTED, size);
    f64[this.s + S_ALLOCS] += 1;
    if (used === u32[cw + CL_COUNT] && u32[pw + SP_NEXT] !== 0) this.moveToTail(u32, cw, page);
  }

  /** The slab page holding `p` if it is one (its keyed tag is there), else 0. */
  pageOf(p: number): number {
    const page = (p & this.pageMask) >>> 0;
    return page !== p && this.memory.u32[page >>> 2] === this.tag(page) ? page : 0;
  }

  /** Usable bytes of the slot at `p` in `page`, after validating it is a live slot. */
  usableSize(p: number, page: number): number {
    const u32 = this.memory.u32;
    const cw = this.slotCheck(u32, p, page);
    return u32[cw + CL_SIZE];
  }

  /** Validates `p` as a live slot of `page`; returns the class's word index. */
  private slotCheck(u32: Uint32Array, p: number, page: number): number {
    const pw = page >>> 2;
    const c = u32[pw + SP_CLASS];
    if (c >= u32[this.m + SM_CLASSES]) corrupted("SL1 slab page names no class", page);
    const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
    const off = p - page - u32[cw + CL_FIRST];
    const size = u32[cw + CL_SIZE];
    const i = off / size;
    if (off < 0 || i !== Math.floor(i) || i >= u32[cw + CL_COUNT]) invalidPointer(p, "not the start of a slot of its slab page");
    if ((u32[pw + SP_BITMAP + (i >>> 5)] & (1 << (i & 31))) === 0) {
      const bump = u32[pw + SP_BUMP];
      if (bump !== 0 && p >= bump) invalidPointer(p, "a slot never handed out");
      doubleFree(p);
    }
    return cw;
  }

  /** Frees the slot at `p` of slab page `page`. */
  free(p: number, page: number): void {
    const u32 = this.memory.u32;
    const cw = this.slotCheck(u32, p, page);
    const pw = page >>> 2;
    const size = u32[cw + CL_SIZE];
    const i = (p - page - u32[cw + CL_FIRST]) / size;
    u32[pw + SP_BITMAP + (i >>> 5)] &= ~(1 << (i & 31));
    u32[p >>> 2] = u32[pw + SP_FREE];
    u32[pw + SP_FREE] = p;
    const used = --u32[pw + SP_USED];
    u32[cw + CL_LIVE]--;
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BLOCKS, -1);
    gaugeAdd(f64, this.s + S_LIVE_BYTES, -size);
    gaugeAdd(f64, this.s + S_REQUESTED, -size);
    f64[this.s + S_FREES] += 1;
    if (used === 0 && u32[cw + CL_PAGES] > 1) {
      this.unlink(u32, cw, page);
      this.releasePage(u32, page);
      u32[cw + CL_PAGES]--;
    } else if (used === u32[cw + CL_COUNT] - 1 && u32[cw + CL_HEAD] !== page) {
      this.unlink(u32, cw, page);
      this.pushHead(u32, cw, page);
    }
  }

  /** Returns every empty slab page to the page pool (trim). */
  trim(): void {
    const u32 = this.memory.u32;
    for (let c = 0; c < u32[this.m + SM_CLASSES]; c++) {
      const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
      for (let page = u32[cw + CL_HEAD], n = 0; page !== 0 && n < 1 << 20; n++) {
        const next = u32[(page >>> 2) + SP_NEXT];
        if (u32[(page >>> 2) + SP_USED] === 0) {
          this.unlink(u32, cw, page);
          this.releasePage(u32, page);
          u32[cw + CL_PAGES]--;
        }
        page = next;
      }
    }
    this.core.syncFootprint();
  }

  /** Gives an empty page back to the TLSF core (its tag cleared first, so it is no slab page any more). */
  private releasePage(u32: Uint32Array, page: number): void {
    u32[page >>> 2] = 0;
    const b = page - 8;
    this.core.free(u32, b, false);
  }

  private adapt(bucket: number, count: number): void {
    const u32 = this.memory.u32;
    if ((u32[this.m + SM_FLAGS] & ADAPTIVE_ON) === 0) return;
    if (count * ADAPT_MIN_SHARE < u32[this.m + SM_REQUESTS]) return;
    const want = Math.max(8, bucket * 8);
    const c = this.memory.u8[this.table + bucket];
    const have = u32[this.m + SM_CLASS0 + c * CLASS_WORDS + CL_SIZE];
    if ((have - want) * ADAPT_MAX_WASTE <= have) return;
    if (this.addClass(want) >= 0) u32[this.m + SM_ADAPTED]++;
  }

  private unlink(u32: Uint32Array, cw: number, page: number): void {
    const pw = page >>> 2;
    const next = u32[pw + SP_NEXT];
    const prev = u32[pw + SP_PREV];
    if (next !== 0) u32[(next >>> 2) + SP_PREV] = prev;
    else u32[cw + CL_TAIL] = prev;
    if (prev !== 0) u32[(prev >>> 2) + SP_NEXT] = next;
    else u32[cw + CL_HEAD] = next;
    u32[pw + SP_NEXT] = 0;
    u32[pw + SP_PREV] = 0;
  }

  private pushHead(u32: Uint32Array, cw: number, page: number): void {
    const head = u32[cw + CL_HEAD];
    u32[(page >>> 2) + SP_NEXT] = head;
    u32[(page >>> 2) + SP_PREV] = 0;
    if (head !== 0) u32[(head >>> 2) + SP_PREV] = page;
    else u32[cw + CL_TAIL] = page;
    u32[cw + CL_HEAD] = page;
  }

  private moveToTail(u32: Uint32Array, cw: number, page: number): void {
    this.unlink(u32, cw, page);
    const tail = u32[cw + CL_TAIL];
    u32[(page >>> 2) + SP_PREV] = tail;
    if (tail !== 0) u32[(tail >>> 2) + SP_NEXT] = page;
    else u32[cw + CL_HEAD] = page;
    u32[cw + CL_TAIL] = page;
  }

  /** Per-class counts for stats(): size, live objects, free slots in the class's pages. */
  classes(): { size: number; liveBlocks: number; freeBlocks: number }[] {
    const u32 = this.memory.u32;
    const out = [];
    for (let c = 0; c < u32[this.m + SM_CLASSES]; c++) {
      const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
      out.push({ size: u32[cw + CL_SIZE], liveBlocks: u32[cw + CL_LIVE], freeBlocks: u32[cw + CL_PAGES] * u32[cw + CL_COUNT] - u32[cw + CL_LIVE] });
    }
    return out;
  }

  /** The request histogram as [size, count] for buckets that were asked for. */
  histogram(): [number, number][] {
    const u32 = this.memory.u32;
    const out: [number, number][] = [];
    for (let k = 0; k < SMALL_BUCKETS; k++) if (u32[this.m + SM_HIST + k] > 0) out.push([k * 8, u32[this.m + SM_HIST + k]]);
    return out;
  }

  /** Classes added by adaptation so far. */
  get adapted(): number {
    return this.memory.u32[this.m + SM_ADAPTED];
  }

  /** SL1–SL3 (see the top of this file); returns the live totals for the heap's S1 check. */
  check(): { blocks: number; bytes: number; requested: number } {
    const u32 = this.memory.u32;
    const n = u32[this.m + SM_CLASSES];
    if (n > MAX_CLASSES) corrupted("SL1 class count out of range", this.m * 4);
    const maxPages = Math.floor(this.memory.byteLength / this.pageBytes) + 1;
    let blocks = 0;
    let bytes = 0;
    for (let c = 0; c < n; c++) {
      const cw = this.m + SM_CLASS0 + c * CLASS_WORDS;
      const size = u32[cw + CL_SIZE];
      const first = u32[cw + CL_FIRST];
      const count = u32[cw + CL_COUNT];
      if (size < 8 || size > SMALL_MAX * 2 || first + count * size > this.pageBytes) corrupted(`SL1 class ${c} geometry`, cw * 4);
      let pages = 0;
      let live = 0;
      let back = 0;
      for (let page = u32[cw + CL_HEAD]; page !== 0; page = u32[(page >>> 2) + SP_NEXT]) {
        if (++pages > maxPages || page % this.pageBytes !== 0 || page + this.pageBytes > this.memory.byteLength) corrupted(`SL1 class ${c} page list`, page);
        const pw = page >>> 2;
        if (u32[pw + SP_TAG] !== this.tag(page) || u32[pw + SP_CLASS] !== c) corrupted("SL1 slab page tag or class", page);
        if (u32[pw + SP_PREV] !== back) corrupted("SL1 slab page back link", page);
        back = page;
        let bits = 0;
        for (let i = 0; i < count; i++) if ((u32[pw + SP_BITMAP + (i >>> 5)] & (1 << (i & 31))) !== 0) bits++;
        const used = u32[pw + SP_USED];
        if (bits !== used) corrupted("SL2 used count differs from the bitmap", page);
        const bump = u32[pw + SP_BUMP];
        const carved = bump === 0 ? count : (bump - page - first) / size;
        if (carved !== Math.floor(carved) || carved > count) corrupted("SL2 bump out of range", page);
        let listed = 0;
        for (let slot = u32[pw + SP_FREE]; slot !== 0; slot = u32[slot >>> 2]) {
          const i = (slot - page - first) / size;
          if (++listed > carved - used || i !== Math.floor(i) || i < 0 || i >= carved) corrupted("SL2 slab free list", slot);
          if ((u32[pw + SP_BITMAP + (i >>> 5)] & (1 << (i & 31))) !== 0) corrupted("SL2 a used slot on the free list", slot);
        }
        if (listed !== carved - used) corrupted("SL2 free slots missing from the free list", page);
        live += used;
      }
      if (u32[cw + CL_TAIL] !== back) corrupted(`SL1 class ${c} tail`, cw * 4);
      if (pages !== u32[cw + CL_PAGES]) corrupted(`SL1 class ${c} counts ${u32[cw + CL_PAGES]} pages, its list ${pages}`, cw * 4);
      if (live !== u32[cw + CL_LIVE]) corrupted(`SL3 class ${c} live count`, cw * 4);
      blocks += live;
      bytes += live * size;
    }
    return { blocks, bytes, requested: bytes };
  }
}
