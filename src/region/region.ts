// The region: bump allocation out of page-pool chunks, free-last and grow-last in place, marks
// (a stack allocator), reset, destroy, child regions, large blocks straight from the page pool.
// Layout, the block map and invariants R1–R7: layout.ts.
import type { Allocator } from "../core/allocator.js";
import { InvalidMarkError, doubleFree, invalidAlignment, invalidOption, invalidPointer, invalidSize, invalidState, outOfMemory } from "../core/errors.js";
import { NULL, alignUp, isPow2, isSize, roundUp, type Ptr } from "../core/ptr.js";
import { S_ALLOCS, S_FAILED, S_FOOTPRINT, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED, STATS_BYTES, gaugeAdd, statsClear, statsRead, type AllocatorStats } from "../core/stats.js";
import { AttachError } from "../core/errors.js";
import type { Memory } from "../memory/memory.js";
import { rootLooksLike } from "../memory/header.js";
import type { PagePool } from "../pages/page-pool.js";
import { firstAtLeast } from "../core/bits.js";
import { clearWords } from "../core/clear.js";
import { newTag } from "../core/tags.js";
import { checkRegion } from "./check.js";
import {
  CHUNK_HEADER_BYTES,
  GROW_EXPONENTIAL,
  GROW_FIXED,
  K_BYTES,
  K_DATA,
  K_MAP,
  K_PREV,
  K_SEQ,
  K_USED,
  LARGE_HEADER_BYTES,
  LIVE_BIT,
  L_NEXT,
  L_OWNER,
  L_PREV,
  L_RUN,
  L_SERIAL,
  L_SIZE,
  L_TAG,
  MARK_BYTES,
  M_BUMP,
  M_CHUNK,
  M_LAST,
  M_LAST_SIZE,
  M_PREV,
  M_REQUESTED_F64,
  M_SERIAL,
  M_TOKEN,
  REGION_MAGIC,
  ROOT_BYTES,
  ROOT_WORDS,
  R_BUMP,
  R_CACHE,
  R_CACHE_BYTES,
  R_CACHE_LIMIT,
  R_CHILD,
  R_CHUNK,
  R_END,
  R_FIRST,
  R_FIRST_BYTES,
  R_GROWTH,
  R_LARGE,
  R_LARGE_BYTES,
  R_LARGE_MIN,
  R_LARGE_N,
  R_FOLDED,
  R_LAST_SIZE,
  R_MAGIC,
  R_MARK,
  R_MARKS,
  R_MARK_SERIAL,
  R_MAX_CHUNK,
  R_NEW_REQUESTED,
  R_NEW_N,
  R_NEW_FREES,
  R_FREED_REQUESTED,
  R_HIGH_N,
  R_HIGH_BYTES,
  R_HIGH_REQUESTED,
  R_NEW_SLACK,
  FOLD_FREES,
  FOLD_BYTES,
  R_OLD_USED,
  R_PARENT,
  R_SERIAL,
  R_SIB_NEXT,
  R_SIB_PREV,
  R_STATS,
  R_TAG,
  R_TOP,
  R_UNDONE,
  NO_LAST,
  START_BIT,
  mapBytes,
  span,
} from "./layout.js";

export interface RegionOptions {
  /**
   * Bytes of the first chunk (rounded up to the page pool's frame; best a page class). It holds the region's root
   * and stats, so a child region that stays within it costs one page-pool call to create.
   * @defaultValue 4 KiB
   */
  chunkSize?: number;
  /**
   * How chunk sizes grow: "exponential" takes each new chunk at least twice the last, stepping
   * through the page classes, up to `maxChunkSize`; "fixed" takes `chunkSize` every time
   * (bigger only when one request needs it).
   * @defaultValue "exponential"
   */
  growth?: "exponential" | "fixed";
  /** Cap of exponential growth. @defaultValue 64 KiB */
  maxChunkSize?: number;
  /**
   * Requests larger than this get their own page-pool run, which `free` gives back on its own
   * (nginx's large blocks). @defaultValue 16 KiB
   */
  largeSize?: number;
  /**
   * Top regions only: bytes of chunks freed by descendants (child destroy, reset, release) kept
   * for the next child instead of going back to the page pool. @defaultValue 1 MiB
   */
  cacheBytes?: number;
}

const KiB = 1024;
/** Alignments up to this are bump-allocated in chunks; larger ones take the large path. */
const MAX_CHUNK_ALIGN = 4096;

function invalidMark(token: unknown, why: string): never {
  throw new InvalidMarkError("ERR_HEAP_INVALID_MARK", `invalid mark ${String(token)}: ${why}`, typeof token === "number" ? token : undefined);
}

/**
 * A region (arena): `alloc` bumps a pointer in the current chunk; everything is given back at
 * once by `reset`, `release(mark)` or `destroy`. Blocks have no header.
 *
 * What `free` does: the most recent small block's bytes go back to the bump (free-last); a
 * large block goes back to the page pool; any other small block is marked dead and its bytes
 * stay used until release/reset (a no-op for memory, but counted). Every free is validated
 * against the block map: a pointer that is not a live block start of this region throws
 * ERR_HEAP_INVALID_POINTER, a second free ERR_HEAP_DOUBLE_FREE.
 */
export class Region implements Allocator {
  readonly kind = "region" as const;
  readonly memory: Memory;
  readonly pages: PagePool;
  // What the handle points at. Set by the constructor, and again only when child() re-points a
  // destroyed handle at a new child (`into`), so that a region per request makes no garbage.
  private at: Ptr = NULL;
  private r = 0;
  private s = 0;
  private tag = 0;
  private largeMin = 0;

  private constructor(pages: PagePool, root: Ptr) {
    this.pages = pages;
    this.memory = pages.memory;
    this.point(root);
  }

  private point(root: Ptr): void {
    const u32 = this.memory.u32;
    this.at = root;
    this.r = root >>> 2;
    this.s = u32[this.r + R_STATS] >>> 3;
    this.tag = u32[this.r + R_TAG];
    this.largeMin = u32[this.r + R_LARGE_MIN];
  }

  /** Byte offset of the root: pass it to `Region.attach`. */
  get root(): Ptr {
    return this.at;
  }

