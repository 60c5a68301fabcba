// Full validation of a Slab (invariants S1–S7 of layout.ts). O(slabs × objects per slab + map).
// No stored value is a loop bound: list walks stop after as many steps as the map has frames, and
// object walks after a slab's capacity, so it terminates on any bytes and throws only
// CorruptionError.
import { corrupted } from "../core/errors.js";
import { S_FOOTPRINT, S_LIVE_BLOCKS, S_LIVE_BYTES } from "../core/stats.js";
import type { MemoryViews } from "../core/allocator.js";
import {
  CLASS_WORDS,
  C_ALIGN,
  C_CAPACITY,
  C_COLOURS,
  C_COLOUR_STEP,
  C_EMPTY,
  C_EMPTY_COUNT,
  C_FIRST,
  C_FULL,
  C_PARTIAL,
  C_SIZE,
  C_SLABS,
  C_SLAB_BYTES,
  L_EMPTY,
  L_FULL,
  L_PARTIAL,
  MAX_CLASSES,
  NO_CLASS,
  R_AREA,
  R_BYTES,
  R_CLASS0,
  R_CLASSES,
  R_FRAME_SHIFT,
  R_LIMIT,
  R_MAGIC,
  R_MAP,
  R_MAP_FRAMES,
  R_STATS,
  R_TABLE,
  SH_BITMAP,
  SH_BUMP,
  SH_CLASS,
  SH_END,
  SH_FIRST,
  SH_FREE,
  SH_INUSE,
  SH_LIST,
  SH_MAGIC,
  SH_NEXT,
  SH_PREV,
  SLAB_MAGIC,
  SLAB_ROOT_MAGIC,
  bitmapBytes,
} from "./layout.js";

/** Calls `visit` on each slab of a list, at most `cap` of them (a longer list is reported as a cycle by check). */
export function walkList(u32: Uint32Array, head: number, cap: number, visit: (h: number) => void): void {
  let n = 0;
  for (let h = head; h !== 0 && n < cap && h >>> 2 < u32.length; h = u32[(h >>> 2) + SH_NEXT]) {
    visit(h);
    n++;
  }
}

