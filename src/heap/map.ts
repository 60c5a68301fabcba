// The heap's structure for heap maps: its chunks (the segregated-fit areas, with the bytes of
// their used blocks, cached ones counted free) and its huge blocks. Walks are capped by the memory's size, so damaged
// metadata ends a walk instead of hanging it (check() is what reports the damage).
import type { MapRegion } from "../core/allocator.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import { CHUNK_HEADER_BYTES, CH_END, CH_NEXT, FREE_BIT, HW_REQUESTED, MAX_SLACK, SLACK_SHIFT, HW_RUN, R_CHUNKS, R_HUGE, SIZE_MASK, W_SIZE, HW_NEXT } from "./layout.js";

export function heapRegions(memory: Memory, pool: PagePool, root: number): MapRegion[] {
  const u32 = memory.u32;
  const r = root >>> 2;
  const limit = memory.byteLength;
  const out: MapRegion[] = [];
  let chunks = 0;
  for (let c = u32[r + R_CHUNKS]; c !== 0 && c < limit && chunks++ < limit / pool.frameBytes; c = u32[(c >>> 2) + CH_NEXT]) {
    const end = u32[(c >>> 2) + CH_END];
    if (end <= c || end > limit) break;
    let used = 0;
    for (let b = c + CHUNK_HEADER_BYTES; b < end - 8; ) {
      const sw = u32[(b >>> 2) + W_SIZE];
      const size = sw & SIZE_MASK;
      if (size === 0) break;
      if ((sw & FREE_BIT) === 0 && sw >>> SLACK_SHIFT !== MAX_SLACK) used += size; // cached blocks (quick lists) are free
      b += size;
    }
    out.push({ start: c, bytes: end - c, role: "segregated fit", usedBytes: used });
  }
  let huge = 0;
  for (let p = u32[r + R_HUGE]; p !== 0 && p < limit && huge++ < limit / pool.frameBytes; p = u32[(p >>> 2) + HW_NEXT]) {
    const run = u32[(p >>> 2) + HW_RUN];
    out.push({ start: run, bytes: pool.usableSize(run), role: "huge block", usedBytes: u32[(p >>> 2) + HW_REQUESTED] });
  }
  return out;
}