  /** A new top region whose chunks come from `pages`. Throws OutOfMemoryError when even the first chunk cannot be had. */
  static create(pages: PagePool, options: RegionOptions = {}): Region {
    const F = pages.frameBytes;
    const chunkSize = options.chunkSize ?? 4 * KiB;
    const maxChunk = options.maxChunkSize ?? 64 * KiB;
    const largeSize = options.largeSize ?? 16 * KiB;
    const cacheBytes = options.cacheBytes ?? 1024 * KiB;
    const growth = options.growth ?? "exponential";
    const first = roundUp(Math.max(chunkSize, F), F);
    if (!isSize(chunkSize) || first > 0x8000_0000) invalidOption("chunkSize", chunkSize, "an integer up to 2 GiB");
    if (first < CHUNK_HEADER_BYTES + mapBytes(first) + ROOT_BYTES + STATS_BYTES + 256) invalidOption("chunkSize", chunkSize, "room for the root and some blocks");
    if (!isSize(maxChunk) || maxChunk < first || maxChunk > 0x8000_0000) invalidOption("maxChunkSize", maxChunk, "an integer from chunkSize up to 2 GiB");
    if (!isSize(largeSize) || largeSize < 8 || largeSize > 0x1000_0000) invalidOption("largeSize", largeSize, "an integer from 8 up to 256 MiB");
    if (!isSize(cacheBytes)) invalidOption("cacheBytes", cacheBytes, "an integer in [0, 2^32 - 1]");
    if (growth !== "exponential" && growth !== "fixed") invalidOption("growth", growth, '"exponential" or "fixed"');
    const chunk = pages.alloc(first);
    if (chunk === NULL) outOfMemory(first, "region's first chunk");
    const u32 = pages.memory.u32;
    const root = alignUp(chunk + CHUNK_HEADER_BYTES + mapBytes(first), 8);
    const r = root >>> 2;
    clearWords(u32, r, r + ROOT_WORDS);
    u32[r + R_FIRST_BYTES] = first;
    u32[r + R_MAX_CHUNK] = roundUp(maxChunk, F);
    u32[r + R_GROWTH] = growth === "fixed" ? GROW_FIXED : GROW_EXPONENTIAL;
    u32[r + R_LARGE_MIN] = largeSize;
    u32[r + R_CACHE_LIMIT] = cacheBytes;
    return new Region(pages, Region.format(pages, chunk, first, root, 0));
  }

  /** Another handle on the region whose root is at `root` (another worker, a re-opened image). */
  static attach(pages: PagePool, root: Ptr): Region {
    const u32 = pages.memory.u32;
    if (!rootLooksLike(u32, pages.memory.byteLength, root, ROOT_BYTES, R_MAGIC, REGION_MAGIC) || u32[(root >>> 2) + R_TAG] === 0) {
      throw new AttachError("ERR_HEAP_BAD_FORMAT", `no live region at ${String(root)}`);
    }
    return new Region(pages, root);
  }

  /** Writes a root at `root` inside `chunk` (its first chunk): options words already set. */
  private static format(pages: PagePool, chunk: Ptr, bytes: number, root: Ptr, parent: Ptr): Ptr {
    const u32 = pages.memory.u32;
    const r = root >>> 2;
    const stats = root + ROOT_BYTES;
    const tag = newTag();
    u32[r + R_MAGIC] = REGION_MAGIC;
    u32[r + R_TAG] = tag;
    u32[r + R_STATS] = stats;
    u32[r + R_MARK_SERIAL] = (tag * 0x9e3779b1) >>> 0; // tokens of different regions rarely collide
    u32[r + R_PARENT] = parent;
    u32[r + R_TOP] = parent === NULL ? root : u32[(parent >>> 2) + R_TOP];
    statsClear(pages.memory.f64, stats >>> 3);
    const data = stats + STATS_BYTES;
    initChunk(u32, chunk, bytes, NULL, 0, data);
    u32[r + R_FIRST] = chunk;
    u32[r + R_CHUNK] = chunk;
    u32[r + R_BUMP] = data;
    u32[r + R_FOLDED] = data;
    u32[r + R_LAST_SIZE] = NO_LAST;
    u32[r + R_END] = chunk + bytes;
    gaugeAdd(pages.memory.f64, (stats >>> 3) + S_FOOTPRINT, bytes);
    return root;
  }

  /** True until `destroy` (of this region or an ancestor), seen from any handle. */
  get alive(): boolean {
    return this.memory.u32[this.r + R_TAG] === this.tag;
  }

  /** The parent region's root, 0 for a top region. */
  get parent(): Ptr {
    this.live();
    return this.memory.u32[this.r + R_PARENT];
  }

  /**
   * At least `size` bytes aligned to 8, or 0 when out of memory. Sizes above `largeSize` get
   * their own page-pool run.
   */
  alloc(size: number): Ptr {
    const u32 = this.memory.u32;
    const r = this.r;
    // Fast path, 5 loads and 3 stores in the memory: a valid small size, a live region, room in
    // the current chunk. The guard is also the validation: NaN, negatives, fractions and large
    // sizes fail it (the typeof comes first because `>>>` throws on a BigInt). The block's address
    // (bump - span(size)), the count of allocations (its LIVE bit) and their requested bytes (the
    // bytes below the bump, less R_NEW_SLACK) are not stored: they are derived when needed.
    if (typeof size === "number" && size >>> 0 === size && size <= this.largeMin && u32[r + R_TAG] === this.tag) {
      const p = u32[r + R_BUMP];
      const n = ((size + 7) & -8) || 8; // span(size), written out: size <= largeMin < 2^28
      if (p + n <= u32[r + R_END]) {
        u32[r + R_BUMP] = p + n;
        u32[r + R_LAST_SIZE] = size;
        if (n !== size) u32[r + R_NEW_SLACK] += n - size;
        const chunk = u32[r + R_CHUNK];
        const g = (p - chunk) >>> 3;
        u32[(chunk >>> 2) + K_MAP + (g >>> 4)] |= (START_BIT | LIVE_BIT) << ((g & 15) << 1);
        return p;
      }
    }
    return this.allocSlow(size, 8);
  }

  /** Like `alloc`, aligned to `align` (a power of two up to the page pool's largest class). */
  alignedAlloc(size: number, align: number): Ptr {
    const largest = this.pages.classes[this.pages.classes.length - 1];
    if (typeof align !== "number" || !isPow2(align) || align > largest) invalidAlignment(align, largest);
    return this.allocSlow(size, align < 8 ? 8 : align);
  }

