// Page classes: the sizes the pool hands out whole pages of, and the mapping from a run length
// (in frames, the smallest class) to its class.
import { invalidOption } from "../core/errors.js";
import { isPow2 } from "../core/ptr.js";
import { log2 } from "../core/bits.js";
import { MAX_CLASSES } from "./layout.js";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** 4 KiB, 64 KiB and 2 MiB, and 1 GiB when the memory can reach 2 GiB (a 1 GiB-aligned page above the header needs it). */
export function defaultClasses(maximum: number): number[] {
  return maximum >= 2 * GiB ? [4 * KiB, 64 * KiB, 2 * MiB, GiB] : [4 * KiB, 64 * KiB, 2 * MiB];
}

/** Validates a class list: powers of two, strictly ascending, from 256 B to 1 GiB, at most MAX_CLASSES. */
export function checkClasses(classes: unknown): number[] {
  const expected = `1 to ${MAX_CLASSES} ascending powers of two from 256 to 2^30`;
  if (!Array.isArray(classes) || classes.length === 0 || classes.length > MAX_CLASSES) invalidOption("classes", classes, expected);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (typeof c !== "number" || !isPow2(c) || c < 256 || c > GiB || (i > 0 && c <= classes[i - 1])) invalidOption("classes", classes, expected);
  }
  return classes.slice() as number[];
}

/**
 * For each log2(frames) from 0 to 31: the class whose length is exactly 2^i frames, or -1.
 * Lets the fast path map a run length to its page class with one load.
 */
export function exactClassTable(classFrames: readonly number[]): Int8Array {
  const t = new Int8Array(32).fill(-1);
  classFrames.forEach((f, c) => (t[log2(f)] = c));
  return t;
}

/** The largest class whose length is at most `frames` (a run's natural alignment class). */
export function alignClassOf(classFrames: readonly number[], frames: number): number {
  let c = classFrames.length - 1;
  while (c > 0 && classFrames[c] > frames) c--;
  return c;
}

/** The smallest class at or above `atLeast` whose length holds `frames`, or -1 when none does. */
export function holdingClass(classFrames: readonly number[], frames: number, atLeast: number): number {
  for (let c = atLeast; c < classFrames.length; c++) if (classFrames[c] >= frames) return c;
  return -1;
}
