/** Index of the highest set bit of a non-zero u32 (floor(log2 x)). */
export const fls32 = (x: number): number => 31 - Math.clz32(x);

/** Index of the lowest set bit of a non-zero u32. */
export const ctz32 = (x: number): number => 31 - Math.clz32(x & -x);

/** log2 of a power of two. */
export const log2 = (pow2: number): number => 31 - Math.clz32(pow2);

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Smallest power of two >= x, for 1 <= x <= 2^31. */
export const ceilPow2 = (x: number): number => (x <= 1 ? 1 : 2 ** (32 - Math.clz32(x - 1)));