  /**
   * Frees a block. The most recent small block gives its bytes back (free-last); a large block
   * goes back to the page pool; any other small block is marked dead, and its bytes stay used
   * until `release` or `reset`. `free(0)` does nothing.
   */
  free(ptr: Ptr): void {
    const u32 = this.memory.u32;
    const r = this.r;
    const lastSize = u32[r + R_LAST_SIZE];
    if (lastSize !== NO_LAST && ptr === u32[r + R_BUMP] - span(lastSize) && u32[r + R_TAG] === this.tag) {
      // Free-last: R3 guarantees the block is live and nothing starts after it. The gauges drop
      // in the root's u32 counts only: first the peaks they had are noted (R_HIGH_*), then the
      // allocations made since R_FOLDED and their requested bytes are counted, and the free with them.
      const chunk = u32[r + R_CHUNK];
      const bump = u32[r + R_BUMP];
      const from = u32[r + R_FOLDED];
      const n = u32[r + R_NEW_N] + countLive(u32, chunk, from, bump);
      const requested = u32[r + R_NEW_REQUESTED] + (bump - from) - u32[r + R_NEW_SLACK];
      const frees = u32[r + R_NEW_FREES];
      const freed = u32[r + R_FREED_REQUESTED];
      if (n - frees > u32[r + R_HIGH_N]) u32[r + R_HIGH_N] = n - frees;
      const bytes = u32[r + R_OLD_USED] + (bump - u32[(chunk >>> 2) + K_DATA]) + u32[r + R_LARGE_BYTES];
      if (bytes > u32[r + R_HIGH_BYTES]) u32[r + R_HIGH_BYTES] = bytes;
      const gained = requested - freed;
      if (gained > u32[r + R_HIGH_REQUESTED]) u32[r + R_HIGH_REQUESTED] = gained;
      const g = (ptr - chunk) >>> 3;
      u32[(chunk >>> 2) + K_MAP + (g >>> 4)] &= ~((START_BIT | LIVE_BIT) << ((g & 15) << 1));
      u32[r + R_BUMP] = ptr;
      u32[r + R_FOLDED] = ptr;
      u32[r + R_NEW_N] = n;
      u32[r + R_NEW_REQUESTED] = requested;
      u32[r + R_NEW_SLACK] = 0;
      u32[r + R_NEW_FREES] = frees + 1;
      u32[r + R_FREED_REQUESTED] = freed + lastSize;
      u32[r + R_LAST_SIZE] = NO_LAST;
      u32[r + R_UNDONE] = ptr;
      if (frees + 1 === FOLD_FREES || freed > FOLD_BYTES) this.fold();
      return;
    }
    if (ptr === NULL) return;
    this.freeSlow(ptr);
  }

  /**
   * In place only. The most recent small block grows or shrinks while its chunk has room; any
   * other small block "resizes" within its current extent (usableSize); a large block resizes
   * its page run when the page pool can. `false` means realloc must move it.
   */
  resize(ptr: Ptr, newSize: number): boolean {
    this.live();
    if (!isSize(newSize)) invalidSize(newSize);
    const u32 = this.memory.u32;
    const r = this.r;
    if (ptr === this.lastBlock() && ptr !== NULL) {
      if (newSize > this.largeMin) return false;
      const n = span(newSize);
      if (ptr + n > u32[r + R_END]) return false;
      this.settle();
      u32[r + R_BUMP] = ptr + n;
      u32[r + R_FOLDED] = ptr + n;
      this.memory.f64[this.s + S_REQUESTED] += newSize - u32[r + R_LAST_SIZE];
      u32[r + R_LAST_SIZE] = newSize;
      return true;
    }
    const chunk = this.chunkOf(ptr);
    if (chunk !== NULL) return newSize <= this.extent(chunk, this.liveSmall(chunk, ptr, false));
    const h = this.largeHeader(ptr, false);
    const run = u32[h + L_RUN];
    const off = ptr - run;
    if (off + newSize > 0xffff_ffff) return false;
    const before = this.pages.usableSize(run);
    if (!this.pages.resize(run, off + newSize)) return false;
    const after = this.pages.usableSize(run);
    const u = this.memory.u32;
    this.settle();
    const f64 = this.memory.f64;
    f64[this.s + S_REQUESTED] += newSize - u[h + L_SIZE];
    this.adjustMarks(u[h + L_SERIAL], newSize - u[h + L_SIZE]);
    u[h + L_SIZE] = newSize;
    u[r + R_LARGE_BYTES] += after - before;
    gaugeAdd(f64, this.s + S_FOOTPRINT, after - before);
    return true;
  }

  /** Bytes usable at `ptr`: up to the next block's start (or the bump) for a small block. */
  usableSize(ptr: Ptr): number {
    this.live();
    const u32 = this.memory.u32;
    if (ptr === this.lastBlock() && ptr !== NULL) return u32[this.r + R_BUMP] - ptr;
    const chunk = this.chunkOf(ptr);
    if (chunk !== NULL) return this.extent(chunk, this.liveSmall(chunk, ptr, false)) ;
    const h = this.largeHeader(ptr, false);
    return this.pages.usableSize(u32[h + L_RUN]) - (ptr - u32[h + L_RUN]);
  }

  stats(): AllocatorStats {
    this.live();
    this.settle();
    return statsRead(this.memory.f64, this.s);
  }

  check(): void {
    this.live();
    checkRegion(this.memory, this.pages, this.root);
  }

  // ── marks ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Remembers the current allocation point and returns its token (never 0), for `release`. A
   * mark costs a 40-byte record in the region. Returns 0 when even that cannot be had.
   */
  mark(): number {
    this.live();
    const u32a = this.memory.u32;
    const r = this.r;
    const chunkBefore = u32a[r + R_CHUNK];
    const last = this.lastBlock();
    const lastSize = u32a[r + R_LAST_SIZE];
    this.fold();
    const rec = this.reserve(MARK_BYTES, 8);
    if (rec === NULL) return 0;
    const u32 = this.memory.u32;
    const chunk = u32[r + R_CHUNK];
    setBits(u32, chunk, rec, START_BIT); // a record is a START without LIVE: it ends the block before it
    let token = (u32[r + R_MARK_SERIAL] + 1) >>> 0;
    if (token === 0) token = 1;
    u32[r + R_MARK_SERIAL] = token;
    const m = rec >>> 2;
    u32[m + M_PREV] = u32[r + R_MARK];
    u32[m + M_TOKEN] = token;
    u32[m + M_CHUNK] = chunk;
    u32[m + M_BUMP] = rec;
    u32[m + M_SERIAL] = u32[r + R_SERIAL];
    const sameChunk = chunk === chunkBefore;
    u32[m + M_LAST] = sameChunk ? last : NULL;
    u32[m + M_LAST_SIZE] = sameChunk ? lastSize : 0;
    this.memory.f64[(rec >>> 3) + M_REQUESTED_F64] = this.memory.f64[this.s + S_REQUESTED];
    u32[r + R_MARK] = rec;
    u32[r + R_MARKS] += 1;
    u32[r + R_FOLDED] = u32[r + R_BUMP]; // past the record, which is no allocation
    u32[r + R_LAST_SIZE] = NO_LAST;
    return token;
  }

