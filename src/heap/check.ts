// Full validation of the heap: invariants B1–B4, M1–M3, Q1, C1, H1 and S1 of layout.ts, then the page
// pool's own. O(blocks + lists + chunks). No stored value is a loop bound: every walk is capped by
// what the memory could hold, so it terminates on any bytes, and it throws nothing but
// CorruptionError (a page pool error about a run the heap names is reported as corruption).
import { corrupted, HeapError } from "../core/errors.js";
import { S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED } from "../core/stats.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import {
  CHUNK_HEADER_BYTES,
  CH_END,
  CH_NEXT,
  CH_PREV,
  CH_RUN,
  FL_COUNT,
  FREE_BIT,
  GRANULE,
  HEADER_BYTES,
  HEAP_MAGIC,
  HEAP_VERSION,
  HUGE_BIT,
  HUGE_HEADER_BYTES,
  HW_NEXT,
  HW_PREV,
  HW_REQUESTED,
  HW_RUN,
  MAX_SLACK,
  MIN_BLOCK_BYTES,
  PREV_FREE_BIT,
  QUICK_LISTS,
  QUICK_MAX,
  R_CHUNKS,
  R_FL_MAP,
  R_HEADS,
  R_HUGE,
  R_KEY,
  R_MAGIC,
  R_QUICK,
  R_SL_MAP,
  R_STATS,
  R_TOP_CHUNK,
  R_VERSION,
  R_SMALL,
  rootBytes,
  SIZE_MASK,
  SL_COUNT,
  SLACK_SHIFT,
  W_NEXT,
  W_PREV,
  W_PREVFREE,
  W_SIZE,
  guardOf,
} from "./layout.js";
import { insertIndex } from "./mapping.js";

/** Live-block totals that another part of the heap (the small sizes) adds to the walk's. */
export interface LiveTotals {
  blocks: number;
  bytes: number;
  requested: number;
}

function runBytes(pool: PagePool, run: number, at: number): number {
  try {
    return pool.usableSize(run);
  } catch (e) {
    if (e instanceof HeapError) corrupted(`the page pool has no live run at ${run}`, at);
    throw e;
  }
}

