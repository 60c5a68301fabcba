import { roundUp } from "../core/ptr.js";
import { GROW_GRANULE } from "./layout.js";

/**
 * The byte length a memory of `current` bytes grows to when `extra` more are needed: wholesale,
 * in exponential steps (`current × factor`), never less than what was asked, rounded to the
 * grow granule and capped at `maximum`. Returns 0 when even `current + extra` passes `maximum`.
 *
 * Exponential steps keep the number of grows logarithmic in the final size, which matters most
 * for a WebAssembly.Memory, whose every grow detaches the buffer and replaces all views.
 */
export function nextSize(current: number, extra: number, factor: number, maximum: number): number {
  const needed = roundUp(current + extra, GROW_GRANULE);
  if (needed > maximum) return 0;
  const stepped = roundUp(Math.ceil(current * factor), GROW_GRANULE);
  return Math.min(Math.max(needed, stepped), maximum);
}
