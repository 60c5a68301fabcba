// Full validation of a region (invariants R1–R7 of layout.ts). O(chunk bytes / 128 + large blocks
// + marks + children). No stored value is a loop bound: every walk is capped by what the memory
// could hold, so it terminates on any bytes, and it throws nothing but CorruptionError.
import { HeapError, corrupted } from "../core/errors.js";
import { NULL, type Ptr } from "../core/ptr.js";
import { S_ALLOCS, S_FOOTPRINT, S_FREES, S_REQUESTED, STATS_BYTES } from "../core/stats.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import {
  CHUNK_HEADER_BYTES,
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
  L_TAG,
  M_BUMP,
  M_CHUNK,
  M_PREV,
  M_SERIAL,
  REGION_MAGIC,
  ROOT_BYTES,
  R_BUMP,
  R_CACHE,
  R_CACHE_BYTES,
  R_CACHE_LIMIT,
  R_CHILD,
  R_CHUNK,
  R_END,
  R_FIRST,
  R_LARGE,
  R_LARGE_BYTES,
  R_LARGE_N,
  R_FOLDED,
  R_LAST_SIZE,
  R_LARGE_MIN,
  R_MAGIC,
  R_MARK,
  R_MARKS,
  R_OLD_USED,
  R_PARENT,
  R_SERIAL,
  R_SIB_NEXT,
  R_SIB_PREV,
  R_STATS,
  R_NEW_REQUESTED,
  R_NEW_SLACK,
  R_NEW_N,
  R_NEW_FREES,
  R_FREED_REQUESTED,
  FOLD_FREES,
  FOLD_BYTES,
  R_TAG,
  R_TOP,
  NO_LAST,
  START_BIT,
  span,
  mapBytes,
} from "./layout.js";

/** The page-pool run at `p` is live and holds at least `bytes`; false for anything else. */
function isRun(pages: PagePool, p: Ptr, bytes: number): boolean {
  try {
    return pages.usableSize(p) >= bytes;
  } catch (e) {
    if (e instanceof HeapError) return false;
    throw e;
  }
}