  /**
   * Frees everything allocated since `mark(token)`: small blocks, large blocks and chunks. Marks
   * are a stack: only the newest live mark can be released; a released, reset or foreign token,
   * or one with newer marks still held, throws ERR_HEAP_INVALID_MARK and changes nothing.
   */
  release(token: number): void {
    this.live();
    let u32 = this.memory.u32;
    const r = this.r;
    const rec = u32[r + R_MARK];
    if (typeof token !== "number" || rec === NULL || u32[(rec >>> 2) + M_TOKEN] !== token) {
      let m = rec === NULL ? NULL : u32[(rec >>> 2) + M_PREV];
      for (let i = 1; m !== NULL && i < u32[r + R_MARKS]; i++, m = u32[(m >>> 2) + M_PREV]) {
        if (u32[(m >>> 2) + M_TOKEN] === token) invalidMark(token, "out of order: a newer mark is still held");
      }
      invalidMark(token, "not a live mark of this region (released, reset, or another region's)");
    }
    this.settle();
    const m = rec >>> 2;
    const markChunk = u32[m + M_CHUNK];
    const markBump = u32[m + M_BUMP];
    const serial = u32[m + M_SERIAL];
    const f64 = this.memory.f64;
    const requested = f64[(rec >>> 3) + M_REQUESTED_F64];
    const last = u32[m + M_LAST];
    const lastSize = u32[m + M_LAST_SIZE];
    const prevMark = u32[m + M_PREV];
    // Large blocks newer than the mark: the list is newest first.
    while (u32[r + R_LARGE] !== NULL && u32[(u32[r + R_LARGE] >>> 2) + L_SERIAL] > serial) {
      this.freeLarge(u32[r + R_LARGE] >>> 2);
      u32 = this.memory.u32;
    }
    const freed = this.rewind(markChunk, markBump);
    u32 = this.memory.u32;
    const f = this.memory.f64;
    f[this.s + S_FREES] += freed;
    f[this.s + S_REQUESTED] = requested;
    u32[r + R_MARK] = prevMark;
    u32[r + R_MARKS] -= 1;
    // The block just below the record, if it is still live, is the last block again.
    const liveLast = last !== NULL && (mapBits(u32, markChunk, last) & LIVE_BIT) !== 0;
    u32[r + R_LAST_SIZE] = liveLast ? lastSize : NO_LAST;
  }

  /** Number of marks held. */
  get marks(): number {
    this.live();
    return this.memory.u32[this.r + R_MARKS];
  }

  // ── reset, destroy, children ─────────────────────────────────────────────────────────────────

  /**
   * Frees every block, destroys the child regions, and keeps only the first chunk. The other
   * chunks go back to the page pool (a child's go to its top region's chunk cache). Marks are
   * dropped: their tokens become stale.
   */
  reset(): void {
    this.live();
    this.settle();
    const r = this.r;
    let u32 = this.memory.u32;
    this.destroyChildren();
    while (u32[r + R_LARGE] !== NULL) {
      this.freeLarge(u32[r + R_LARGE] >>> 2);
      u32 = this.memory.u32;
    }
    const first = u32[r + R_FIRST];
    this.rewind(first, u32[(first >>> 2) + K_DATA]);
    u32 = this.memory.u32;
    const f64 = this.memory.f64;
    f64[this.s + S_FREES] = f64[this.s + S_ALLOCS];
    f64[this.s + S_REQUESTED] = 0;
    u32[r + R_MARK] = NULL;
    u32[r + R_MARKS] = 0;
    u32[r + R_LAST_SIZE] = NO_LAST;
  }

  /**
   * Gives every chunk and large block back (children first), and ends the region: any later
   * use, through any handle, throws ERR_HEAP_INVALID_STATE.
   */
  destroy(): void {
    this.live();
    destroyTree(this.pages, this.root);
  }

  /**
   * A child region (an APR sub-pool): same options, destroyed with this one (and by `reset`).
   * `into`: a destroyed handle over the same page pool to re-point at the new child and return,
   * instead of a new handle object: a region per request then makes no garbage for the GC.
   */
  child(options: Pick<RegionOptions, "chunkSize"> = {}, into?: Region): Region {
    this.live();
    if (into !== undefined && (!(into instanceof Region) || into.pages !== this.pages || into.alive)) {
      invalidState("child(options, into): `into` must be a destroyed region handle over the same page pool");
    }
    const u32a = this.memory.u32;
    const r = this.r;
    const F = this.pages.frameBytes;
    const first = roundUp(Math.max(options.chunkSize ?? u32a[r + R_FIRST_BYTES], F), F);
    if (!isSize(first) || first > 0x8000_0000 || first < CHUNK_HEADER_BYTES + mapBytes(first) + ROOT_BYTES + STATS_BYTES + 256) {
      invalidOption("chunkSize", options.chunkSize, "an integer up to 2 GiB with room for the root");
    }
    const chunk = takeChunk(this.pages, u32a[r + R_TOP], first);
    if (chunk === NULL) outOfMemory(first, "child region's first chunk");
    const u32 = this.memory.u32;
    const bytes = u32[(chunk >>> 2) + K_BYTES] > first ? u32[(chunk >>> 2) + K_BYTES] : first;
    const root = alignUp(chunk + CHUNK_HEADER_BYTES + mapBytes(bytes), 8);
    const c = root >>> 2;
    clearWords(u32, c, c + ROOT_WORDS);
    u32[c + R_FIRST_BYTES] = first;
    u32[c + R_MAX_CHUNK] = u32[r + R_MAX_CHUNK];
    u32[c + R_GROWTH] = u32[r + R_GROWTH];
    u32[c + R_LARGE_MIN] = u32[r + R_LARGE_MIN];
    Region.format(this.pages, chunk, bytes, root, this.root);
    const older = u32[r + R_CHILD];
    u32[c + R_SIB_NEXT] = older;
    if (older !== NULL) u32[(older >>> 2) + R_SIB_PREV] = root;
    u32[r + R_CHILD] = root;
    if (into === undefined) return new Region(this.pages, root);
    into.point(root);
    return into;
  }

