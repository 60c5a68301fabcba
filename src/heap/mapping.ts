// Size → free-list index: the two-level mapping that makes TLSF O(1).
//
// For a size s at or above LINEAR_LIMIT (256), the first level is floor(log2 s) and the second
// level is the SL_BITS (5) bits just below the top bit:
//
//     s = 5808 = 0b 1 0110 1 011 0000
//                   ▲ └──┬─┘ └───┬───┘
//                   │  sl = 13   below the list's resolution: dropped when inserting,
//                   fl = 12                rounded up when searching
//
// Below LINEAR_LIMIT, lists are exact: one list per 8-byte size, list = s / 8. Both cases collapse
// to one flat index, list = f · 32 + sl, with f = 0 for linear sizes and fl - FL_SHIFT + 1 otherwise,
// so a list's first-level index is list >>> SL_BITS and its bit in that level's map is list & 31.
//
// A list covers sizes [its lowest, lowest + 2^(fl-5)): at most 1/32 wider than its lowest size, so
// a good-fit search wastes at most 3 % of a request (and heap.ts looks at the request's own list
// first, where exact fits live).
import { FL_SHIFT, LINEAR_LIMIT, SL_BITS, SL_COUNT } from "./layout.js";

/** The list a free block of `size` bytes is kept on (rounds down). Needs 16 <= size < 2^27. */
export function insertIndex(size: number): number {
  if (size < LINEAR_LIMIT) return size >>> 3;
  const fl = 31 - Math.clz32(size);
  const sl = (size >>> (fl - SL_BITS)) & (SL_COUNT - 1);
  return ((fl - FL_SHIFT + 1) << SL_BITS) | sl;
}

/**
 * The first list whose blocks all hold `size` bytes (rounds up), so its head fits without a walk.
 * May return LIST_COUNT or more for sizes near 2^27: no list holds those.
 */
export function searchIndex(size: number): number {
  if (size >= LINEAR_LIMIT) size += (1 << (31 - Math.clz32(size) - SL_BITS)) - 1;
  return insertIndex(size);
}
