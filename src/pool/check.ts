// Full validation of a pool (invariants P1–P4 of layout.ts). O(segments + blocks). No stored
// value is a loop bound: every walk is capped by what the memory could hold, so it terminates on
// any bytes, and it throws nothing but CorruptionError.
import { HeapError, corrupted } from "../core/errors.js";
import { NULL, type Ptr } from "../core/ptr.js";
import { S_ALLOCS, S_FOOTPRINT, S_FREES } from "../core/stats.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import {
  G_COUNT,
  G_FIRST,
  G_MAP,
  G_NEXT,
  G_OWNER,
  G_RUN,
  G_TAG,
  POOL_MAGIC,
  P_BLOCK,
  P_BUMP,
  P_BUMP_I,
  P_FIRST,
  P_FREE,
  P_LIMIT,
  P_MAGIC,
  P_NEXT_SEG,
  P_RUNS,
  P_RUN_END,
  P_SEGS,
  P_SEG_SHIFT,
  P_STATS,
  P_LIVE,
  P_NEW_FREES,
  FOLD_FREES,
  P_TAG,
  ROOT_BYTES,
  SEG_HEADER_BYTES,
  mapBytes,
} from "./layout.js";

function runBytes(pages: PagePool, p: Ptr): number {
  try {
    return pages.usableSize(p);
  } catch (e) {
    if (e instanceof HeapError) return 0;
    throw e;
  }
}

