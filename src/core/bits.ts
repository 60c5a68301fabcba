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

/** Smallest power of two >= x, for 1 <= x <= 2^31. Shifts, not `2 **` (a float pow call in V8). */
export const ceilPow2 = (x: number): number => (x <= 1 ? 1 : x > 0x4000_0000 ? 0x8000_0000 : 1 << (32 - Math.clz32(x - 1)));

/** 2^n for 0 <= n <= 32, exact, without a float pow call. */
export const pow2 = (n: number): number => (n < 31 ? 1 << n : n === 31 ? 0x8000_0000 : 0x1_0000_0000);

/** The first of the ascending `sizes` that is at least `min`, or `fallback`. A loop, not `find`: no closure per call. */
export function firstAtLeast(sizes: readonly number[], min: number, fallback: number): number {
  for (let i = 0; i < sizes.length; i++) if (sizes[i] >= min) return sizes[i];
  return fallback;
}
