// The TLSF core: O(1) segregated fit over two-level bitmaps, boundary tags with immediate
// coalescing, and chunks taken from the page pool that grow in place at its top. Layout and
// invariants: layout.ts; the size → list mapping: mapping.ts. The public malloc is heap.ts, which
// calls into this class for medium sizes.
import { ctz32 } from "../core/bits.js";
import { corrupted } from "../core/errors.js";
import { gaugeAdd, S_ALLOCS, S_FOOTPRINT, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED } from "../core/stats.js";
import { alignUp, roundUp } from "../core/ptr.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import { R_STATS as POOL_R_STATS } from "../pages/layout.js";
import { chunkEnd, chunkNext, chunkRun, killHeader, setHeader, setLeftFree, setLeftUsed } from "./block.js";
import {
  CHUNK_HEADER_BYTES,
  CH_END,
  CH_NEXT,
  CH_PREV,
  CH_RUN,
  FREE_BIT,
  HEADER_BYTES,
  LINEAR_LIMIT,
  LIST_COUNT,
  MAX_CHUNK_BYTES,
  MAX_SLACK,
  MIN_BLOCK_BYTES,
  PREV_FREE_BIT,
  QUICK_LISTS,
  QUICK_MARK,
  QUICK_MAX,
  R_CHUNKS,
  R_FL_MAP,
  R_HEADS,
  R_KEY,
  R_QUICK,
  R_SL_MAP,
  R_STATS,
  R_TOP_CHUNK,
  SIZE_MASK,
  SLACK_SHIFT,
  W_NEXT,
  W_PREV,
  W_PREVFREE,
  W_SIZE,
} from "./layout.js";
import { insertIndex, searchIndex } from "./mapping.js";

/** Blocks of the request's own list looked at before the good-fit search (best fit among them). */
const OWN_LIST_PROBES = 8;
/** Blocks of the request's own list walked when nothing else fits, before the heap grows. */
const LAST_RESORT_PROBES = 256;

/** Block size for a request of `req` bytes: header + payload on the 8-byte grid, at least 16. */
export const needFor = (req: number): number => (req <= 8 ? MIN_BLOCK_BYTES : (req + 15) & ~7);

export class SegregatedHeap {
  readonly memory: Memory;
  readonly pool: PagePool;
  /** Word index of the root. */
  readonly r: number;
  /** f64 index of the stats block. */
  readonly s: number;
  readonly key: number;
  /** Word index of the quick list heads (layout.ts: R_QUICK). */
  readonly quick: number;
  readonly frameBytes: number;
  /** f64 index of the page pool's stats block, whose footprint is the heap's. */
  private readonly poolS: number;

  constructor(memory: Memory, pool: PagePool, root: number) {
    this.memory = memory;
    this.pool = pool;
    this.r = root >>> 2;
    this.s = (root + R_STATS * 4) >>> 3; // an integer (a division would make this a double field, and every stats index a float)
    this.key = memory.u32[this.r + R_KEY] & 0x3fff_ffff; // below 2^30 when the heap made it; masked so that the field stays a small integer
    this.quick = this.r + R_QUICK;
    this.frameBytes = pool.frameBytes;
    this.poolS = memory.u32[(memory.pagesRoot >>> 2) + POOL_R_STATS] >>> 3;
  }

  // ── free lists and bitmaps ───────────────────────────────────────────────────────────────────

  insert(u32: Uint32Array, b: number, size: number): void {
    const list = insertIndex(size);
    const hw = this.r + R_HEADS + list;
    const head = u32[hw];
    const w = b >>> 2;
    u32[w + W_NEXT] = head;
    u32[w + W_PREVFREE] = 0;
    if (head !== 0) u32[(head >>> 2) + W_PREVFREE] = b;
    u32[hw] = b;
    const f = list >>> 5;
    u32[this.r + R_SL_MAP + f] |= 1 << (list & 31);
    u32[this.r + R_FL_MAP] |= 1 << f;
  }