  // ── slow paths ───────────────────────────────────────────────────────────────────────────────

  /** Everything alloc's fast path leaves out: bad sizes, a destroyed region, alignment, new chunks, large blocks, running out. */
  private allocSlow(size: number, align: number): Ptr {
    this.live();
    if (!isSize(size)) invalidSize(size);
    if (size > this.largeMin || align > MAX_CHUNK_ALIGN) return this.allocLarge(size, align);
    this.countUp(); // the alignment padding reserve may skip is no allocation
    const p = this.reserve(span(size), align);
    if (p === NULL) {
      this.memory.f64[this.s + S_FAILED] += 1;
      return NULL; // running out is an answer, not an exception
    }
    const u32 = this.memory.u32;
    const r = this.r;
    setBits(u32, u32[r + R_CHUNK], p, START_BIT | LIVE_BIT);
    u32[r + R_FOLDED] = p; // the block itself is counted by the next fold
    u32[r + R_LAST_SIZE] = size;
    u32[r + R_NEW_SLACK] = span(size) - size; // countUp emptied [R_FOLDED, bump): this block is all of it
    return p;
  }

  /** `n` bytes aligned to `align` at the bump, moving to a new chunk if needed; 0 when none can be had. No bits, no stats. */
  private reserve(n: number, align: number): Ptr {
    let u32 = this.memory.u32;
    const r = this.r;
    let p = alignUp(u32[r + R_BUMP], align);
    if (p + n > u32[r + R_END]) {
      if (!this.newChunk(n + align - 8)) return NULL;
      u32 = this.memory.u32;
      p = alignUp(u32[r + R_BUMP], align);
    }
    u32[r + R_BUMP] = p + n;
    return p;
  }