export function checkSlab(memory: MemoryViews, root: number): void {
  const u32 = memory.u32;
  const u8 = memory.u8;
  const len = memory.byteLength;
  const r = root >>> 2;
  if (u32[r + R_MAGIC] !== SLAB_ROOT_MAGIC) corrupted("slab root magic", root);
  const classes = u32[r + R_CLASSES];
  if (classes < 1 || classes > MAX_CLASSES) corrupted(`root: ${classes} classes`, root);
  const frameShift = u32[r + R_FRAME_SHIFT];
  if (frameShift < 8 || frameShift > 30) corrupted("root: frame shift", root);
  const F = 2 ** frameShift;
  const area = u32[r + R_AREA];
  const mapFrames = u32[r + R_MAP_FRAMES];
  const map = u32[r + R_MAP];
  const table = u32[r + R_TABLE];
  const limit = u32[r + R_LIMIT];
  const rootEnd = root + u32[r + R_BYTES];
  if (map + mapFrames > rootEnd || table + (limit >>> 3) + 1 > map || rootEnd > len) corrupted("root: table or map outside the root run", root);
  if (area + mapFrames * F > 2 ** 32) corrupted("root: map covers more than the address space", root);

  // Classes: records sane, table S6.
  const sizeOf = (c: number): number => u32[r + R_CLASS0 + c * CLASS_WORDS + C_SIZE];
  for (let c = 0; c < classes; c++) {
    const cw = r + R_CLASS0 + c * CLASS_WORDS;
    const size = u32[cw + C_SIZE];
    const cap = u32[cw + C_CAPACITY];
    const bytes = u32[cw + C_SLAB_BYTES];
    if (size < 8 || size % 8 !== 0 || bytes % F !== 0 || bytes === 0 || bytes / F > 255) corrupted(`class ${c} record`, cw * 4);
    if (cap === 0 || u32[cw + C_FIRST] + (u32[cw + C_COLOURS] - 1) * u32[cw + C_COLOUR_STEP] + cap * size > bytes) corrupted(`class ${c}: objects overrun the slab`, cw * 4);
    if (u32[cw + C_FIRST] < SH_BITMAP * 4 + bitmapBytes(cap)) corrupted(`class ${c}: objects overlap the header`, cw * 4);
    if (u32[cw + C_COLOURS] === 0) corrupted(`class ${c}: no colour`, cw * 4);
  }
  const sentinel = r + R_CLASS0 + NO_CLASS * CLASS_WORDS;
  for (let i = 0; i < CLASS_WORDS; i++) if (u32[sentinel + i] !== 0) corrupted("the NO_CLASS sentinel record is not zero", sentinel * 4);
  const bySize = Array.from({ length: classes }, (_, c) => c).sort((a, b) => sizeOf(a) - sizeOf(b));
  for (let i = 1; i < classes; i++) if (sizeOf(bySize[i]) === sizeOf(bySize[i - 1])) corrupted("two classes of one size", root);
  let k = 0;
  for (let g = 0; g <= limit >>> 3; g++) {
    while (k < classes && sizeOf(bySize[k]) < g * 8) k++;
    const want = k < classes ? bySize[k] : NO_CLASS;
    const t = u8[table + g];
    if (t !== want) corrupted(`S6 table entry for ${g * 8} bytes is ${t}, expected ${want}`, table + g);
  }

  // Slabs: S1–S5.
  const owner = new Int32Array(mapFrames).fill(-1); // frame → slab found on a list, for the map check
  let liveBlocks = 0;
  let liveBytes = 0;
  let slabBytesTotal = 0;
  for (let c = 0; c < classes; c++) {
    const cw = r + R_CLASS0 + c * CLASS_WORDS;
    const size = u32[cw + C_SIZE];
    const cap = u32[cw + C_CAPACITY];
    const bytes = u32[cw + C_SLAB_BYTES];
    let slabs = 0;
    let empties = 0;
    for (const [slot, tag] of [
      [C_PARTIAL, L_PARTIAL],
      [C_FULL, L_FULL],
      [C_EMPTY, L_EMPTY],
    ] as const) {
      let back = 0;
      let steps = 0;
      for (let h = u32[cw + slot]; h !== 0; h = u32[(h >>> 2) + SH_NEXT]) {
        if (++steps > mapFrames) corrupted(`S2 class ${c} list ${tag} longer than the map (cycle?)`, h);
        if (h < area || h % F !== 0 || h + bytes > area + mapFrames * F || h + bytes > len) corrupted(`S1 class ${c} lists a slab outside the page area`, h);
        const hw = h >>> 2;
        const f0 = (h - area) / F;
        if (owner[f0] !== -1) corrupted("S2 a slab is on two lists, or twice on one", h);
        for (let i = 0; i < bytes / F; i++) {
          if (owner[f0 + i] !== -1) corrupted("S2 slabs overlap", h);
          owner[f0 + i] = h;
          if (u8[map + f0 + i] !== i + 1) corrupted("S5 the page map does not mark the slab's frame", h + i * F);
        }
        if (u32[hw + SH_MAGIC] !== SLAB_MAGIC) corrupted("S1 slab magic", h);
        if (u32[hw + SH_CLASS] !== c) corrupted(`S1 slab on class ${c}'s list says class ${u32[hw + SH_CLASS]}`, h);
        if (u32[hw + SH_LIST] !== tag) corrupted(`S1 slab's list tag ${u32[hw + SH_LIST]} is not ${tag}`, h);
        if (u32[hw + SH_PREV] !== back) corrupted("S2 prev link broken", h);
        checkOneSlab(u32, h, size, cap, bytes, cw, c);
        const inuse = u32[hw + SH_INUSE];
        if (tag === L_FULL && inuse !== cap) corrupted(`S4 slab on the full list has ${inuse} of ${cap} in use`, h);
        if (tag === L_EMPTY && (inuse !== 0 || u32[hw + SH_FREE] !== 0 || u32[hw + SH_BUMP] !== u32[hw + SH_FIRST])) corrupted("S4 slab on the empty list is not empty and reset", h);
        if (tag === L_PARTIAL && inuse === 0 && back !== 0) corrupted("S4 an empty slab on the partial list, not at its head", h);
        liveBlocks += inuse;
        liveBytes += inuse * size;
        slabBytesTotal += bytes;
        slabs++;
        if (tag === L_EMPTY) empties++;
        back = h;
      }
    }
    if (u32[cw + C_SLABS] !== slabs) corrupted(`S5 class ${c} counts ${u32[cw + C_SLABS]} slabs, its lists hold ${slabs}`, cw * 4);
    if (u32[cw + C_EMPTY_COUNT] !== empties) corrupted(`S5 class ${c} counts ${u32[cw + C_EMPTY_COUNT]} empty slabs, its list holds ${empties}`, cw * 4);
  }
  for (let f = 0; f < mapFrames; f++) {
    if (u8[map + f] !== 0 && owner[f] === -1) corrupted("S5 the page map marks a frame no listed slab holds", area + f * F);
  }

  // S7: stats.
  const f64 = memory.f64;
  const s = u32[r + R_STATS] >>> 3;
  if (u32[r + R_STATS] % 8 !== 0 || u32[r + R_STATS] < root || u32[r + R_STATS] >= table) corrupted("root: stats block offset", root);
  if (f64[s + S_LIVE_BLOCKS] !== liveBlocks) corrupted(`S7 stats count ${f64[s + S_LIVE_BLOCKS]} live objects, the slabs ${liveBlocks}`, s * 8);
  if (f64[s + S_LIVE_BYTES] !== liveBytes) corrupted("S7 stats live bytes disagree with the slabs", s * 8);
  if (f64[s + S_FOOTPRINT] !== slabBytesTotal + u32[r + R_BYTES]) corrupted("S7 stats footprint disagrees with the slabs", s * 8);
}