  remove(u32: Uint32Array, b: number, size: number): void {
    const w = b >>> 2;
    const next = u32[w + W_NEXT];
    const prev = u32[w + W_PREVFREE];
    if (next !== 0) u32[(next >>> 2) + W_PREVFREE] = prev;
    if (prev !== 0) {
      u32[(prev >>> 2) + W_NEXT] = next;
      return;
    }
    const list = insertIndex(size);
    u32[this.r + R_HEADS + list] = next;
    if (next === 0) {
      const f = list >>> 5;
      const sl = u32[this.r + R_SL_MAP + f] & ~(1 << (list & 31));
      u32[this.r + R_SL_MAP + f] = sl;
      if (sl === 0) u32[this.r + R_FL_MAP] &= ~(1 << f);
    }
  }

  /** Head of the first non-empty list at or after searchIndex(need), or 0: two bit scans, no loop. */
  private search(u32: Uint32Array, need: number): number {
    const list = searchIndex(need);
    if (list >= LIST_COUNT) return 0;
    let f = list >>> 5;
    let sl = u32[this.r + R_SL_MAP + f] & (~0 << (list & 31)); // list & 31 < 32: the shift count is in range
    if (sl === 0) {
      const fl = u32[this.r + R_FL_MAP] & (~0 << (f + 1)); // f + 1 <= FL_COUNT = 19 < 32
      if (fl === 0) return 0;
      f = ctz32(fl);
      sl = u32[this.r + R_SL_MAP + f] | 0; // int32, as the branch above makes it: a u32 with bit 31 set would be boxed for ctz32
    }
    return u32[this.r + R_HEADS + (f << 5) + ctz32(sl)];
  }

  /**
   * A free block of at least `need` bytes, taken off its list, or 0. The request's own list first
   * (below 256 bytes every block there is an exact fit; above, the best of a few), then the good
   * fit, then — before the caller grows the heap — a longer walk of the own list.
   */
  findFree(u32: Uint32Array, need: number): number {
    const own = insertIndex(need);
    let b = u32[this.r + R_HEADS + own];
    if (b !== 0 && need < LINEAR_LIMIT) {
      this.remove(u32, b, need);
      return b;
    }
    let best = 0;
    let bestSize = 0x7fff_ffff;
    for (let i = 0; b !== 0 && i < OWN_LIST_PROBES; i++) {
      const size = u32[(b >>> 2) + W_SIZE] & SIZE_MASK;
      if (size >= need && size < bestSize) {
        best = b;
        bestSize = size;
        if (size === need) break;
      }
      b = u32[(b >>> 2) + W_NEXT];
    }
    if (best === 0) {
      best = this.search(u32, need);
      if (best === 0) {
        for (let i = 0; b !== 0 && i < LAST_RESORT_PROBES; i++) {
          if ((u32[(b >>> 2) + W_SIZE] & SIZE_MASK) >= need) {
            best = b;
            break;
          }
          b = u32[(b >>> 2) + W_NEXT];
        }
        if (best === 0) {
          const w = this.wilderness(u32);
          return w !== 0 && (u32[(w >>> 2) + W_SIZE] & SIZE_MASK) >= need ? w : 0; // unlisted already
        }
      }
      bestSize = u32[(best >>> 2) + W_SIZE] & SIZE_MASK;
    }
    this.remove(u32, best, bestSize);
    return best;
  }

