// Reading, writing and validating the memory header drawn in layout.ts.
import { AttachError } from "../core/errors.js";
import {
  HEADER_BYTES,
  HEADER_WORDS,
  H_BASE,
  H_CHECKSUM,
  H_MAGIC,
  H_MAXIMUM,
  H_SIZE,
  H_VERSION,
  LAYOUT_VERSION,
  MAGIC,
} from "./layout.js";

/** FNV-1a over the header words before the checksum, word by word. */
export function headerChecksum(u32: Uint32Array, w: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < H_CHECKSUM; i++) {
    h = Math.imul(h ^ u32[w + i], 0x01000193);
  }
  return h >>> 0;
}

/** Writes header word `i` and keeps the checksum true (MH2). */
export function writeWord(u32: Uint32Array, base: number, i: number, value: number): void {
  const w = base >>> 2;
  u32[w + i] = value;
  u32[w + H_CHECKSUM] = headerChecksum(u32, w);
}

/** Formats a new header at `base`; every other word zero. */
export function writeHeader(u32: Uint32Array, base: number, fields: Record<number, number>): void {
  const w = base >>> 2;
  u32.fill(0, w, w + HEADER_WORDS);
  u32[w + H_MAGIC] = MAGIC;
  u32[w + H_VERSION] = LAYOUT_VERSION;
  u32[w + H_BASE] = base;
  for (const [i, v] of Object.entries(fields)) u32[w + Number(i)] = v;
  u32[w + H_CHECKSUM] = headerChecksum(u32, w);
}

/**
 * Validates the header of `bytes` at `base` without writing anything. Each way it can be wrong
 * has its own code: a foreign buffer (ERR_HEAP_BAD_FORMAT), another format version
 * (ERR_HEAP_VERSION_MISMATCH), a damaged header (ERR_HEAP_CORRUPTED), a truncated copy
 * (ERR_HEAP_TRUNCATED).
 */
export function validateHeader(bytes: ArrayBufferLike, base: number): void {
  const length = bytes.byteLength;
  if (!Number.isInteger(base) || base < 0 || base % 8 !== 0) throw new AttachError("ERR_HEAP_BAD_FORMAT", `no heapkit header at ${base}: base must be a multiple of 8`);
  const avail = length > base ? Math.min(HEADER_WORDS, Math.floor((length - base) / 4)) : 0;
  const u32 = avail > 0 ? new Uint32Array(bytes, base, avail) : new Uint32Array(0); // a read-only look: nothing below writes
  if (avail === 0 || u32[H_MAGIC] !== MAGIC) throw new AttachError("ERR_HEAP_BAD_FORMAT", "not a heapkit memory (bad magic)");
  if (avail < HEADER_WORDS) throw new AttachError("ERR_HEAP_TRUNCATED", `truncated: ${length} bytes cannot hold the header at ${base}`, length);
  if (u32[H_VERSION] !== LAYOUT_VERSION) {
    throw new AttachError("ERR_HEAP_VERSION_MISMATCH", `layout version ${u32[H_VERSION]}, this code reads ${LAYOUT_VERSION}`, u32[H_VERSION]);
  }
  if (u32[H_CHECKSUM] !== headerChecksum(u32, 0)) throw new AttachError("ERR_HEAP_CORRUPTED", "damaged header: checksum mismatch");
  if (u32[H_BASE] !== base) throw new AttachError("ERR_HEAP_BAD_FORMAT", `header says base ${u32[H_BASE]}, found at ${base}`);
  const size = u32[H_SIZE];
  if (size < base + HEADER_BYTES || size > u32[H_MAXIMUM]) throw new AttachError("ERR_HEAP_CORRUPTED", `damaged header: size ${size} out of range`);
  if (size > length) throw new AttachError("ERR_HEAP_TRUNCATED", `truncated: the memory had ${size} bytes, this copy has ${length}`, length);
}

/**
 * True when an allocator's root can be at `root`: an 8-aligned offset whose `bytes`
 * fit the memory and whose word `magicWord` holds `magic`. What every `attach` checks before it
 * trusts a root; a false answer is an AttachError with ERR_HEAP_BAD_FORMAT at the caller.
 */
export function rootLooksLike(u32: Uint32Array, byteLength: number, root: unknown, bytes: number, magicWord: number, magic: number): root is number {
  return typeof root === "number" && root >>> 0 === root && root % 8 === 0 && root + bytes <= byteLength && u32[(root >>> 2) + magicWord] === magic;
}
