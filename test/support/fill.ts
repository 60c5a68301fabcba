// Fill patterns: each block gets bytes derived from its own seed, so a block that another
// operation overwrote (overlap, a metadata write into a payload, a bad copy) is caught when the
// pattern is verified.

const byteAt = (seed: number, i: number): number => (seed * 131 + i * 7 + (i >>> 8)) & 255;

export function fill(u8: Uint8Array, p: number, n: number, seed: number): void {
  for (let i = 0; i < n; i++) u8[p + i] = byteAt(seed, i);
}

/** True when the first `n` bytes at `p` still hold the pattern of `seed`. */
export function intact(u8: Uint8Array, p: number, n: number, seed: number): boolean {
  for (let i = 0; i < n; i++) if (u8[p + i] !== byteAt(seed, i)) return false;
  return true;
}

/** Index of the first byte that differs from the pattern, or -1. */
export function firstDamaged(u8: Uint8Array, p: number, n: number, seed: number): number {
  for (let i = 0; i < n; i++) if (u8[p + i] !== byteAt(seed, i)) return i;
  return -1;
}