  // ── blocks ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Makes the unlisted free block `b` of `size` bytes a used block of `need` bytes holding `req`,
   * splitting off the rest as a free block when it can stand alone. `pf` is b's PREV_FREE_BIT.
   * b's right neighbour is used (a free block's always is), so the rest needs no merge.
   */
  carve(u32: Uint32Array, b: number, size: number, need: number, req: number, pf: number): void {
    const rest = size - need;
    if (rest >= MIN_BLOCK_BYTES) {
      setHeader(u32, b, ((need | pf | ((need - HEADER_BYTES - req) << SLACK_SHIFT)) >>> 0), this.key);
      const tail = b + need;
      setHeader(u32, tail, rest | FREE_BIT, this.key);
      setLeftFree(u32, tail + rest, rest);
      this.file(u32, tail, rest);
    } else {
      setHeader(u32, b, ((size | pf | ((size - HEADER_BYTES - req) << SLACK_SHIFT)) >>> 0), this.key);
      setLeftUsed(u32, b + size, this.key);
    }
  }

  /**
   * Frees [b, b + size) (a used block, or the tail cut from one; `pf` its PREV_FREE_BIT), merging
   * it with free neighbours, and lists the result. Swallowed headers are killed, so that a second
   * free of them reads as a double free.
   */
  release(u32: Uint32Array, b: number, size: number, pf: number): void {
    let start = b;
    let total = size;
    const n = b + size;
    if (pf !== 0) {
      const ls = u32[(b >>> 2) + W_PREV];
      start = b - ls;
      this.remove(u32, start, ls);
      killHeader(u32, b, this.key);
      total += ls;
    }
    const nsw = u32[(n >>> 2) + W_SIZE];
    if ((nsw & FREE_BIT) !== 0) {
      const ns = nsw & SIZE_MASK;
      this.unfile(u32, n, ns);
      killHeader(u32, n, this.key);
      total += ns;
    }
    setHeader(u32, start, total | FREE_BIT, this.key);
    setLeftFree(u32, start + total, total);
    this.file(u32, start, total);
  }

  /** alloc for medium sizes: a block of needFor(req) bytes, the heap grown if needed; the pointer or 0. */
  alloc(req: number): number {
    const need = needFor(req);
    let u32 = this.memory.u32;
    let b = this.findFree(u32, need);
    if (b === 0 && this.flushQuick()) b = this.findFree(u32, need);
    if (b === 0) {
      b = this.grow(need);
      if (b === 0) return 0;
      u32 = this.memory.u32;
    }
    this.carve(u32, b, u32[(b >>> 2) + W_SIZE] & SIZE_MASK, need, req, 0);
    this.countAlloc((u32[(b >>> 2) + W_SIZE] & SIZE_MASK) - HEADER_BYTES, req);
    return b + HEADER_BYTES;
  }

  /** A medium block whose pointer is aligned to `align` (16 ... MEDIUM_MAX_ALIGN); the pointer or 0. */
  alignedAlloc(req: number, align: number, counted = true): number {
    const need = needFor(req);
    const want = need + align + MIN_BLOCK_BYTES; // room for the worst leading gap
    let u32 = this.memory.u32;
    let b = this.findFree(u32, want);
    if (b === 0 && this.flushQuick()) b = this.findFree(u32, want);
    if (b === 0) {
      b = this.grow(want);
      if (b === 0) return 0;
      u32 = this.memory.u32;
    }
    const size = u32[(b >>> 2) + W_SIZE] & SIZE_MASK;
    let p = alignUp(b + HEADER_BYTES, align);
    if (p - HEADER_BYTES - b !== 0 && p - HEADER_BYTES - b < MIN_BLOCK_BYTES) p += align;
    const gap = p - HEADER_BYTES - b;
    if (gap === 0) {
      this.carve(u32, b, size, need, req, 0);
    } else {
      // The leading gap becomes a free block of its own; its left neighbour is used (b was free).
      setHeader(u32, b, gap | FREE_BIT, this.key);
      this.insert(u32, b, gap);
      const a = p - HEADER_BYTES;
      u32[(a >>> 2) + W_PREV] = gap;
      this.carve(u32, a, size - gap, need, req, PREV_FREE_BIT);
    }
    if (counted) this.countAlloc((u32[((p - HEADER_BYTES) >>> 2) + W_SIZE] & SIZE_MASK) - HEADER_BYTES, req);
    return p;
  }

  /**
   * Frees the used medium block at b (already validated). Size words are read here, never passed
   * in or returned: one with slack bits is above 2^30, a heap number (garbage) whenever V8 does
   * not inline the call.
   */
  free(u32: Uint32Array, b: number, counted = true): void {
    const sw = u32[(b >>> 2) + W_SIZE];
    const size = sw & SIZE_MASK;
    if (counted) this.countFree(size - HEADER_BYTES, size - HEADER_BYTES - (sw >>> SLACK_SHIFT));
    if (size <= QUICK_MAX) this.cache(u32, b);
    else this.release(u32, b, size, sw & PREV_FREE_BIT);
  }

  // ── quick lists (layout.ts: QUICK_MAX) ──────────────────────────────────────────────────────

  /**
   * Caches the used block at b (size at most QUICK_MAX, already validated and uncounted): it keeps
   * its place and a used-looking header with QUICK_MARK, and goes first on its size's list.
   */
  cache(u32: Uint32Array, b: number): void {
    const sw = u32[(b >>> 2) + W_SIZE];
    const csw = ((sw & (SIZE_MASK | PREV_FREE_BIT)) | QUICK_MARK) >>> 0;
    const w = b >>> 2;
    setHeader(u32, b, csw, this.key);
    const q = this.quick + ((sw & SIZE_MASK) >>> 3);
    u32[w + W_NEXT] = u32[q];
    u32[q] = b;
  }

  /** Frees every cached block for real (coalescing). Returns false when the lists were empty. */
  flushQuick(): boolean {
    const u32 = this.memory.u32;
    let any = false;
    for (let i = 2; i < QUICK_LISTS; i++) {
      let b = u32[this.quick + i];
      if (b === 0) continue;
      any = true;
      u32[this.quick + i] = 0;
      for (let n = 0; b !== 0; n++) {
        const next = u32[(b >>> 2) + W_NEXT]; // read first: release may write b's links
        const sw = u32[(b >>> 2) + W_SIZE]; // read now: releasing the block before it may have set PF
        if (((sw | PREV_FREE_BIT) ^ PREV_FREE_BIT) >>> 0 !== ((i * 8) | QUICK_MARK) >>> 0 || n > this.memory.byteLength >>> 4) {
          corrupted("Q1 a quick list names a block that is not cached there (a write after free?)", b);
        }
        this.release(u32, b, sw & SIZE_MASK, sw & PREV_FREE_BIT);
        b = next;
      }
    }
    return any;
  }

  /** In-place resize of the used medium block at b: shrinks always; grows into a free right neighbour or the chunk's top. */
  resize(b: number, req: number): boolean {
    if (req >= MAX_CHUNK_BYTES) return false; // also keeps needFor's bitwise arithmetic in range
    let u32 = this.memory.u32;
    const sw = u32[(b >>> 2) + W_SIZE];
    const size = sw & SIZE_MASK;
    const pf = sw & PREV_FREE_BIT;
    const need = needFor(req);
    const oldReq = size - HEADER_BYTES - (sw >>> SLACK_SHIFT);
    if (need <= size) {
      const rest = size - need;
      if (rest >= MIN_BLOCK_BYTES) {
        setHeader(u32, b, ((need | pf | ((need - HEADER_BYTES - req) << SLACK_SHIFT)) >>> 0), this.key);
        setHeader(u32, b + need, rest, this.key); // a used-looking tail, then freed (it may merge rightwards)
        this.release(u32, b + need, rest, 0);
        this.countResize(need - size, req - oldReq);
      } else {
        setHeader(u32, b, ((size | pf | ((size - HEADER_BYTES - req) << SLACK_SHIFT)) >>> 0), this.key);
        this.countResize(0, req - oldReq);
      }
      return true;
    }
    const n = b + size;
    let nsw = u32[(n >>> 2) + W_SIZE];
    // A cached block in the way (the neighbour, or the block after a free neighbour): free the
    // cached blocks for real, then look again.
    const after = (nsw & FREE_BIT) !== 0 ? n + (nsw & SIZE_MASK) : n;
    if (u32[(after >>> 2) + W_SIZE] >>> SLACK_SHIFT === MAX_SLACK && this.flushQuick()) nsw = u32[(n >>> 2) + W_SIZE];
    let avail = size + ((nsw & FREE_BIT) !== 0 ? nsw & SIZE_MASK : 0);
    if (avail < need) {
      // Only the last block of the top chunk can grow past its neighbour: the chunk grows in place.
      const last = (nsw & FREE_BIT) !== 0 ? n + (nsw & SIZE_MASK) : n;
      const top = u32[this.r + R_TOP_CHUNK];
      if (top === 0 || last !== chunkEnd(u32, top) - HEADER_BYTES) return false;
      if (this.extendChunk(top, need - size) === 0) return false;
      u32 = this.memory.u32;
      nsw = u32[(n >>> 2) + W_SIZE];
      avail = size + (nsw & SIZE_MASK);
      killHeader(u32, n, this.key); // extendChunk returned it unlisted
    } else if ((nsw & FREE_BIT) !== 0) {
      this.unfile(u32, n, nsw & SIZE_MASK);
      killHeader(u32, n, this.key);
    }
    this.carve(u32, b, avail, need, req, u32[(b >>> 2) + W_SIZE] & PREV_FREE_BIT); // PF read again: the flush may have freed b's left neighbour
    this.countResize((u32[(b >>> 2) + W_SIZE] & SIZE_MASK) - size, req - oldReq);
    return true;
  }

  // ── chunks ───────────────────────────────────────────────────────────────────────────────────

  /** A free, unlisted block of at least `need` bytes from the top chunk grown in place, or a new chunk; 0 when out of memory. */
  private grow(need: number): number {
    const top = this.memory.u32[this.r + R_TOP_CHUNK];
    if (top !== 0) {
      const b = this.extendChunk(top, need);
      if (b !== 0) return b;
    }
    return this.newChunk(need);
  }

  /**
   * Grows chunk `c` in place (its run must end at the page pool's top) so that the free block at
   * its end holds at least `need` bytes. Returns that block, unlisted, or 0.
   */
  extendChunk(c: number, need: number): number {
    let u32 = this.memory.u32;
    const end = chunkEnd(u32, c);
    const sentinel = end - HEADER_BYTES;
    const ssw = u32[(sentinel >>> 2) + W_SIZE];
    const start = (ssw & PREV_FREE_BIT) !== 0 ? sentinel - u32[(sentinel >>> 2) + W_PREV] : sentinel;
    const newEnd = roundUp(start + need + HEADER_BYTES, this.frameBytes);
    const run = chunkRun(u32, c);
    if (newEnd - c > MAX_CHUNK_BYTES || !this.pool.resize(run, newEnd - run)) return 0;
    u32 = this.memory.u32;
    if (start !== sentinel) this.unfile(u32, start, sentinel - start);
    this.formatTail(u32, start, newEnd);
    u32[(c >>> 2) + CH_END] = newEnd;
    this.syncFootprint();
    return start;
  }

  /** Writes a free block over [start, end - 8) and the sentinel at end - 8. start's left neighbour is used. */
  private formatTail(u32: Uint32Array, start: number, end: number): void {
    const size = end - HEADER_BYTES - start;
    setHeader(u32, start, size | FREE_BIT, this.key);
    const sentinel = end - HEADER_BYTES;
    u32[(sentinel >>> 2) + W_SIZE] = PREV_FREE_BIT;
    u32[(sentinel >>> 2) + W_PREV] = size;
  }

  /** A new chunk for a block of `need` bytes; returns its one free block, unlisted, or 0. */
  private newChunk(need: number): number {
    const bytes = roundUp(need + CHUNK_HEADER_BYTES + HEADER_BYTES, this.frameBytes);
    if (bytes > MAX_CHUNK_BYTES) return 0;
    const run = this.pool.alloc(bytes);
    if (run === 0) return 0;
    const u32 = this.memory.u32;
    this.initChunk(u32, run, run, run + this.pool.usableSize(run));
    this.syncFootprint();
    return run + CHUNK_HEADER_BYTES;
  }

  /** Formats chunk `c` in run `run` up to `end` with one free, unlisted block; links it first and makes it the top chunk. */
  initChunk(u32: Uint32Array, c: number, run: number, end: number): void {
    const cw = c >>> 2;
    const first = u32[this.r + R_CHUNKS];
    u32[cw + CH_NEXT] = first;
    u32[cw + CH_PREV] = 0;
    u32[cw + CH_END] = end;
    u32[cw + CH_RUN] = run;
    if (first !== 0) u32[(first >>> 2) + CH_PREV] = c;
    u32[this.r + R_CHUNKS] = c;
    const w = this.wilderness(u32); // the old top's wilderness becomes an ordinary free block
    if (w !== 0) this.insert(u32, w, u32[(w >>> 2) + W_SIZE] & SIZE_MASK);
    u32[this.r + R_TOP_CHUNK] = c;
    this.formatTail(u32, c + CHUNK_HEADER_BYTES, end); // the new wilderness, unlisted
  }

  /**
   * Gives chunk `c`'s free tail back to the page pool: the whole run when the chunk holds nothing
   * (unless it is the root's), else the whole frames after its last used block. Returns bytes given back.
   */
  trimChunk(c: number): number {
    let u32 = this.memory.u32;
    const end = chunkEnd(u32, c);
    const sentinel = end - HEADER_BYTES;
    const ssw = u32[(sentinel >>> 2) + W_SIZE];
    if ((ssw & PREV_FREE_BIT) === 0) return 0;
    const last = sentinel - u32[(sentinel >>> 2) + W_PREV];
    const run = chunkRun(u32, c);
    const F = this.frameBytes;
    if (last === c + CHUNK_HEADER_BYTES && run === c) {
      this.unfile(u32, last, sentinel - last);
      this.unlinkChunk(u32, c);
      this.pool.free(run);
      this.syncFootprint();
      return end - run;
    }
    let newEnd = roundUp(last + HEADER_BYTES, F);
    if (newEnd - HEADER_BYTES - last === HEADER_BYTES) newEnd = roundUp(last + HEADER_BYTES + MIN_BLOCK_BYTES, F); // no 8-byte free block
    if (newEnd >= end) return 0;
    this.unfile(u32, last, sentinel - last);
    if (!this.pool.resize(run, newEnd - run)) {
      this.file(u32, last, sentinel - last); // cannot happen (a shrink always succeeds); stay consistent anyway
      return 0;
    }
    u32 = this.memory.u32;
    u32[(c >>> 2) + CH_END] = newEnd;
    if (newEnd - HEADER_BYTES === last) {
      setHeader(u32, last, 0, this.key); // the last used block's neighbour is now the sentinel
    } else {
      this.formatTail(u32, last, newEnd);
      this.file(u32, last, newEnd - HEADER_BYTES - last);
    }
    this.syncFootprint();
    return end - newEnd;
  }

  private unlinkChunk(u32: Uint32Array, c: number): void {
    const next = u32[(c >>> 2) + CH_NEXT];
    const prev = u32[(c >>> 2) + CH_PREV];
    if (next !== 0) u32[(next >>> 2) + CH_PREV] = prev;
    if (prev !== 0) u32[(prev >>> 2) + CH_NEXT] = next;
    else u32[this.r + R_CHUNKS] = next;
    if (u32[this.r + R_TOP_CHUNK] === c) {
      u32[this.r + R_TOP_CHUNK] = u32[this.r + R_CHUNKS];
      const w = this.wilderness(u32); // the new top's free tail leaves its list
      if (w !== 0) this.remove(u32, w, u32[(w >>> 2) + W_SIZE] & SIZE_MASK);
    }
  }

  // ── the wilderness: the free block at the end of the top chunk, on no list ───────────────────
  //
  // dlmalloc's "top": used only when no listed block fits, so that the block before it can grow
  // in place (realloc-bal grows one block while small ones are allocated: with the wilderness on a
  // list, good fit puts each small block right after the growing one and forces it to move).

  /** The top chunk's sentinel, or 0 when there is no chunk. */
  private topSentinel(u32: Uint32Array): number {
    const top = u32[this.r + R_TOP_CHUNK];
    return top === 0 ? 0 : u32[(top >>> 2) + CH_END] - HEADER_BYTES;
  }

  /** The wilderness block, or 0 when the top chunk ends in a used block. */
  wilderness(u32: Uint32Array): number {
    const s = this.topSentinel(u32);
    if (s === 0 || (u32[(s >>> 2) + W_SIZE] & PREV_FREE_BIT) === 0) return 0;
    return s - u32[(s >>> 2) + W_PREV];
  }

  /** Lists a free block, unless it is the wilderness. */
  private file(u32: Uint32Array, b: number, size: number): void {
    if (b + size !== this.topSentinel(u32)) this.insert(u32, b, size);
  }

  /** Unlists a free block, unless it is the wilderness. */
  private unfile(u32: Uint32Array, b: number, size: number): void {
    if (b + size !== this.topSentinel(u32)) this.remove(u32, b, size);
  }

  /** Chunks in list order (for trim, maintain and check). Capped: never more than the memory could hold. */
  chunks(): number[] {
    const u32 = this.memory.u32;
    const out: number[] = [];
    const cap = this.memory.byteLength / this.frameBytes + 1;
    for (let c = u32[this.r + R_CHUNKS]; c !== 0 && out.length <= cap; c = chunkNext(u32, c)) out.push(c);
    return out;
  }

  // ── stats ────────────────────────────────────────────────────────────────────────────────────

  /** Counts an allocation of `usable` bytes for a request of `req`. */
  countAlloc(usable: number, req: number): void {
    countAllocAt(this.memory.f64, this.s, usable, req);
  }

  /** Counts a free of `usable` bytes that held `req`. */
  countFree(usable: number, req: number): void {
    countFreeAt(this.memory.f64, this.s, usable, req);
  }

  private countResize(usableDelta: number, requestedDelta: number): void {
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BYTES, usableDelta);
    gaugeAdd(f64, this.s + S_REQUESTED, requestedDelta);
  }

  /** The heap's footprint is its page pool's: every byte taken from the memory, metadata included. */
  syncFootprint(): void {
    const f64 = this.memory.f64;
    const fp = f64[this.poolS + S_FOOTPRINT];
    gaugeAdd(f64, this.s + S_FOOTPRINT, fp - f64[this.s + S_FOOTPRINT]);
  }
}

