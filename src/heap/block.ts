// Accessors for the block and chunk headers drawn in layout.ts. `b` is a block offset (8-aligned);
// every function takes the current u32 view, so callers re-read it after anything that can grow.
import {
  CH_END,
  CH_NEXT,
  CH_PREV,
  CH_RUN,
  DEAD_WORD,
  FREE_BIT,
  HEADER_BYTES,
  PREV_FREE_BIT,
  SIZE_MASK,
  SLACK_SHIFT,
  W_NEXT,
  W_PREV,
  W_PREVFREE,
  W_SIZE,
  guardOf,
} from "./layout.js";

export const sizeWord = (u32: Uint32Array, b: number): number => u32[(b >>> 2) + W_SIZE];
export const sizeOf = (u32: Uint32Array, b: number): number => u32[(b >>> 2) + W_SIZE] & SIZE_MASK;
export const slackOf = (sw: number): number => sw >>> SLACK_SHIFT;
export const isFreeWord = (sw: number): boolean => (sw & FREE_BIT) !== 0;
export const isPrevFreeWord = (sw: number): boolean => (sw & PREV_FREE_BIT) !== 0;

/** Usable bytes of a used medium block. */
export const usableOf = (sw: number): number => (sw & SIZE_MASK) - HEADER_BYTES;

/** Requested bytes of a used medium block: usable - slack. */
export const requestedOf = (sw: number): number => (sw & SIZE_MASK) - HEADER_BYTES - (sw >>> SLACK_SHIFT);

/** Writes W_SIZE, and the guard when the left neighbour is used (PF clear). */
export function setHeader(u32: Uint32Array, b: number, sw: number, key: number): void {
  const w = b >>> 2;
  u32[w + W_SIZE] = sw;
  if ((sw & PREV_FREE_BIT) === 0) u32[w + W_PREV] = guardOf(b, sw, key);
}

/** True when b's header is intact as far as b itself can tell: the guard matches (PF clear), or PF is set. */
export const guardOk = (u32: Uint32Array, b: number, key: number): boolean => {
  const w = b >>> 2;
  const sw = u32[w + W_SIZE];
  return (sw & PREV_FREE_BIT) !== 0 || u32[w + W_PREV] === guardOf(b, sw, key);
};

/** Tells the block at `n` that its left neighbour is now free with `leftSize` bytes (its footer). */
export function setLeftFree(u32: Uint32Array, n: number, leftSize: number): void {
  const w = n >>> 2;
  u32[w + W_SIZE] |= PREV_FREE_BIT;
  u32[w + W_PREV] = leftSize;
}

/** Tells the block at `n` that its left neighbour is now used: PF cleared, guard rewritten. */
export function setLeftUsed(u32: Uint32Array, n: number, key: number): void {
  const w = n >>> 2;
  const sw = (u32[w + W_SIZE] & ~PREV_FREE_BIT) >>> 0;
  u32[w + W_SIZE] = sw;
  u32[w + W_PREV] = guardOf(n, sw, key);
}

/** Marks a header that a merge swallowed, so that freeing it again reads as a double free. */
export function killHeader(u32: Uint32Array, b: number, key: number): void {
  const w = b >>> 2;
  u32[w + W_SIZE] = DEAD_WORD;
  u32[w + W_PREV] = guardOf(b, DEAD_WORD, key);
}

export const nextFree = (u32: Uint32Array, b: number): number => u32[(b >>> 2) + W_NEXT];
export const prevFree = (u32: Uint32Array, b: number): number => u32[(b >>> 2) + W_PREVFREE];
export const setNextFree = (u32: Uint32Array, b: number, v: number): void => void (u32[(b >>> 2) + W_NEXT] = v);
export const setPrevFree = (u32: Uint32Array, b: number, v: number): void => void (u32[(b >>> 2) + W_PREVFREE] = v);

export const chunkNext = (u32: Uint32Array, c: number): number => u32[(c >>> 2) + CH_NEXT];
export const chunkPrev = (u32: Uint32Array, c: number): number => u32[(c >>> 2) + CH_PREV];
export const chunkEnd = (u32: Uint32Array, c: number): number => u32[(c >>> 2) + CH_END];
export const chunkRun = (u32: Uint32Array, c: number): number => u32[(c >>> 2) + CH_RUN];