  /** Makes a chunk with at least `need` data bytes the current one. */
  private newChunk(need: number): boolean {
    let u32 = this.memory.u32;
    const r = this.r;
    const cur = u32[r + R_CHUNK];
    this.countUp(); // the chunk being left: its map is read only while it is current
    const curBytes = u32[(cur >>> 2) + K_BYTES];
    const F = this.pages.frameBytes;
    // Exponential growth steps through the page classes (4 KiB → 64 KiB → 2 MiB by default) up to
    // the cap: a chunk given back is then one whole free page, which the page pool hands out again
    // as it is (hot, no split, no coalescing). Doubling through sizes between classes left freed
    // chunks split into 4 KiB pages, and new chunks were cut from fresh memory instead.
    const maxChunk = u32[r + R_MAX_CHUNK];
    let bytes = u32[r + R_FIRST_BYTES];
    if (u32[r + R_GROWTH] !== GROW_FIXED) {
      const next = firstAtLeast(this.pages.classes, curBytes * 2, maxChunk);
      bytes = Math.max(bytes, Math.min(next, maxChunk));
    }
    for (let i = 0; i < 32 && CHUNK_HEADER_BYTES + mapBytes(bytes) + need > bytes; i++) bytes = roundUp(bytes * 2, F);
    const chunk = takeChunk(this.pages, u32[r + R_TOP], bytes);
    if (chunk === NULL) return false;
    u32 = this.memory.u32;
    const got = Math.max(u32[(chunk >>> 2) + K_BYTES], bytes); // a cached chunk may be larger
    const data = alignUp(chunk + CHUNK_HEADER_BYTES + mapBytes(got), 8);
    const cw = cur >>> 2;
    u32[cw + K_USED] = u32[r + R_BUMP];
    u32[r + R_OLD_USED] += u32[r + R_BUMP] - u32[cw + K_DATA];
    initChunk(u32, chunk, got, cur, u32[cw + K_SEQ] + 1, data);
    u32[r + R_CHUNK] = chunk;
    u32[r + R_BUMP] = data;
    u32[r + R_FOLDED] = data;
    u32[r + R_END] = chunk + got;
    u32[r + R_LAST_SIZE] = NO_LAST;
    gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, got);
    return true;
  }

  private allocLarge(size: number, align: number): Ptr {
    const off = align > LARGE_HEADER_BYTES ? align : LARGE_HEADER_BYTES;
    const total = off + (size < 8 ? 8 : size); // a zero-size block still owns bytes inside its run
    const F = this.pages.frameBytes;
    let run = NULL;
    if (total <= 0xffff_ffff) run = align > F ? this.pages.alignedAlloc(total, align) : this.pages.alloc(total);
    if (run === NULL) {
      this.memory.f64[this.s + S_FAILED] += 1;
      return NULL;
    }
    const u32 = this.memory.u32;
    const r = this.r;
    const ptr = run + off;
    const h = (ptr - LARGE_HEADER_BYTES) >>> 2;
    const head = u32[r + R_LARGE];
    u32[h + L_NEXT] = head;
    u32[h + L_PREV] = NULL;
    if (head !== NULL) u32[(head >>> 2) + L_PREV] = h * 4;
    u32[h + L_OWNER] = this.root;
    u32[h + L_TAG] = this.tag;
    u32[h + L_SIZE] = size;
    u32[h + L_RUN] = run;
    const serial = (u32[r + R_SERIAL] + 1) >>> 0;
    u32[h + L_SERIAL] = serial;
    u32[r + R_SERIAL] = serial;
    u32[r + R_LARGE] = h * 4;
    u32[r + R_LARGE_N] += 1;
    const runBytes = this.pages.usableSize(run);
    u32[r + R_LARGE_BYTES] += runBytes - off;
    const f64 = this.memory.f64;
    f64[this.s + S_ALLOCS] += 1;
    f64[this.s + S_REQUESTED] += size;
    gaugeAdd(f64, this.s + S_FOOTPRINT, runBytes);
    return ptr;
  }

  private freeSlow(ptr: Ptr): void {
    this.live();
    const chunk = this.chunkOf(ptr);
    if (chunk !== NULL) {
      const g = this.liveSmall(chunk, ptr, true);
      this.settle();
      const u32 = this.memory.u32;
      u32[(chunk >>> 2) + K_MAP + (g >>> 4)] &= ~(LIVE_BIT << ((g & 15) << 1));
      this.memory.f64[this.s + S_FREES] += 1;
      return;
    }
    if (ptr === this.memory.u32[this.r + R_UNDONE]) doubleFree(ptr); // given back by free-last, not handed out since
    const h = this.largeHeader(ptr, true);
    this.settle();
    this.freeLarge(h);
  }

  /** Unlinks and frees the large block whose header is at word `h`. */
  private freeLarge(h: number): void {
    let u32 = this.memory.u32;
    const r = this.r;
    const next = u32[h + L_NEXT];
    const prev = u32[h + L_PREV];
    if (prev === NULL) u32[r + R_LARGE] = next;
    else u32[(prev >>> 2) + L_NEXT] = next;
    if (next !== NULL) u32[(next >>> 2) + L_PREV] = prev;
    const run = u32[h + L_RUN];
    const size = u32[h + L_SIZE];
    const runBytes = this.pages.usableSize(run);
    u32[r + R_LARGE_N] -= 1;
    u32[r + R_LARGE_BYTES] -= runBytes - ((h * 4) + LARGE_HEADER_BYTES - run);
    u32[h + L_TAG] = (this.tag ^ FREED_XOR) >>> 0; // a second free of this pointer reads as a double free while the page stays free
    this.adjustMarks(u32[h + L_SERIAL], -size);
    this.pages.free(run);
    u32 = this.memory.u32;
    const f64 = this.memory.f64;
    f64[this.s + S_FREES] += 1;
    f64[this.s + S_REQUESTED] -= size;
    gaugeAdd(f64, this.s + S_FOOTPRINT, -runBytes);
  }

  /** A large block older than some marks changed by `delta` requested bytes: those marks' saved totals follow. */
  private adjustMarks(serial: number, delta: number): void {
    const u32 = this.memory.u32;
    const f64 = this.memory.f64;
    let m = u32[this.r + R_MARK];
    for (let i = 0; m !== NULL && i < u32[this.r + R_MARKS]; i++, m = u32[(m >>> 2) + M_PREV]) {
      if (u32[(m >>> 2) + M_SERIAL] < serial) break; // marks below this one were made before the block
      f64[(m >>> 3) + M_REQUESTED_F64] += delta;
    }
  }

  /**
   * Frees every chunk newer than `chunk` and every small block at or after `bump` in it, which
   * becomes the current chunk with its bump there. Returns the live blocks it freed.
   */
  private rewind(chunk: Ptr, bump: Ptr): number {
    let u32 = this.memory.u32;
    const r = this.r;
    let freed = 0;
    let c = u32[r + R_CHUNK];
    let used = u32[r + R_BUMP];
    for (let i = 0; c !== chunk && c !== NULL && i < 1 << 26; i++) {
      freed += clearBits(u32, c, u32[(c >>> 2) + K_DATA], used);
      const prev = u32[(c >>> 2) + K_PREV];
      const bytes = u32[(c >>> 2) + K_BYTES]; // read before the page pool reuses the chunk's first words
      putChunk(this.pages, this.root, c);
      u32 = this.memory.u32;
      gaugeAdd(this.memory.f64, this.s + S_FOOTPRINT, -bytes);
      c = prev;
      if (c !== NULL) {
        used = u32[(c >>> 2) + K_USED];
        u32[r + R_OLD_USED] -= used - u32[(c >>> 2) + K_DATA];
      }
    }
    freed += clearBits(u32, chunk, bump, used);
    u32[r + R_CHUNK] = chunk;
    u32[r + R_BUMP] = bump;
    u32[r + R_FOLDED] = bump; // callers settled first
    u32[r + R_END] = chunk + u32[(chunk >>> 2) + K_BYTES];
    return freed;
  }

  private destroyChildren(): void {
    const u32 = this.memory.u32;
    for (let i = 0; u32[this.r + R_CHILD] !== NULL && i < 1 << 26; i++) destroyTree(this.pages, u32[this.r + R_CHILD]);
  }

  // ── lookups ──────────────────────────────────────────────────────────────────────────────────

  /** The chunk whose used bytes hold `ptr`, newest first, or 0. O(chunks), 1 for recent blocks. */
  private chunkOf(ptr: Ptr): Ptr {
    if (typeof ptr !== "number" || ptr >>> 0 !== ptr) invalidPointer(ptr, "not a pointer");
    const u32 = this.memory.u32;
    const r = this.r;
    let c = u32[r + R_CHUNK];
    let used = u32[r + R_BUMP];
    for (let i = 0; c !== NULL && i < 1 << 26; i++) {
      const cw = c >>> 2;
      if (ptr >= u32[cw + K_DATA] && ptr < used) return c;
      c = u32[cw + K_PREV];
      if (c !== NULL) used = u32[(c >>> 2) + K_USED];
    }
    return NULL;
  }

  /** Granule of the live block starting at `ptr` in `chunk`; throws for a non-start, or a dead block. */
  private liveSmall(chunk: Ptr, ptr: Ptr, freeing: boolean): number {
    if ((ptr & 7) !== 0) invalidPointer(ptr, "not on the 8-byte grid");
    const bits = mapBits(this.memory.u32, chunk, ptr);
    if ((bits & START_BIT) === 0) invalidPointer(ptr, "not the start of a block of this region");
    if ((bits & LIVE_BIT) === 0) {
      if (freeing) doubleFree(ptr);
      invalidPointer(ptr, "a freed block");
    }
    return (ptr - chunk) >>> 3;
  }

  /** Bytes from granule `g` of `chunk` to the next START, or the chunk's used end. */
  private extent(chunk: Ptr, g: number): number {
    const u32 = this.memory.u32;
    const end = chunk === u32[this.r + R_CHUNK] ? u32[this.r + R_BUMP] : u32[(chunk >>> 2) + K_USED];
    const endG = (end - chunk) >>> 3;
    const mw = (chunk >>> 2) + K_MAP;
    let h = g + 1;
    while (h < endG) {
      // the START bits of a word are the even bits: skip whole words without one
      const word = u32[mw + (h >>> 4)] >>> ((h & 15) << 1);
      if ((word & 0x5555_5555) === 0) {
        h = (h | 15) + 1;
        continue;
      }
      if ((word & START_BIT) !== 0) break;
      h++;
    }
    return ((h < endG ? h : endG) - g) << 3;
  }

  /** Header word index of a large block of this region at `ptr`, or throws. */
  private largeHeader(ptr: Ptr, freeing: boolean): number {
    const u32 = this.memory.u32;
    if (ptr % 8 !== 0 || ptr < this.memory.base + 64 + LARGE_HEADER_BYTES || ptr > this.memory.byteLength - 8) {
      invalidPointer(ptr, "not a block of this region");
    }
    const h = (ptr - LARGE_HEADER_BYTES) >>> 2;
    if (u32[h + L_OWNER] === this.root && u32[h + L_TAG] === ((this.tag ^ FREED_XOR) >>> 0) && freeing) doubleFree(ptr);
    const prev = u32[h + L_PREV];
    const linked = prev === NULL ? u32[this.r + R_LARGE] === h * 4 : prev + 4 < this.memory.byteLength && u32[(prev >>> 2) + L_NEXT] === h * 4;
    if (u32[h + L_OWNER] !== this.root || u32[h + L_TAG] !== this.tag || !linked) invalidPointer(ptr, "not a block of this region");
    return h;
  }

  /** Throws ERR_HEAP_INVALID_STATE once the region is destroyed. */
  private live(): void {
    if (this.memory.u32[this.r + R_TAG] !== this.tag || this.tag === 0) invalidState("this region was destroyed");
  }

  /**
   * Adds the counts kept in the root since the last fold (layout.ts) to the stats block, and
   * raises the peaks to those free-last saw. Allocations: R_NEW_N plus the LIVE bits in
   * [R_FOLDED, bump) of the current chunk (one popcount per 16 granules).
   */
  private fold(): void {
    const u32 = this.memory.u32;
    const r = this.r;
    const from = u32[r + R_FOLDED];
    const to = u32[r + R_BUMP];
    if (from === to && u32[r + R_NEW_N] === 0 && u32[r + R_NEW_FREES] === 0) return;
    const f64 = this.memory.f64;
    const s = this.s;
    const baseLive = f64[s + S_ALLOCS] - f64[s + S_FREES];
    if (baseLive + u32[r + R_HIGH_N] > f64[s + S_LIVE_BLOCKS + 1]) f64[s + S_LIVE_BLOCKS + 1] = baseLive + u32[r + R_HIGH_N];
    if (u32[r + R_HIGH_BYTES] > f64[s + S_LIVE_BYTES + 1]) f64[s + S_LIVE_BYTES + 1] = u32[r + R_HIGH_BYTES];
    const baseRequested = f64[s + S_REQUESTED];
    if (baseRequested + u32[r + R_HIGH_REQUESTED] > f64[s + S_REQUESTED + 1]) f64[s + S_REQUESTED + 1] = baseRequested + u32[r + R_HIGH_REQUESTED];
    f64[s + S_ALLOCS] += u32[r + R_NEW_N] + countLive(u32, u32[r + R_CHUNK], from, to);
    f64[s + S_FREES] += u32[r + R_NEW_FREES];
    f64[s + S_REQUESTED] = baseRequested + u32[r + R_NEW_REQUESTED] + (to - from) - u32[r + R_NEW_SLACK] - u32[r + R_FREED_REQUESTED];
    clearWords(u32, r + R_NEW_REQUESTED, r + R_NEW_SLACK + 1);
    u32[r + R_FOLDED] = to;
  }

  /**
   * Counts the allocations in [R_FOLDED, bump) into R_NEW_N and their requested bytes into
   * R_NEW_REQUESTED, and moves R_FOLDED to the bump, for a new chunk or a block after padding.
   * The stats block is updated only once the counts grow large: no f64 slot is read here, which
   * would make a new heap number before optimization.
   */
  private countUp(): void {
    const u32 = this.memory.u32;
    const r = this.r;
    const bump = u32[r + R_BUMP];
    const from = u32[r + R_FOLDED];
    u32[r + R_NEW_N] += countLive(u32, u32[r + R_CHUNK], from, bump);
    u32[r + R_NEW_REQUESTED] += bump - from - u32[r + R_NEW_SLACK];
    u32[r + R_NEW_SLACK] = 0;
    u32[r + R_FOLDED] = bump;
    if (u32[r + R_NEW_N] > FOLD_BYTES || u32[r + R_NEW_REQUESTED] > FOLD_BYTES) this.fold();
  }

  /** Start of the most recent live small block (free-last, grow-last), or 0. */
  private lastBlock(): Ptr {
    const u32 = this.memory.u32;
    const size = u32[this.r + R_LAST_SIZE];
    return size === NO_LAST ? NULL : u32[this.r + R_BUMP] - span(size);
  }

  /**
   * Brings the derived gauges up to date and raises their peaks. liveBlocks is allocs - frees,
   * liveBytes the bytes below the bumps plus the large blocks; both only rise in alloc, which
   * does not touch them, so every operation that lowers one settles first (free-last notes the
   * peaks in R_HIGH_* instead, for fold) and the peaks stay exact.
   */
  private settle(): void {
    this.fold();
    const u32 = this.memory.u32;
    const f64 = this.memory.f64;
    const s = this.s;
    const r = this.r;
    const live = f64[s + S_ALLOCS] - f64[s + S_FREES];
    f64[s + S_LIVE_BLOCKS] = live;
    if (live > f64[s + S_LIVE_BLOCKS + 1]) f64[s + S_LIVE_BLOCKS + 1] = live;
    const bytes = u32[r + R_OLD_USED] + (u32[r + R_BUMP] - u32[(u32[r + R_CHUNK] >>> 2) + K_DATA]) + u32[r + R_LARGE_BYTES];
    f64[s + S_LIVE_BYTES] = bytes;
    if (bytes > f64[s + S_LIVE_BYTES + 1]) f64[s + S_LIVE_BYTES + 1] = bytes;
    if (f64[s + S_REQUESTED] > f64[s + S_REQUESTED + 1]) f64[s + S_REQUESTED + 1] = f64[s + S_REQUESTED];
  }
}

