// Full validation of a page pool (invariants T1–T5 of layout.ts). O(frames below the top + free
// pages). No stored value is a loop bound: every walk is capped by the frame count, so it
// terminates on any bytes, and it throws nothing but CorruptionError.
import { corrupted } from "../core/errors.js";
import { S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED } from "../core/stats.js";
import type { Memory } from "../memory/memory.js";
import {
  CLASS_WORDS,
  C_FREE,
  C_HEAD,
  C_LIVE,
  POOL_MAGIC,
  R_CLASS0,
  R_MAGIC,
  R_TOP,
  SEG_ADDRS,
  SEG_COUNT,
  SEG_NEXT,
  ST_FREE,
  ST_USED,
  entryClass,
  entryFrames,
  entryState,
} from "./layout.js";
import type { PoolGeometry } from "./page-pool.js";

export function checkPagePool(memory: Memory, g: PoolGeometry): void {
  const u32 = memory.u32;
  const r = g.root;
  const F = g.frameBytes;
  const classes = g.classFrames.length;
  if (u32[r + R_MAGIC] !== POOL_MAGIC) corrupted("page pool root magic", r * 4);
  const top = u32[r + R_TOP];
  if (top < g.start || top > memory.byteLength || top > memory.maximum || (top - g.start) % F !== 0) corrupted(`T5 top ${top} out of range`, r * 4);
  const frames = (top - g.start) / F;
  if (frames > g.tableFrames) corrupted("T5 top beyond the frame table", r * 4);
  const entryAt = (i: number): number => u32[g.table + 2 * i];

  // T1, T2: the physical walk. Each step advances by at least one frame.
  const freeOf = new Array<number>(classes).fill(0);
  const liveOf = new Array<number>(classes).fill(0);
  let liveRuns = 0;
  let liveFrames = 0;
  let requested = 0;
  for (let i = 0; i < frames; ) {
    const at = g.start + i * F;
    const e = entryAt(i);
    const n = entryFrames(e);
    const c = entryClass(e);
    const state = entryState(e);
    if (state !== ST_USED && state !== ST_FREE) corrupted("T1 no run starts where the previous one ends", at);
    if (n < 1 || i + n > frames) corrupted(`T1 run of ${n} frames passes the top`, at);
    if (c >= classes) corrupted(`T2 class ${c} does not exist`, at);
    if (at % (g.classFrames[c] * F) !== 0) corrupted(`T2 run not aligned to its class (${g.classFrames[c] * F} bytes)`, at);
    if (state === ST_FREE) {
      if (n !== g.classFrames[c]) corrupted("T2 free page length differs from its class", at);
      freeOf[c]++;
    } else {
      liveOf[c]++;
      liveRuns++;
      liveFrames += n;
      requested += u32[g.table + 2 * i + 1];
      if (u32[g.table + 2 * i + 1] > n * F) corrupted("requested bytes exceed the run", at);
    }
    for (let j = i + 1; j < i + n; j++) if (entryAt(j) !== 0) corrupted("T1 an entry inside a run", g.start + j * F);
    i += n;
  }

  // T3: the segmented lists hold every free page exactly once.
  const seen = new Uint8Array(frames);
  for (let c = 0; c < classes; c++) {
    const cw = r + R_CLASS0 + c * CLASS_WORDS;
    const claimed = u32[cw + C_FREE];
    if (claimed !== freeOf[c]) corrupted(`T3 class ${c} counts ${claimed} free pages, the table holds ${freeOf[c]}`, cw * 4);
    if (u32[cw + C_LIVE] !== liveOf[c]) corrupted(`T4 class ${c} counts ${u32[cw + C_LIVE]} live runs, the table holds ${liveOf[c]}`, cw * 4);
    let listed = 0;
    const visit = (page: number): void => {
      if (++listed > freeOf[c]) corrupted(`T3 class ${c} lists more pages than are free (cycle?)`, page);
      if (page < g.start || page >= top || (page - g.start) % F !== 0) corrupted(`T3 class ${c} lists a page outside the area`, page);
      const i = (page - g.start) / F;
      const e = entryAt(i);
      if (entryState(e) !== ST_FREE || entryClass(e) !== c) corrupted(`T3 class ${c} lists a page that is not a free page of that class`, page);
      if (seen[i] !== 0) corrupted("T3 a page is listed twice", page);
      seen[i] = 1;
    };
    for (let seg = u32[cw + C_HEAD]; seg !== 0; seg = u32[(seg >>> 2) + SEG_NEXT]) {
      visit(seg);
      const n = u32[(seg >>> 2) + SEG_COUNT];
      if (n > g.segCap) corrupted(`T3 segment count ${n} over capacity`, seg);
      for (let k = 0; k < n; k++) visit(u32[(seg >>> 2) + SEG_ADDRS + k]);
    }
    if (listed !== freeOf[c]) corrupted(`T3 ${freeOf[c] - listed} free page(s) of class ${c} on no list`, cw * 4);
  }

  // T4: stats agree with the table.
  const f64 = memory.f64;
  const s = g.stats;
  if (f64[s + S_LIVE_BLOCKS] !== liveRuns) corrupted(`T4 stats count ${f64[s + S_LIVE_BLOCKS]} live runs, the table ${liveRuns}`, s * 8);
  if (f64[s + S_LIVE_BYTES] !== liveFrames * F) corrupted("T4 stats live bytes disagree with the table", s * 8);
  if (f64[s + S_REQUESTED] !== requested) corrupted("T4 stats requested bytes disagree with the table", s * 8);
}
