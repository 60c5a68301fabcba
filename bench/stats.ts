// The statistics the harness reports: median, min and max over repetitions, and ratios of medians.
// The median, because a repetition disturbed by the machine (another process, a page-cache flush)
// moves the mean but not the middle value.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Middle value of `xs` (the mean of the two middle values for an even count). NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >>> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, min and max of `xs`. NaN for all three when empty. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN };
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** `a / b`, or null when either is missing or not a positive finite number (no ratio to show). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b <= 0) return null;
  return a / b;
}

/** Median of the non-null values; null when there are none. */
export function medianOrNull(xs: readonly (number | null | undefined)[]): number | null {
  const present = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return present.length === 0 ? null : median(present);
}
