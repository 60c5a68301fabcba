// Page pool layout. The pool owns the memory above its root: a frame table, then the page area.
//
//   base ──► memory header (64 B, memory/layout.ts)
//   root ──► pool root: R_* words, then per-class words, then the stats block (f64)
//   table ─► frame table: two u32 words per frame (a frame is the smallest page class)
//   start ─► page area: frames [start, top) are tiled by runs; [top, maximum) is the wilderness
//
// A "run" is a contiguous range of frames with one entry at its first frame (its head). Free
// memory is kept as free *pages*: runs whose length is exactly a page class and whose address is
// aligned to that class's size. A used run has any length and is aligned to the largest class
// not longer than it.
//
// Frame table entry, word 0 of the frame's pair (word 1 holds the bytes requested, for used heads):
//
//    31                                       5   4   2   1   0
//   ┌─────────────────────────────────────────┬───────┬───────┐
//   │ run length in frames (27 bits)          │ class │ state │   state: 0 none, 1 used, 2 free
//   └─────────────────────────────────────────┴───────┴───────┘
//
// A free list per class is a stack of *segments* kept in free pages of that class:
//
//   seg+0  SEG_NEXT   next segment of this class, 0 at the end
//   seg+4  SEG_COUNT  addresses held here, 0..SEG_CAP
//   seg+8  SEG_ADDRS  free page addresses (pages other than the segment page itself)
//
// Push and pop touch one segment word and the count, one cache line in the common case, and never
// walk a per-page link. The segment page itself is free: it is popped last, when its count is 0.
//
// Invariants (check() verifies each by its id):
//   T1  heads tile [start, top): each head's length >= 1, and every frame inside a run but its
//       first, and every frame at or above top, has entry 0
//   T2  a free head's length is its class's length, and its address is aligned to its class size;
//       a used head's address is aligned to its class size
//   T3  every free head of class c is on class c's list exactly once (in a segment's address array
//       or as a segment page); nothing else is on any list; C_FREE counts it
//   T4  the stats block agrees with the table (live runs, live bytes, requested bytes)
//   T5  start <= top <= memory length, top <= maximum, all frame-aligned

export const POOL_MAGIC = 0x6c6f6f70; // "pool"

export const R_MAGIC = 0;
export const R_FRAME_SHIFT = 1;
export const R_CLASSES = 2;
export const R_START = 3;
export const R_TOP = 4;
export const R_TABLE = 5;
export const R_TABLE_FRAMES = 6;
export const R_FREED = 7; // frames freed since the last coalesce: coalescing is worth trying only when > 0
export const R_LOCK = 8; // reserved for the sync layer
export const R_STATS = 9; // byte offset of the stats block
export const R_CLASS0 = 12; // first per-class record
export const CLASS_WORDS = 4;
export const C_SHIFT = 0; // log2 of the class size in bytes
export const C_HEAD = 1; // top segment, 0 when the list is empty
export const C_FREE = 2; // free pages of this class
export const C_LIVE = 3; // used runs whose class (alignment) is this one

export const MAX_CLASSES = 6;
export const ROOT_WORDS = R_CLASS0 + MAX_CLASSES * CLASS_WORDS;

export const ST_NONE = 0;
export const ST_USED = 1;
export const ST_FREE = 2;
export const LENGTH_SHIFT = 5;
export const CLASS_SHIFT = 2;

export const entry = (state: number, cls: number, frames: number): number => ((frames << LENGTH_SHIFT) | (cls << CLASS_SHIFT) | state) >>> 0;
export const entryState = (e: number): number => e & 3;
export const entryClass = (e: number): number => (e >>> CLASS_SHIFT) & 7;
export const entryFrames = (e: number): number => e >>> LENGTH_SHIFT;

/** Largest run, in frames, that an entry can describe. */
export const MAX_RUN_FRAMES = 0x7ff_ffff;

export const SEG_NEXT = 0;
export const SEG_COUNT = 1;
export const SEG_ADDRS = 2;
/** Addresses a segment holds: it uses at most the first 4 KiB of its page. */
export const segCap = (frameBytes: number): number => Math.min(frameBytes, 4096) / 4 - SEG_ADDRS;
