// The memory header: the first HEADER_BYTES at `base` of every heapkit memory (base is 0 unless the
// memory is shared with a WebAssembly module's own data below it). Pointer 0 lies at or below the
// header, which is why 0 can never be an allocation. Word indexes are u32 offsets from base / 4.
//
//   word  name            meaning
//   0     H_MAGIC         MAGIC: "this is a heapkit memory"            fixed for every version
//   1     H_VERSION       LAYOUT_VERSION of the code that formatted it   fixed for every version
//   2     H_BASE          byte offset of this header (so a header found elsewhere is rejected)
//   3     H_SIZE          bytes of the buffer heapkit has grown it to (a copy shorter is truncated)
//   4     H_MAXIMUM       largest byte length the memory may grow to
//   5     H_GROWTH        growth factor × 256 (fixed point)
//   6     H_GENERATION    incremented by every grow or shrink, by any handle
//   7     H_PAGES_ROOT    byte offset of the page pool's root, 0 before a pool is created
//   8     H_FLAGS         F_SHARED | F_WASM
//   9     H_LOCK          reserved for the sync layer's lock word over growth
//   10    H_HEAP_ROOT     byte offset of the general-purpose heap's root, 0 before a heap is created
//   11–14                 reserved, zero
//   15    H_CHECKSUM      FNV-1a over words 0–14: a damaged header is an error, not a misreading
//
// Invariants:
//   MH1  H_MAGIC === MAGIC and H_VERSION === LAYOUT_VERSION
//   MH2  H_CHECKSUM === checksum(words 0–14); every header write goes through writeWord
//   MH3  base + HEADER_BYTES <= H_SIZE <= buffer.byteLength and H_SIZE <= H_MAXIMUM <= MAX_MEMORY

export const HEADER_BYTES = 64;

/** "hkit" as little-endian bytes. Typed arrays use the platform's byte order; an image opened on a
 * big-endian engine fails this check instead of being misread. */
export const MAGIC = 0x74696b68;

/** Bumped on every incompatible change to any layer's in-memory layout, the stats block included. */
export const LAYOUT_VERSION = 3;

export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_BASE = 2;
export const H_SIZE = 3;
export const H_MAXIMUM = 4;
export const H_GROWTH = 5;
export const H_GENERATION = 6;
export const H_PAGES_ROOT = 7;
export const H_FLAGS = 8;
export const H_LOCK = 9;
export const H_HEAP_ROOT = 10;
export const H_CHECKSUM = 15;
export const HEADER_WORDS = 16;

export const F_SHARED = 1;
export const F_WASM = 2;

/** A memory grows in multiples of this (a WebAssembly page), and its sizes are multiples of it. */
export const GROW_GRANULE = 65536;

/** Largest byte length of a memory: pointers are below 2^32, and sizes fit a u32. */
export const MAX_MEMORY = 0x1_0000_0000 - GROW_GRANULE;
