// Size classes of the slab caches: the default series, validation of a given list, and the
// geometry of one class's slabs (length, capacity, header, colours).
import { invalidOption } from "../core/errors.js";
import { CACHE_LINE, HEADER_BYTES, MAX_OBJECT_BYTES, MAX_SLAB_FRAMES, bitmapBytes } from "./layout.js";

/**
 * The default classes: every multiple of 8 up to 64, then eight classes per doubling up to 4 KiB
 * (72, 80, …, 128, 144, …, 256, 288, …, 4096): 56 classes. A request of s bytes lands in the
 * smallest class C >= s; above 64, C - s < C / 9, so no class wastes more than ~11 % on any size
 * above 64 (the 8-byte grid dominates below: 9 bytes in a 16-byte object).
 */
export function defaultSizes(max = 4096): number[] {
  const out: number[] = [];
  for (let s = 8; s <= 64 && s <= max; s += 8) out.push(s);
  for (let base = 64; base < max; base *= 2) {
    const step = base / 8;
    for (let s = base + step; s <= base * 2 && s <= max; s += step) out.push(s);
  }
  return out;
}

/** Validates a class size: a multiple of 8 in [8, MAX_OBJECT_BYTES]. */
export function isClassSize(size: unknown): size is number {
  return typeof size === "number" && Number.isInteger(size) && size >= 8 && size <= MAX_OBJECT_BYTES && size % 8 === 0;
}

/** Validates and sorts a list of class sizes (distinct multiples of 8 from 8 to 64 KiB). */
export function checkSizes(sizes: unknown, maxClasses: number): number[] {
  const expected = `1 to ${maxClasses} distinct multiples of 8 from 8 to ${MAX_OBJECT_BYTES}`;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > maxClasses) invalidOption("sizes", sizes, expected);
  const sorted = (sizes as unknown[]).slice().sort((a, b) => (a as number) - (b as number)) as number[];
  for (let i = 0; i < sorted.length; i++) {
    if (!isClassSize(sorted[i]) || (i > 0 && sorted[i] === sorted[i - 1])) invalidOption("sizes", sizes, expected);
  }
  return sorted;
}

/** How the slabs of one class are cut. */
export interface SlabGeometry {
  size: number;
  /** Alignment of every object: the largest power of two dividing `size`, at most the frame and 4 KiB. */
  align: number;
  slabBytes: number;
  capacity: number;
  /** Offset of object 0 in an uncoloured slab. */
  first: number;
  colours: number;
  colourStep: number;
}

/** Objects of `size` that fit in `bytes` after the header and bitmap, object 0 aligned to `align`. */
function fit(bytes: number, size: number, align: number): { capacity: number; first: number } {
  let capacity = Math.floor((bytes - HEADER_BYTES) / size);
  while (capacity > 0) {
    const first = Math.ceil((HEADER_BYTES + bitmapBytes(capacity)) / align) * align;
    if (first + capacity * size <= bytes) return { capacity, first };
    capacity--;
  }
  return { capacity: 0, first: 0 };
}

/** Slabs hold at least this many objects where the length limit allows (Linux: slub_min_objects). */
const MIN_OBJECTS = 8;
/** A slab is long enough once its waste (header, bitmap, slack) is at most 1/WASTE_DIV of it. */
const WASTE_DIV = 8;
/** Slabs are at least 4 KiB, so header and bitmap stay a small share; at most 256 KiB. */
const MIN_SLAB_BYTES = 4096;
const MAX_SLAB_BYTES = 256 * 1024;

/**
 * The slab length of a class. First choice: the smallest page-pool class size (4 KiB, 64 KiB with
 * the default pool) whose slab holds MIN_OBJECTS objects and wastes at most 1/8 of itself: the
 * pool hands out and takes back whole pages of a class on its fast path, so slab churn stays
 * cheap. (Measured with bench/slab-buddy-quick.ts, slab-malloclab-mix: with 9-frame slabs for the
 * 4 KiB class, every slab taken or returned went through the pool's run-splitting slow path and
 * the case ran several times slower.) Failing that, the shortest run of whole frames (at least
 * 4 KiB) that does; failing that within 256 KiB, the one that wastes least.
 */
export function slabGeometry(size: number, frameBytes: number, pageSizes: readonly number[] = []): SlabGeometry {
  const align = Math.min(size & -size, frameBytes, 4096);
  const minFrames = Math.max(1, Math.ceil(MIN_SLAB_BYTES / frameBytes));
  const maxFrames = Math.min(MAX_SLAB_FRAMES, Math.max(minFrames, Math.floor(MAX_SLAB_BYTES / frameBytes)));
  let best = { bytes: 0, capacity: 0, first: 0, waste: 2 };
  const consider = (n: number): boolean => {
    const bytes = n * frameBytes;
    const { capacity, first } = fit(bytes, size, align);
    if (capacity === 0) return false;
    const waste = (bytes - capacity * size) / bytes;
    if (waste < best.waste) best = { bytes, capacity, first, waste };
    if (capacity >= MIN_OBJECTS && waste <= 1 / WASTE_DIV) {
      best = { bytes, capacity, first, waste };
      return true;
    }
    return false;
  };
  let done = false;
  for (const page of pageSizes) {
    const n = page / frameBytes;
    if (n >= minFrames && n <= maxFrames && consider(n)) {
      done = true;
      break;
    }
  }
  if (!done) {
    best = { bytes: 0, capacity: 0, first: 0, waste: 2 };
    for (let n = minFrames; n <= maxFrames; n++) if (consider(n)) break;
  }
  if (best.capacity === 0) invalidOption("sizes", size, `a class size whose objects fit a slab of at most ${maxFrames} frames`);
  const colourStep = Math.max(CACHE_LINE, align);
  const slack = best.bytes - best.first - best.capacity * size;
  return {
    size,
    align,
    slabBytes: best.bytes,
    capacity: best.capacity,
    first: best.first,
    colours: Math.floor(slack / colourStep) + 1,
    colourStep,
  };
}
