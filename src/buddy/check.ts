// Full validation of a buddy allocator (invariants B1–B5 of layout.ts). O(arenas × tree nodes +
// free blocks). No stored value is a loop bound: tree walks run over the node count fixed by the
// root's orders (checked first), list walks stop after as many steps as there are free nodes, so
// it terminates on any bytes and throws only CorruptionError.
import type { MemoryViews } from "../core/allocator.js";
import { corrupted } from "../core/errors.js";
import { S_FOOTPRINT, S_LIVE_BLOCKS, S_LIVE_BYTES } from "../core/stats.js";
import {
  ARENA_WORDS,
  A_BASE,
  A_META,
  BUDDY_MAGIC,
  B_NEXT,
  B_PREV,
  MAX_ARENAS,
  MAX_K,
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

export function checkBuddy(memory: MemoryViews, root: number): void {
  const u32 = memory.u32;
  const len = memory.byteLength;
  const r = root >>> 2;
  if (u32[r + R_MAGIC] !== BUDDY_MAGIC) corrupted("buddy root magic", root);
  const minShift = u32[r + R_MIN_SHIFT];
  const K = u32[r + R_ORDERS] - 1;
  if (minShift < 3 || minShift > 20 || K < 0 || K > MAX_K || minShift + K > 30) corrupted("root: block orders", root);
  const maxBlock = 2 ** (minShift + K);
  const words = bitmapBytes(K) / 4;
  if (u32[r + R_META_BYTES] !== 2 * bitmapBytes(K)) corrupted("root: metadata size", root);
  const n = u32[r + R_ARENAS];
  if (n > MAX_ARENAS) corrupted(`B5 ${n} arenas`, root);
  const align = u32[r + R_ARENA_ALIGN];
  if (align === 0 || (align & (align - 1)) !== 0 || align > maxBlock) corrupted("root: arena alignment", root);

  const bases: number[] = [];
  const used = new Array<number>(K + 1).fill(0);
  const free = new Array<number>(K + 1).fill(0);
  const freeAt = new Map<number, number>(); // address → order, of every FREE node
  let footprint = u32[r + R_BYTES];
  for (let a = 0; a < n; a++) {
    const aw = r + R_ARENA0 + a * ARENA_WORDS;
    const base = u32[aw + A_BASE];
    const meta = u32[aw + A_META];
    if (base === 0 || base % align !== 0 || base + maxBlock > len) corrupted(`B5 arena ${a} base`, aw * 4);
    if (meta === 0 || meta % 4 !== 0 || meta + 2 * bitmapBytes(K) > len) corrupted(`B5 arena ${a} metadata`, aw * 4);
    for (const b of bases) if (Math.abs(b - base) < maxBlock) corrupted(`B5 arenas overlap`, base);
    bases.push(base);
    footprint += u32[r + R_ARENA_BYTES];
    const split = meta >>> 2;
    const fr = split + words;
    const bit = (w: number, i: number): boolean => (u32[w + (i >>> 5)] & (1 << (i & 31))) !== 0;
    const nodes = 2 ** (K + 1);
    for (let i = 1; i < nodes; i++) {
      const k = K - (31 - Math.clz32(i));
      const exists = i === 1 || bit(split, i >>> 1);
      const s = bit(split, i);
      const f = bit(fr, i);
      if (!exists) {
        if (s || f) corrupted(`B1 node ${i} (order ${k}) is inside a block yet marked ${s ? "split" : "free"}`, base);
        continue;
      }
      if (s && f) corrupted(`B1 node ${i} is both split and free`, base);
      if (s && k === 0) corrupted("B1 an order-0 node is split", base);
      const addr = base + (i - 2 ** (K - k)) * 2 ** (minShift + k);
      if (f) {
        if (i > 1 && bit(fr, i ^ 1)) corrupted(`B2 free buddies of order ${k} left uncoalesced`, addr);
        free[k]++;
        freeAt.set(addr, k);
      } else if (!s) {
        used[k]++;
      }
    }
    for (let i = nodes; i < words * 32; i++) if (bit(split, i) || bit(fr, i)) corrupted("B1 a bitmap bit past the tree", base);
  }

  // B3: the lists hold exactly the FREE nodes.
  let mask = 0;
  for (let k = 0; k <= K; k++) {
    let back = 0;
    let listed = 0;
    for (let b = u32[r + R_HEAD0 + k]; b !== 0; b = u32[(b >>> 2) + B_NEXT]) {
      if (++listed > free[k]) corrupted(`B3 list ${k} holds more blocks than are free (cycle?)`, b);
      if (freeAt.get(b) !== k) corrupted(`B3 list ${k} holds a block that is not a free block of that order`, b);
      freeAt.delete(b);
      if (u32[(b >>> 2) + B_PREV] !== back) corrupted("B3 prev link broken", b);
      back = b;
    }
    if (listed !== free[k]) corrupted(`B3 ${free[k] - listed} free block(s) of order ${k} on no list`, root);
    if (listed > 0) mask |= 1 << k;
    if (u32[r + R_FREE0 + k] !== free[k] || u32[r + R_USED0 + k] !== used[k]) corrupted(`B4 order ${k} counts disagree with the bitmaps`, root);
  }
  if (u32[r + R_NONEMPTY] >>> 0 !== mask >>> 0) corrupted("B3 the non-empty mask disagrees with the lists", root);

  // B4: stats.
  const f64 = memory.f64;
  const s = u32[r + R_STATS] >>> 3;
  if (u32[r + R_STATS] % 8 !== 0 || u32[r + R_STATS] < root || u32[r + R_STATS] + 64 > len) corrupted("root: stats offset", root);
  let blocks = 0;
  let bytes = 0;
  for (let k = 0; k <= K; k++) {
    blocks += used[k];
    bytes += used[k] * 2 ** (minShift + k);
  }
  if (f64[s + S_LIVE_BLOCKS] !== blocks) corrupted(`B4 stats count ${f64[s + S_LIVE_BLOCKS]} live blocks, the bitmaps ${blocks}`, s * 8);
  if (f64[s + S_LIVE_BYTES] !== bytes) corrupted("B4 stats live bytes disagree with the bitmaps", s * 8);
  if (f64[s + S_FOOTPRINT] !== footprint) corrupted("B4 stats footprint disagrees with the arenas held", s * 8);
}