/**
 * The per-operation counts on the stats block at f64 index `s`: an allocation of `usable` bytes
 * for a request of `req` raises the live gauges (and their peaks) and counts one alloc. Written
 * out, not through gaugeAdd, and kept tiny: the heap's fast paths inline it.
 */
export function countAllocAt(f64: Float64Array, s: number, usable: number, req: number): void {
  const blocks = f64[s + S_LIVE_BLOCKS] + 1;
  const bytes = f64[s + S_LIVE_BYTES] + usable;
  const requested = f64[s + S_REQUESTED] + req;
  f64[s + S_LIVE_BLOCKS] = blocks;
  f64[s + S_LIVE_BYTES] = bytes;
  f64[s + S_REQUESTED] = requested;
  if (blocks > f64[s + S_LIVE_BLOCKS + 1]) f64[s + S_LIVE_BLOCKS + 1] = blocks;
  if (bytes > f64[s + S_LIVE_BYTES + 1]) f64[s + S_LIVE_BYTES + 1] = bytes;
  if (requested > f64[s + S_REQUESTED + 1]) f64[s + S_REQUESTED + 1] = requested;
  f64[s + S_ALLOCS] += 1;
}

/** A free of `usable` bytes that held `req`: live gauges down (a fall cannot raise a peak), one free counted. */
export function countFreeAt(f64: Float64Array, s: number, usable: number, req: number): void {
  f64[s + S_LIVE_BLOCKS] -= 1;
  f64[s + S_LIVE_BYTES] -= usable;
  f64[s + S_REQUESTED] -= req;
  f64[s + S_FREES] += 1;
}