export function checkRegion(memory: Memory, pages: PagePool, root: Ptr): void {
  const u32 = memory.u32;
  const len = memory.byteLength;
  const r = root >>> 2;
  const inMem = (p: number, bytes: number): boolean => p >= memory.base + 64 && p % 4 === 0 && p + bytes <= len;
  if (u32[r + R_MAGIC] !== REGION_MAGIC || u32[r + R_TAG] === 0) corrupted("R1 region root magic or tag", root);
  const F = pages.frameBytes;
  const cap = Math.floor(len / F) + 1; // no walk below can have more steps than the memory has frames

  // R1, R2: the chunk list, newest to first.
  const chunks: Ptr[] = [];
  const used: number[] = [];
  let c = u32[r + R_CHUNK];
  let oldUsed = 0;
  let footprint = 0;
  for (let i = 0; ; i++) {
    if (i >= cap) corrupted("R1 chunk list does not end (cycle?)", root);
    if (!inMem(c, CHUNK_HEADER_BYTES)) corrupted("R1 chunk pointer out of range", c);
    const cw = c >>> 2;
    const bytes = u32[cw + K_BYTES];
    if (bytes < F || c + bytes > len || !isRun(pages, c, bytes)) corrupted("R1 chunk is not a live page-pool run of its size", c);
    const data = u32[cw + K_DATA];
    const end = i === 0 ? u32[r + R_BUMP] : u32[cw + K_USED];
    if (data < c + CHUNK_HEADER_BYTES + mapBytes(bytes) || data > c + bytes) corrupted("R2 chunk data start out of range", c);
    if (end < data || end > c + bytes || end % 8 !== 0) corrupted("R2 bump or used end out of range", c);
    if (i === 0 && u32[r + R_END] !== c + bytes) corrupted("R2 R_END is not the current chunk's end", root);
    if (i > 0) oldUsed += end - data;
    footprint += bytes;
    chunks.push(c);
    used.push(end);
    const prev = u32[cw + K_PREV];
    if (prev === NULL) {
      if (c !== u32[r + R_FIRST] || u32[cw + K_SEQ] !== 0) corrupted("R1 the list does not end at the first chunk, with sequence 0", c);
      if (data < root + ROOT_BYTES + STATS_BYTES || root < c || root > c + bytes) corrupted("R1 the first chunk does not hold the root", c);
      break;
    }
    if (u32[(prev >>> 2) + K_SEQ] + 1 !== u32[cw + K_SEQ]) corrupted("R1 chunk sequence numbers are not consecutive", c);
    c = prev;
  }
  if (oldUsed !== u32[r + R_OLD_USED]) corrupted(`R2 R_OLD_USED ${u32[r + R_OLD_USED]} != ${oldUsed}`, root);

  // R3: the block maps.
  let liveBits = 0;
  for (let i = 0; i < chunks.length; i++) {
    const ch = chunks[i];
    const cw = ch >>> 2;
    const data = u32[cw + K_DATA];
    const words = mapBytes(u32[cw + K_BYTES]) >>> 2;
    for (let w = 0; w < words; w++) {
      const word = u32[cw + K_MAP + w];
      if (word === 0) continue;
      for (let b = 0; b < 16; b++) {
        const bits = (word >>> (2 * b)) & 3;
        if (bits === 0) continue;
        const p = ch + (w * 16 + b) * 8;
        if (p < data || p >= used[i]) corrupted("R3 map bit outside the chunk's used bytes", p);
        if ((bits & LIVE_BIT) !== 0) {
          if ((bits & START_BIT) === 0) corrupted("R3 LIVE without START", p);
          liveBits++;
        }
      }
    }
  }
  const bits = (ch: Ptr, p: Ptr): number => {
    const g = (p - ch) >>> 3;
    return (u32[(ch >>> 2) + K_MAP + (g >>> 4)] >>> ((g & 15) << 1)) & 3;
  };
  const lastSize = u32[r + R_LAST_SIZE];
  if (lastSize !== NO_LAST) {
    const ch = chunks[0];
    const last = used[0] - span(lastSize);
    if (lastSize > u32[r + R_LARGE_MIN] || last < u32[(ch >>> 2) + K_DATA]) corrupted(`R3 R_LAST_SIZE ${lastSize} is not a block below the bump`, root);
    if (bits(ch, last) !== (START_BIT | LIVE_BIT)) corrupted("R3 the last block is not a live block", last);
    for (let p = last + 8; p < used[0]; p += 8) if ((bits(ch, p) & START_BIT) !== 0) corrupted("R3 a block starts after the last block", p);
  }

  // R4: the large blocks, newest first.
  let n = 0;
  let largeUsable = 0;
  let back = NULL;
  let lastSerial = u32[r + R_SERIAL] + 1;
  for (let h = u32[r + R_LARGE]; h !== NULL; h = u32[(h >>> 2) + L_NEXT]) {
    if (n >= cap) corrupted("R4 large list does not end (cycle?)", root);
    if (!inMem(h, LARGE_HEADER_BYTES)) corrupted("R4 large header out of range", h);
    const hw = h >>> 2;
    if (u32[hw + L_OWNER] !== root || u32[hw + L_TAG] !== u32[r + R_TAG]) corrupted("R4 large block of another region", h);
    if (u32[hw + L_PREV] !== back) corrupted("R4 large list back link", h);
    if (u32[hw + L_SERIAL] >= lastSerial) corrupted("R4 large serials not decreasing", h);
    lastSerial = u32[hw + L_SERIAL];
    const run = u32[hw + L_RUN];
    const ptr = h + LARGE_HEADER_BYTES;
    if (run > h || !isRun(pages, run, ptr - run)) corrupted("R4 large block's run is not live", h);
    const runBytes = pages.usableSize(run);
    largeUsable += runBytes - (ptr - run);
    footprint += runBytes;
    back = h;
    n++;
  }
  if (n !== u32[r + R_LARGE_N]) corrupted(`R4 R_LARGE_N ${u32[r + R_LARGE_N]} != ${n}`, root);
  if (largeUsable !== u32[r + R_LARGE_BYTES]) corrupted(`R4 R_LARGE_BYTES ${u32[r + R_LARGE_BYTES]} != ${largeUsable}`, root);

  // R5: the mark stack, newest first: positions and serials never increase going down.
  const seqOf = (ch: Ptr): number => {
    const i = chunks.indexOf(ch);
    return i < 0 ? -1 : chunks.length - 1 - i;
  };
  let marks = 0;
  let aboveSeq = Infinity;
  let aboveBump = Infinity;
  let aboveSerial = Infinity;
  for (let m = u32[r + R_MARK]; m !== NULL; m = u32[(m >>> 2) + M_PREV]) {
    if (marks >= Math.floor(len / 40)) corrupted("R5 mark stack does not end (cycle?)", root);
    if (!inMem(m, 40)) corrupted("R5 mark record out of range", m);
    const mw = m >>> 2;
    const ch = u32[mw + M_CHUNK];
    const seq = seqOf(ch);
    if (seq < 0) corrupted("R5 mark's chunk is not in the region", m);
    const i = chunks.length - 1 - seq;
    if (u32[mw + M_BUMP] !== m || m < u32[(ch >>> 2) + K_DATA] || m + 40 > used[i]) corrupted("R5 mark record is not at its position", m);
    const g = (m - ch) >>> 3;
    if (((u32[(ch >>> 2) + K_MAP + (g >>> 4)] >>> ((g & 15) << 1)) & 3) !== START_BIT) corrupted("R5 mark record's map bits", m);
    if (seq > aboveSeq || (seq === aboveSeq && m >= aboveBump)) corrupted("R5 marks out of order", m);
    if (u32[mw + M_SERIAL] > aboveSerial || u32[mw + M_SERIAL] > u32[r + R_SERIAL]) corrupted("R5 mark serials out of order", m);
    aboveSeq = seq;
    aboveBump = m;
    aboveSerial = u32[mw + M_SERIAL];
    marks++;
  }
  if (marks !== u32[r + R_MARKS]) corrupted(`R5 R_MARKS ${u32[r + R_MARKS]} != ${marks}`, root);

  // R6: stats.
  const stats = u32[r + R_STATS];
  if (stats !== root + ROOT_BYTES) corrupted("R6 stats block not after the root", root);
  const f64 = memory.f64;
  const s = stats >>> 3;
  // Allocations not yet folded: the live blocks in [R_FOLDED, bump) of the current chunk.
  const folded = u32[r + R_FOLDED];
  const cur = chunks[0];
  if (folded < u32[(cur >>> 2) + K_DATA] || folded > used[0] || folded % 8 !== 0) corrupted(`R6 R_FOLDED ${folded} is not in the current chunk's used bytes`, root);
  const newFrees = u32[r + R_NEW_FREES];
  const freedRequested = u32[r + R_FREED_REQUESTED];
  if (newFrees >= FOLD_FREES || freedRequested > FOLD_BYTES + u32[r + R_LARGE_MIN]) corrupted(`R6 ${newFrees} frees of ${freedRequested} bytes not folded`, root);
  let pending = 0; // blocks in [R_FOLDED, bump), all live
  for (let p = folded; p < used[0]; p += 8) if ((bits(cur, p) & LIVE_BIT) !== 0) pending++;
  const newAllocs = u32[r + R_NEW_N] + pending;
  const slack = u32[r + R_NEW_SLACK];
  if (slack > 8 * pending) corrupted(`R6 R_NEW_SLACK ${slack} for ${pending} blocks not folded`, root);
  const newRequested = u32[r + R_NEW_REQUESTED] + (used[0] - folded) - slack - freedRequested;
  const live = f64[s + S_ALLOCS] + newAllocs - f64[s + S_FREES] - newFrees;
  if (live !== liveBits + n) corrupted(`R6 allocs - frees = ${live}, but ${liveBits} small and ${n} large blocks are live`, root);
  if (!(f64[s + S_REQUESTED] + newRequested >= 0)) corrupted("R6 requested bytes negative", root);

  // R7: children point back here, sibling links agree; the cache (top region only).
  let back2 = NULL;
  let kids = 0;
  for (let k = u32[r + R_CHILD]; k !== NULL; k = u32[(k >>> 2) + R_SIB_NEXT]) {
    if (kids++ >= cap) corrupted("R7 child list does not end (cycle?)", root);
    if (!inMem(k, ROOT_BYTES)) corrupted("R7 child root out of range", k);
    const kw = k >>> 2;
    if (u32[kw + R_MAGIC] !== REGION_MAGIC || u32[kw + R_TAG] === 0) corrupted("R7 child is not a live region", k);
    if (u32[kw + R_PARENT] !== root || u32[kw + R_SIB_PREV] !== back2 || u32[kw + R_TOP] !== u32[r + R_TOP]) corrupted("R7 child links", k);
    back2 = k;
  }
  if (u32[r + R_TOP] === root) {
    let cached = 0;
    let i = 0;
    for (let k = u32[r + R_CACHE]; k !== NULL; k = u32[(k >>> 2) + K_PREV]) {
      if (i++ >= cap) corrupted("R7 chunk cache does not end (cycle?)", root);
      if (!inMem(k, CHUNK_HEADER_BYTES) || !isRun(pages, k, u32[(k >>> 2) + K_BYTES])) corrupted("R7 cached chunk is not a live run", k);
      cached += u32[(k >>> 2) + K_BYTES];
    }
    if (cached !== u32[r + R_CACHE_BYTES] || cached > u32[r + R_CACHE_LIMIT]) corrupted("R7 cache bytes", root);
    footprint += cached;
  } else if (u32[r + R_PARENT] === NULL) {
    corrupted("R7 a region without parent must be its own top", root);
  }
  if (f64[s + S_FOOTPRINT] !== footprint) corrupted(`R6 footprint ${f64[s + S_FOOTPRINT]} != ${footprint}`, root);
}