const FREED_XOR = 0x5a5a_5a5a;

// ── chunk helpers (free functions: used by handles of several regions of one tree) ─────────────

function initChunk(u32: Uint32Array, chunk: Ptr, bytes: number, prev: Ptr, seq: number, data: Ptr): void {
  const cw = chunk >>> 2;
  u32[cw + K_PREV] = prev;
  u32[cw + K_BYTES] = bytes;
  u32[cw + K_SEQ] = seq;
  u32[cw + K_USED] = data;
  u32[cw + K_DATA] = data;
  clearWords(u32, cw + K_MAP, cw + K_MAP + (mapBytes(bytes) >>> 2));
}

/** The two map bits of the granule at `p` in `chunk`. */
export function mapBits(u32: Uint32Array, chunk: Ptr, p: Ptr): number {
  const g = (p - chunk) >>> 3;
  return (u32[(chunk >>> 2) + K_MAP + (g >>> 4)] >>> ((g & 15) << 1)) & 3;
}

function setBits(u32: Uint32Array, chunk: Ptr, p: Ptr, bits: number): void {
  const g = (p - chunk) >>> 3;
  u32[(chunk >>> 2) + K_MAP + (g >>> 4)] |= bits << ((g & 15) << 1);
}

/** Clears the map bits of granules [from, to) of `chunk`; returns how many LIVE bits it cleared. */
const clearBits = (u32: Uint32Array, chunk: Ptr, from: Ptr, to: Ptr): number => liveInRange(u32, chunk, from, to, true);