export function checkHeap(
  memory: Memory,
  pool: PagePool,
  root: number,
  extra: LiveTotals = { blocks: 0, bytes: 0, requested: 0 },
  isSlabPage?: (p: number) => boolean,
): void {
  // `extra`: the small sizes' totals, from SmallSizes.check() (SL1–SL3), which ran first.
  const u32 = memory.u32;
  const r = root >>> 2;
  const len = memory.byteLength;
  const F = pool.frameBytes;
  const lo = memory.dataStart;
  if (u32[r + R_MAGIC] !== HEAP_MAGIC || u32[r + R_VERSION] !== HEAP_VERSION) corrupted("heap root magic or version", root);
  const key = u32[r + R_KEY];
  const guardAt = (b: number, sw: number): boolean => u32[(b >>> 2) + W_PREV] === guardOf(b, sw, key);

  let blocks = extra.blocks;
  let bytes = extra.bytes;
  let requested = extra.requested;
  const free = new Set<number>();
  const cached = new Set<number>();

  // C1 and B1–B4: the chunk list, and a physical walk of each chunk.
  const maxChunks = Math.floor(len / F) + 1;
  const chunkSet = new Set<number>();
  let back = 0;
  for (let c = u32[r + R_CHUNKS]; c !== 0; c = u32[(c >>> 2) + CH_NEXT]) {
    if (chunkSet.size >= maxChunks || chunkSet.has(c)) corrupted("C1 the chunk list has a cycle", c);
    if ((c & 7) !== 0 || c < lo || c + CHUNK_HEADER_BYTES + HEADER_BYTES > len) corrupted("C1 chunk outside the memory", c);
    chunkSet.add(c);
    const cw = c >>> 2;
    if (u32[cw + CH_PREV] !== back) corrupted("C1 chunk back link broken", c);
    back = c;
    const end = u32[cw + CH_END];
    const run = u32[cw + CH_RUN];
    if (end > len || end < c + CHUNK_HEADER_BYTES + HEADER_BYTES || end % F !== 0) corrupted(`C1 chunk end ${end} out of range`, c);
    if (!(run === c || (run === root && c === root + rootBytes(u32[r + R_SMALL])))) corrupted("C1 chunk not at the start of its run", c);
    if (run + runBytes(pool, run, c) !== end) corrupted("C1 chunk end is not its run's end", c);
    const sentinel = end - HEADER_BYTES;
    let prevFree = false;
    let prevSize = 0;
    let b = c + CHUNK_HEADER_BYTES;
    while (b < sentinel) {
      const sw = u32[(b >>> 2) + W_SIZE];
      const size = sw & SIZE_MASK;
      if (size < MIN_BLOCK_BYTES || size > sentinel - b || (sw & HUGE_BIT) !== 0) corrupted(`B1 block size ${size} out of range`, b);
      const pf = (sw & PREV_FREE_BIT) !== 0;
      if (pf !== prevFree) corrupted("B2 PREV_FREE bit disagrees with the left neighbour", b);
      if (pf ? u32[(b >>> 2) + W_PREV] !== prevSize : !guardAt(b, sw)) corrupted(pf ? "B2 left size (footer) disagrees with the left block" : "B2 guard does not match the header (overrun?)", b);
      const isFree = (sw & FREE_BIT) !== 0;
      if (isFree) {
        if (prevFree) corrupted("B3 two adjacent free blocks", b);
        if (sw >>> SLACK_SHIFT !== 0) corrupted("B4 a free block with slack", b);
        free.add(b);
      } else if (sw >>> SLACK_SHIFT === MAX_SLACK) {
        if (size > QUICK_MAX) corrupted(`Q1 a cached block of ${size} bytes (quick lists hold up to ${QUICK_MAX})`, b);
        cached.add(b);
      } else {
        const slack = sw >>> SLACK_SHIFT;
        if (slack > size - HEADER_BYTES) corrupted("B4 slack larger than the block", b);
        if (isSlabPage !== undefined && isSlabPage(b + HEADER_BYTES)) {
          b += size; // a slab page: its slots are counted by the small sizes' check
          prevFree = false;
          prevSize = size;
          continue;
        }
        blocks++;
        bytes += size - HEADER_BYTES;
        requested += size - HEADER_BYTES - slack;
      }
      prevFree = isFree;
      prevSize = size;
      b += size; // size >= 16: at most (end - c) / 16 steps
    }
    if (b !== sentinel) corrupted("B1 blocks do not end at the chunk's sentinel", b);
    const ssw = u32[(b >>> 2) + W_SIZE];
    if ((ssw & ~PREV_FREE_BIT) !== 0) corrupted("B1 the chunk's sentinel is damaged", b);
    if (((ssw & PREV_FREE_BIT) !== 0) !== prevFree) corrupted("B2 the sentinel's PREV_FREE bit disagrees", b);
    if (prevFree ? u32[b >>> 2] !== prevSize : !guardAt(b, ssw)) corrupted("B2 the sentinel's guard or footer is damaged", b);
  }
  const top = u32[r + R_TOP_CHUNK];
  if (top !== 0 && !chunkSet.has(top)) corrupted("C1 the top chunk is not on the chunk list", root);
  // W1: the wilderness (the free block that ends the top chunk) is on no list.
  if (top !== 0) {
    const sentinel = u32[(top >>> 2) + CH_END] - HEADER_BYTES;
    if ((u32[(sentinel >>> 2) + W_SIZE] & PREV_FREE_BIT) !== 0) free.delete(sentinel - u32[sentinel >>> 2]);
  }

  // M1–M3: bitmaps and lists, together exactly the free blocks of the walk.
  const flMap = u32[r + R_FL_MAP];
  if (flMap >>> FL_COUNT !== 0) corrupted("M2 first-level bits beyond the last level", root);
  let listed = 0;
  const seen = new Set<number>();
  for (let f = 0; f < FL_COUNT; f++) {
    const sl = u32[r + R_SL_MAP + f];
    if (((flMap >>> f) & 1) !== (sl !== 0 ? 1 : 0)) corrupted(`M2 first-level bit ${f} disagrees with its map`, root);
    for (let s = 0; s < SL_COUNT; s++) {
      const list = f * SL_COUNT + s;
      const head = u32[r + R_HEADS + list];
      if (((sl >>> s) & 1) !== (head !== 0 ? 1 : 0)) corrupted(`M1 bit of list ${list} disagrees with its head`, root);
      let prev = 0;
      for (let b = head; b !== 0; b = u32[(b >>> 2) + W_NEXT]) {
        if (++listed > free.size || seen.has(b)) corrupted("M3 free lists hold more blocks than the heap (cycle?)", b);
        if (!free.has(b)) corrupted("M3 a listed block is not a free block of a chunk, or is the wilderness", b);
        seen.add(b);
        if (insertIndex(u32[(b >>> 2) + W_SIZE] & SIZE_MASK) !== list) corrupted(`M3 block on list ${list} belongs elsewhere`, b);
        if (u32[(b >>> 2) + W_PREVFREE] !== prev) corrupted("M3 free list back link broken", b);
        prev = b;
      }
    }
  }
  if (listed !== free.size) corrupted(`M3 ${free.size - listed} free block(s) on no list`, root);

  // Q1: the quick lists hold exactly the cached blocks of the walk, each on the list of its size.
  let quick = 0;
  for (let i = 0; i < QUICK_LISTS; i++) {
    for (let b = u32[r + R_QUICK + i]; b !== 0; b = u32[(b >>> 2) + W_NEXT]) {
      if (++quick > cached.size) corrupted("Q1 quick lists hold more blocks than the heap caches (cycle?)", b);
      if (!cached.has(b)) corrupted("Q1 a quick list names a block that is not cached", b);
      if ((u32[(b >>> 2) + W_SIZE] & SIZE_MASK) !== i * GRANULE) corrupted(`Q1 block on quick list ${i} has another size`, b);
    }
  }
  if (quick !== cached.size) corrupted(`Q1 ${cached.size - quick} cached block(s) on no quick list`, root);

  // H1: huge blocks.
  let hback = 0;
  let hcount = 0;
  for (let p = u32[r + R_HUGE]; p !== 0; p = u32[(p >>> 2) + HW_NEXT]) {
    if (++hcount > maxChunks) corrupted("H1 the huge list has a cycle", p);
    if ((p & 7) !== 0 || p < lo + HUGE_HEADER_BYTES || p > len) corrupted("H1 huge block outside the memory", p);
    const b = p - HEADER_BYTES;
    const sw = u32[(b >>> 2) + W_SIZE];
    if (sw !== HUGE_BIT || !guardAt(b, sw)) corrupted("H1 huge header damaged", b);
    if (u32[(p >>> 2) + HW_PREV] !== hback) corrupted("H1 huge list back link broken", p);
    hback = p;
    const run = u32[(p >>> 2) + HW_RUN];
    if (run >= p) corrupted("H1 huge block before its run", p);
    const usable = run + runBytes(pool, run, p) - p;
    if (u32[(p >>> 2) + HW_REQUESTED] > usable) corrupted("H1 requested bytes exceed the run", p);
    blocks++;
    bytes += usable;
    requested += u32[(p >>> 2) + HW_REQUESTED];
  }

  // S1: the stats block agrees with the walks.
  const f64 = memory.f64;
  const s = (root + R_STATS * 4) / 8;
  if (f64[s + S_LIVE_BLOCKS] !== blocks) corrupted(`S1 stats count ${f64[s + S_LIVE_BLOCKS]} live blocks, the walk ${blocks}`, root);
  if (f64[s + S_LIVE_BYTES] !== bytes) corrupted(`S1 stats count ${f64[s + S_LIVE_BYTES]} usable bytes, the walk ${bytes}`, root);
  if (f64[s + S_REQUESTED] !== requested) corrupted(`S1 stats count ${f64[s + S_REQUESTED]} requested bytes, the walk ${requested}`, root);

  pool.check();
}