export function checkPool(memory: Memory, pages: PagePool, root: Ptr): void {
  const u32 = memory.u32;
  const len = memory.byteLength;
  const r = root >>> 2;
  if (u32[r + P_MAGIC] !== POOL_MAGIC || u32[r + P_TAG] === 0) corrupted("P1 pool root magic or tag", root);
  const tag = u32[r + P_TAG];
  const shift = u32[r + P_SEG_SHIFT];
  if (shift < 8 || shift > 30) corrupted("P1 segment size", root);
  const segBytes = 2 ** shift;
  const block = u32[r + P_BLOCK];
  if (block < 8 || block % 8 !== 0 || block * 32 > segBytes) corrupted("P1 block size", root);
  const cap = Math.floor(len / segBytes) + 1;

  // P1: runs and segments.
  const segs: Ptr[] = [];
  let sawFirst = false;
  let run = u32[r + P_RUNS];
  for (let i = 0; run !== NULL; i++) {
    if (i >= cap) corrupted("P1 run list does not end (cycle?)", root);
    if (run % segBytes !== 0 || run + segBytes > len) corrupted("P1 run out of range or misaligned", run);
    const n = u32[(run >>> 2) + G_RUN];
    if (n < 1 || n > cap || runBytes(pages, run) < n * segBytes) corrupted("P1 run is not a live page-pool run of its segments", run);
    for (let k = 0; k < n; k++) {
      const seg = run + k * segBytes;
      const sw = seg >>> 2;
      if (u32[sw + G_OWNER] !== root || u32[sw + G_TAG] !== tag) corrupted("P1 segment not owned by this pool", seg);
      if (k > 0 && u32[sw + G_RUN] !== 0) corrupted("P1 G_RUN set inside a run", seg);
      const count = u32[sw + G_COUNT];
      const first = u32[sw + G_FIRST];
      if (count === 0 || first < SEG_HEADER_BYTES + mapBytes(count) || first + count * block > segBytes) corrupted("P1 segment grid", seg);
      segs.push(seg);
    }
    if (run === u32[r + P_FIRST]) {
      sawFirst = true;
      if (root < run + SEG_HEADER_BYTES || root + ROOT_BYTES > run + u32[(run >>> 2) + G_FIRST]) corrupted("P1 the first run does not hold the root", run);
    }
    run = u32[(run >>> 2) + G_NEXT];
  }
  if (!sawFirst) corrupted("P1 the first run is not on the list", root);
  if (segs.length !== u32[r + P_SEGS]) corrupted(`P1 P_SEGS ${u32[r + P_SEGS]} != ${segs.length}`, root);

  // P2: the carving state, and which blocks have been carved.
  const bump = u32[r + P_BUMP];
  const limit = u32[r + P_LIMIT];
  const cur = ((limit - 1) & -segBytes) >>> 0;
  if (!segs.includes(cur)) corrupted("P2 P_LIMIT is not in a segment of this pool", root);
  const cw = cur >>> 2;
  const bi = u32[r + P_BUMP_I];
  if (limit !== cur + u32[cw + G_FIRST] + u32[cw + G_COUNT] * block || bi > u32[cw + G_COUNT] || bump !== cur + u32[cw + G_FIRST] + bi * block) {
    corrupted("P2 bump, limit and bump index disagree", root);
  }
  const next = u32[r + P_NEXT_SEG];
  const runEnd = u32[r + P_RUN_END];
  if (next !== NULL && (!segs.includes(next) || next >= runEnd || next !== cur + segBytes)) corrupted("P2 next segment", root);
  const carvedIn = (seg: Ptr): number => {
    if (seg === cur) return bi;
    if (next !== NULL && seg >= next && seg < runEnd) return 0;
    return u32[(seg >>> 2) + G_COUNT];
  };

  // Live bits: only on carved blocks.
  let live = 0;
  let carved = 0;
  for (const seg of segs) {
    const sw = seg >>> 2;
    const count = u32[sw + G_COUNT];
    const c = carvedIn(seg);
    carved += c;
    for (let i = 0; i < count; i++) {
      if ((u32[sw + G_MAP + (i >>> 5)] & (1 << (i & 31))) !== 0) {
        if (i >= c) corrupted("P2 live bit on a block never handed out", seg + u32[sw + G_FIRST] + i * block);
        live++;
      }
    }
  }

  // P3: the free list.
  let free = 0;
  const seen = new Set<number>();
  for (let b = u32[r + P_FREE]; b !== NULL; b = u32[b >>> 2]) {
    if (seen.has(b)) corrupted("P3 a block twice on the free list", b);
    seen.add(b);
    if (free >= carved - live + 1 || free > len / 8) corrupted("P3 free list longer than the free blocks (cycle?)", b);
    const seg = (b & -segBytes) >>> 0;
    if (!segs.includes(seg)) corrupted("P3 free block outside the pool", b);
    const sw = seg >>> 2;
    const off = b - seg - u32[sw + G_FIRST];
    const i = off / block;
    if (!Number.isInteger(i) || i < 0 || i >= carvedIn(seg)) corrupted("P3 free entry is not a carved block start", b);
    if (u32[(b >>> 2) + 1] !== i) corrupted("P3 free block's index word", b);
    if ((u32[sw + G_MAP + (i >>> 5)] & (1 << (i & 31))) !== 0) corrupted("P3 a live block on the free list", b);
    free++;
  }
  if (free !== carved - live) corrupted(`P3 ${carved - live} carved free blocks, ${free} on the list`, root);

  // P4: stats.
  const s = u32[r + P_STATS] >>> 3;
  const f64 = memory.f64;
  if (u32[r + P_LIVE] !== live) corrupted(`P4 P_LIVE ${u32[r + P_LIVE]} != ${live} live blocks`, root);
  if (u32[r + P_NEW_FREES] >= FOLD_FREES) corrupted("P4 P_NEW_FREES not folded", root);
  // S_ALLOCS was frees + live when stats() last ran; allocations since then only add to it.
  if (!(f64[s + S_FREES] >= 0 && f64[s + S_ALLOCS] <= f64[s + S_FREES] + u32[r + P_NEW_FREES] + live)) corrupted("P4 allocs, frees and live blocks disagree", root);
  if (f64[s + S_FOOTPRINT] !== segs.length * segBytes) corrupted("P4 footprint", root);
}
