// Writing a trace's payload bytes from JS, for every subject that keeps its blocks in one buffer.
//
// `Uint8Array.prototype.fill` is a C++ builtin: on Node 20 each call costs about 20–25 ns whatever
// its length (measured on the bench machine), more than glibc's whole malloc on most traces.
// The C replayer's memset of a small block costs a nanosecond or two. So spans up to
// FILL_LOOP_MAX bytes are written here with 8-byte stores of the byte repeated (bytes at the
// unaligned ends), and only longer ones go to the builtin, where its fixed cost no longer
// matters. Every JS subject uses this, so the harness costs all of them the same.

/** Longest span written by the loop; above it `fill` is cheaper (crossover near 300 B). */
export const FILL_LOOP_MAX = 256;

/** PATTERN[b]: the double whose eight bytes are all b. */
const PATTERN = new Float64Array(256);
{
  const words = new Uint32Array(PATTERN.buffer);
  for (let b = 0; b < 256; b++) words[2 * b] = words[2 * b + 1] = Math.imul(b, 0x0101_0101) >>> 0;
}

/** Writes `byte` into u8[from, to). `f64` views the same buffer as `u8`. */
export function fillBytes(u8: Uint8Array, f64: Float64Array, from: number, to: number, byte: number): void {
  // Byte 0xff repeated is a NaN, whose bits a store need not keep: the builtin writes it.
  if (to - from > FILL_LOOP_MAX || byte === 0xff) {
    u8.fill(byte, from, to);
    return;
  }
  let i = from;
  const head = Math.min(to, (from + 7) & ~7);
  for (; i < head; i++) u8[i] = byte;
  const d = PATTERN[byte];
  const doubles = to >>> 3;
  for (let k = i >>> 3; k < doubles; k++) f64[k] = d;
  for (i = Math.max(i, doubles << 3); i < to; i++) u8[i] = byte;
}
