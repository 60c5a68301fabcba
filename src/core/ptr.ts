/** A pointer: an unsigned byte offset into one heapkit memory, below 2^32. */
export type Ptr = number;

/** The null pointer. The bytes at offset 0 are never handed out, so no allocation is ever 0. */
export const NULL: Ptr = 0;

/** Every allocation is aligned to at least this many bytes. */
export const MIN_ALIGN = 8;

/** Largest size any call accepts: sizes are unsigned 32-bit integers. */
export const MAX_SIZE = 0xffff_ffff;

/**
 * True for a valid size: a number that is an integer in [0, 2^32 - 1]. Never coerces: strings,
 * BigInts, NaN, fractions, negatives and 2^32 + k are all rejected (`-1 >>> 0` would look valid).
 * The `typeof` test comes first because `>>>` throws a TypeError on a BigInt.
 */
export const isSize = (x: unknown): x is number => typeof x === "number" && x >>> 0 === x;

export const isPow2 = (x: number): boolean => x >>> 0 === x && x > 0 && x <= 0x8000_0000 && (x & (x - 1)) === 0;

/**
 * Rounds `x` up to a multiple of `align` (a power of two). JS bitwise operators work on signed
 * 32-bit integers, so offsets at or above 2^31 come out negative: every bitwise expression that
 * yields an offset ends in `>>> 0`. Valid for x + align - 1 < 2^32.
 */
export const alignUp = (x: number, align: number): number => ((x + align - 1) & -align) >>> 0;

/** Rounds `x` down to a multiple of `align` (a power of two). */
export const alignDown = (x: number, align: number): number => (x & -align) >>> 0;

/** `x` rounded up to a multiple of `align`, in float arithmetic: exact for any x < 2^53. */
export const roundUp = (x: number, align: number): number => {
  const r = x % align; // integer steps: `Math.ceil(x / align)` makes a fraction, a boxed double before optimization
  return r === 0 ? x : r > 0 ? x - r + align : x - r;
};

/** A pointer as `0x0001_2340`, for messages. */
export const hex = (p: number): string => "0x" + (p >>> 0).toString(16).padStart(8, "0");