/** The LIVE bits of granules [from, to) of `chunk`. */
const countLive = (u32: Uint32Array, chunk: Ptr, from: Ptr, to: Ptr): number => liveInRange(u32, chunk, from, to, false);

function liveInRange(u32: Uint32Array, chunk: Ptr, from: Ptr, to: Ptr, clear: boolean): number {
  const mw = (chunk >>> 2) + K_MAP;
  let live = 0;
  let g = (from - chunk) >>> 3;
  const end = (to - chunk) >>> 3;
  while (g < end) {
    const w = mw + (g >>> 4);
    const lo = (g & 15) << 1;
    const n = Math.min(16 - (g & 15), end - g); // granules of this word in range
    // Mask of bits [lo, lo + 2n): 2n <= 32, built without a shift by 32 (which would wrap). All
    // int32, never `>>> 0`: a value at or above 2^31 would be a boxed double before optimization.
    const mask = n === 16 ? -1 : ((1 << (2 * n)) - 1) << lo;
    const word = u32[w];
    live += popcount(((word & mask) >>> 1) & 0x5555_5555); // the LIVE bits, moved to the even positions
    if (clear) u32[w] = word & ~mask;
    g += n;
  }
  return live;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A chunk of at least `bytes`: from the top region's cache (first fit among a few), else the page pool. */
function takeChunk(pages: PagePool, top: Ptr, bytes: number): Ptr {
  const u32 = pages.memory.u32;
  const t = top >>> 2;
  let prev = NULL;
  let c = u32[t + R_CACHE];
  for (let i = 0; c !== NULL && i < 8; i++) {
    const size = u32[(c >>> 2) + K_BYTES];
    if (size >= bytes && size <= 4 * bytes) {
      const next = u32[(c >>> 2) + K_PREV];
      if (prev === NULL) u32[t + R_CACHE] = next;
      else u32[(prev >>> 2) + K_PREV] = next;
      u32[t + R_CACHE_BYTES] -= size;
      gaugeAdd(pages.memory.f64, (u32[t + R_STATS] >>> 3) + S_FOOTPRINT, -size);
      return c;
    }
    prev = c;
    c = u32[(c >>> 2) + K_PREV];
  }
  const chunk = pages.alloc(bytes);
  if (chunk !== NULL) pages.memory.u32[(chunk >>> 2) + K_BYTES] = bytes; // initChunk rewrites it; takers read it first
  return chunk;
}

/** Gives a chunk of region `root` back: to its top region's cache when it is a descendant's and fits, else to the page pool. */
function putChunk(pages: PagePool, root: Ptr, chunk: Ptr): void {
  const u32 = pages.memory.u32;
  const top = u32[(root >>> 2) + R_TOP];
  const t = top >>> 2;
  const bytes = u32[(chunk >>> 2) + K_BYTES];
  if (top !== root && u32[t + R_TAG] !== 0 && u32[t + R_CACHE_BYTES] + bytes <= u32[t + R_CACHE_LIMIT]) {
    u32[(chunk >>> 2) + K_PREV] = u32[t + R_CACHE];
    u32[t + R_CACHE] = chunk;
    u32[t + R_CACHE_BYTES] += bytes;
    gaugeAdd(pages.memory.f64, (u32[t + R_STATS] >>> 3) + S_FOOTPRINT, bytes);
    return;
  }
  pages.free(chunk);
}

/** Destroys the region at `root` and its descendants: chunks and large blocks back, tags zeroed, unlinked from the parent. */
function destroyTree(pages: PagePool, root: Ptr): void {
  let u32 = pages.memory.u32;
  const r = root >>> 2;
  for (let i = 0; u32[r + R_CHILD] !== NULL && i < 1 << 26; i++) {
    destroyTree(pages, u32[r + R_CHILD]);
    u32 = pages.memory.u32;
  }
  // Unlink from the parent's child list.
  const parent = u32[r + R_PARENT];
  if (parent !== NULL) {
    const next = u32[r + R_SIB_NEXT];
    const prev = u32[r + R_SIB_PREV];
    if (prev === NULL) u32[(parent >>> 2) + R_CHILD] = next;
    else u32[(prev >>> 2) + R_SIB_NEXT] = next;
    if (next !== NULL) u32[(next >>> 2) + R_SIB_PREV] = prev;
  }
  for (let h = u32[r + R_LARGE], i = 0; h !== NULL && i < 1 << 26; i++) {
    const next = u32[(h >>> 2) + L_NEXT];
    u32[(h >>> 2) + L_TAG] = 0;
    pages.free(u32[(h >>> 2) + L_RUN]);
    u32 = pages.memory.u32;
    h = next;
  }
  if (root === u32[r + R_TOP]) {
    for (let c = u32[r + R_CACHE], i = 0; c !== NULL && i < 1 << 26; i++) {
      const next = u32[(c >>> 2) + K_PREV];
      pages.free(c);
      u32 = pages.memory.u32;
      c = next;
    }
    u32[r + R_CACHE] = NULL;
  }
  // The first chunk holds the root: zero the tag before any chunk goes back, and free it last.
  u32[r + R_TAG] = 0;
  u32[r + R_MAGIC] = 0;
  let c = u32[r + R_CHUNK];
  const first = u32[r + R_FIRST];
  const topRoot = u32[r + R_TOP];
  for (let i = 0; c !== NULL && i < 1 << 26; i++) {
    const prev = u32[(c >>> 2) + K_PREV];
    if (root === topRoot) pages.free(c);
    else putChunk(pages, root, c);
    u32 = pages.memory.u32;
    if (c === first) break;
    c = prev;
  }
}