/** S1, S3 for one slab. */
function checkOneSlab(u32: Uint32Array, h: number, size: number, cap: number, bytes: number, cw: number, c: number): void {
  const hw = h >>> 2;
  const first = u32[hw + SH_FIRST];
  const bump = u32[hw + SH_BUMP];
  const end = u32[hw + SH_END];
  const off = first - h - u32[cw + C_FIRST];
  const step = u32[cw + C_COLOUR_STEP];
  if (first < h || off < 0 || off % step !== 0 || off / step >= u32[cw + C_COLOURS]) corrupted(`S1 class ${c} slab's first object is not at a colour`, h);
  if ((first - h) % u32[cw + C_ALIGN] !== 0) corrupted("S1 first object misaligned", h);
  if (end !== first + cap * size || end > h + bytes) corrupted("S1 slab end", h);
  if (bump < first || bump > end || (bump - first) % size !== 0) corrupted("S1 bump pointer", h);
  const used = (bump - first) / size;
  const bits = hw + SH_BITMAP;
  let set = 0;
  for (let i = 0; i < cap; i++) {
    if ((u32[bits + (i >>> 5)] & (1 << (i & 31))) !== 0) {
      if (i >= used) corrupted("S3 a never-used object is marked in use", first + i * size);
      set++;
    }
  }
  for (let i = cap; i < Math.ceil(cap / 32) * 32; i++) if ((u32[bits + (i >>> 5)] & (1 << (i & 31))) !== 0) corrupted("S3 a bitmap bit past the capacity", h);
  if (set !== u32[hw + SH_INUSE]) corrupted(`S3 bitmap holds ${set} objects in use, the header ${u32[hw + SH_INUSE]}`, h);
  const seen = new Uint8Array(cap);
  let free = 0;
  for (let p = u32[hw + SH_FREE]; p !== 0; p = u32[p >>> 2]) {
    if (++free > used) corrupted("S3 free list longer than the objects handed out (cycle?)", h);
    const q = (p - first) / size;
    if (q >>> 0 !== q || p >= bump) corrupted("S3 free list holds a pointer that is not a used-once object", p);
    if (seen[q] !== 0) corrupted("S3 an object is on the free list twice", p);
    seen[q] = 1;
    if ((u32[bits + (q >>> 5)] & (1 << (q & 31))) !== 0) corrupted("S3 a free-listed object is marked in use", p);
  }
  if (free + set !== used) corrupted(`S3 ${used - free - set} object(s) neither free nor in use`, h);
}
