// Zeroing short ranges of metadata. `TypedArray.prototype.fill` is a C++ builtin: on Node 20 a
// call costs about 16–20 ns however short the range, where a loop of plain stores clears a few
// words in a few nanoseconds. Creating a region or pool cleared its root, stats block and map
// this way several times per create (measured: a Pool of 240 B blocks spent about half of each
// create in fill). Past CLEAR_LOOP_MAX elements the builtin is faster.

/** Longest range cleared with a loop (the crossover measured on Node 20 is near 32 elements). */
export const CLEAR_LOOP_MAX = 32;

/** Zeroes u32[from, to). */
export function clearWords(u32: Uint32Array, from: number, to: number): void {
  if (to - from > CLEAR_LOOP_MAX) {
    u32.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) u32[i] = 0;
}

/** Zeroes f64[from, to). */
export function clearDoubles(f64: Float64Array, from: number, to: number): void {
  if (to - from > CLEAR_LOOP_MAX) {
    f64.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) f64[i] = 0;
}
