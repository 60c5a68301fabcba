// Writing a trace's payload bytes from JS, for every subject that keeps its blocks in one buffer.
//
// `Uint8Array.prototype.fill` is a C++ builtin: on Node 20 each call costs about 20–25 ns whatever
// its length (measured on the bench machine), more than glibc's whole malloc on most traces.
// The C replayer's memset of a small block costs a nanosecond or two. So short spans are written
// here with 32-bit stores (a byte pattern in every lane, bytes at the unaligned ends), and only
// spans past FILL_LOOP_MAX go to the builtin, where its fixed cost no longer matters. Every JS
// subject uses this, so the harness costs all of them the same.

/** Longest span written by the word loop; above it `fill` is cheaper (crossover near 160–200 B). */
export const FILL_LOOP_MAX = 128;

/** Writes `byte` into u8[from, to). `u32` views the same buffer as `u8`. */
export function fillBytes(u8: Uint8Array, u32: Uint32Array, from: number, to: number, byte: number): void {
  if (to - from > FILL_LOOP_MAX) {
    u8.fill(byte, from, to);
    return;
  }
  let i = from;
  const head = Math.min(to, (from + 3) & ~3);
  for (; i < head; i++) u8[i] = byte;
  const word = Math.imul(byte, 0x01010101);
  const words = to >>> 2;
  for (let w = i >>> 2; w < words; w++) u32[w] = word;
  for (i = Math.max(i, words << 2); i < to; i++) u8[i] = byte;
}
