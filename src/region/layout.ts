// Region layout: variable-size bump allocation out of chunks taken from the page pool (nginx
// ngx_pool, APR pools, Tempesta TfwPool). Everything lives in the memory; a handle holds the
// root's word index and the region's tag.
//
// A chunk is one page-pool run. The region's chunks form a list from the current (newest) chunk
// back to the first, which also holds the root:
//
//   chunk ─► K_PREV   older chunk of this region, 0 for the first          ┐
//            K_BYTES  bytes of the run                                      │ CHUNK_HEADER_BYTES
//            K_SEQ    0 for the first chunk, +1 for each newer one           │
//            K_USED   end of the bytes handed out (the bump), for every      │
//                     chunk but the current one (R_BUMP is its truth)        │
//            K_DATA   first allocatable byte (after the map, and the root)   ┘
//            map      2 bits per 8-byte granule of the chunk: START_BIT, LIVE_BIT (chunk bytes / 32)
//            [root + stats block, first chunk only]
//            data     blocks, bump-allocated upwards, no per-block header
//
//   Block map: granule g = (ptr - chunk) / 8 has bits 2g (START) and 2g + 1 (LIVE) of the map.
//   alloc sets both; free clears LIVE; free of the last block, release and reset clear both.
//   A block's extent runs from its START to the next START (or a mark record, which has START
//   but never LIVE) or the used end: that is its usableSize. The map costs 1/32 of the chunk and
//   one read-modify-write per allocation, and buys what headerless regions cannot do: an
//   interior or foreign pointer, and a double free, are exact errors; usableSize is exact.
//
// Root (word offsets from root / 4):
//   R_MAGIC      REGION_MAGIC
//   R_TAG        odd random id of this region; zeroed on destroy so every handle sees it gone
//   R_CHUNK      current chunk
//   R_BUMP       next free byte in the current chunk
//   R_END        end of the current chunk
//   R_FOLDED     the bump when the stats were last brought up to date (see R_NEW_REQUESTED)
//   R_LAST_SIZE  bytes requested for the most recent live small block (free-last, grow-last), or
//                NO_LAST. That block is the one just below the bump, `span(R_LAST_SIZE)` long:
//                alloc stores its size only, not its address.
//   R_UNDONE     the last block given back by free-last: freeing it again is a double free
//   R_FIRST      first chunk (the one holding the root)
//   R_OLD_USED   bytes handed out (K_USED - K_DATA) summed over the chunks before the current one
//   R_LARGE      newest large block's header, 0 when none
//   R_LARGE_N    large blocks on the list
//   R_LARGE_BYTES usable bytes of the large blocks
//   R_SERIAL     last large-block serial handed out (marks compare against it)
//   R_MARK       top mark record, 0 when none
//   R_MARKS      mark records on the stack
//   R_MARK_SERIAL last mark token handed out
//   R_PARENT     parent region's root, 0 for a top region
//   R_CHILD      newest child's root, 0 when none
//   R_SIB_NEXT   next (older) sibling's root      R_SIB_PREV  previous (newer) sibling's root
//   R_TOP        root of the top ancestor (itself for a top region): it keeps the chunk cache
//   R_CACHE      top region only: newest cached free chunk (linked by K_PREV), 0 when empty
//   R_CACHE_BYTES, R_CACHE_LIMIT  bytes in the cache, and its bound
//   R_FIRST_BYTES, R_MAX_CHUNK, R_GROWTH, R_LARGE_MIN  the options (R_GROWTH: GROW_*)
//   R_STATS      byte offset of the stats block (follows the root)
//   Counts not yet in the stats block (fold() adds them in; every operation that moves the bump
//   other than alloc, free-last and a new chunk folds first, and those fold once a count passes
//   FOLD_FREES or FOLD_BYTES). All u32, non-negative and, for chunks up to 1 GiB, below 2^31:
//   V8 small integers, so even unoptimized code makes no garbage (an f64 slot read there is a
//   new heap number).
//     The allocations since the last fold are R_NEW_N plus the LIVE bits in [R_FOLDED, bump) of
//     the current chunk (every block there is live: a free that is not free-last folds first),
//     and the bytes they requested R_NEW_REQUESTED plus (bump - R_FOLDED) - R_NEW_SLACK. So
//     alloc's fast path stores only the bump and the last size, and adds to R_NEW_SLACK only for
//     a size that is not a multiple of 8.
//     R_NEW_REQUESTED  requested bytes of the allocations counted into R_NEW_N
//     R_NEW_SLACK  bytes in [R_FOLDED, bump) that no allocation requested: span(size) - size
//                summed over the blocks there, at most 8 per block
//     R_NEW_N    allocations since the last fold counted by free-last and new chunks (which move
//                R_FOLDED)
//     R_NEW_FREES, R_FREED_REQUESTED  free-lasts since the last fold, and their requested bytes
//     R_HIGH_N, R_HIGH_BYTES, R_HIGH_REQUESTED  the peaks free-last saw before its decreases:
//                live blocks gained since the last fold, liveBytes, requested bytes gained. A
//                free-last lowers the gauges without touching the stats block; fold() raises the
//                peaks from these, so they stay exact.
//
// Large block (size > R_LARGE_MIN, or alignment beyond a chunk's reach): its own page-pool run,
// with a header just below the caller's pointer:
//   ptr-32 L_NEXT (older)  L_PREV (newer)  L_OWNER (region root)  L_TAG (region tag)
//          L_SIZE (requested)  L_RUN (run start)  L_SERIAL  (pad)
//
// Mark record (bump-allocated, START bit only): M_PREV, M_TOKEN, M_CHUNK, M_BUMP, M_SERIAL,
// M_LAST, M_LAST_SIZE, M_REQUESTED (f64 at byte 32). The record sits at M_BUMP, so release
// gives back its bytes too.
//
// Invariants (check() verifies each by its id):
//   R1  root magic and tag; the chunk list from R_CHUNK back to R_FIRST is finite, every chunk a
//       live run of the page pool, K_SEQ counting down to 0 at R_FIRST
//   R2  K_DATA <= bump <= end for every chunk (bump = R_BUMP for the current, K_USED otherwise);
//       R_END = current chunk end; R_OLD_USED = the sum over older chunks
//   R3  no map bit at or after a chunk's used end, nor before its data start; LIVE implies START;
//       the last block (R_LAST_SIZE) is a LIVE block of the current chunk with no START after it
//   R4  the large list is a finite doubly-linked list of headers owned by this region, serials
//       strictly decreasing, R_LARGE_N and R_LARGE_BYTES agree with it
//   R5  the mark stack is finite, R_MARKS long, tokens strictly decreasing; each record lies in
//       its chunk at its M_BUMP, which is in order with the records above it
//   R6  stats: K_DATA <= R_FOLDED <= bump in the current chunk; the counts not yet folded below
//       their bounds, R_NEW_SLACK at most 8 per block in [R_FOLDED, bump); allocs - frees, pending counts included, = LIVE bits + large blocks;
//       requested bytes not negative; the footprint is the chunks, large runs and cached chunks
//   R7  children: each child's parent is this region and the sibling links agree

import { roundUp } from "../core/ptr.js";

export const REGION_MAGIC = 0x6e676572; // "regn"

// Chunk header words.
export const K_PREV = 0;
export const K_BYTES = 1;
export const K_SEQ = 2;
export const K_USED = 3;
export const K_DATA = 4;
export const CHUNK_HEADER_BYTES = 24;
/** Word index of the map, from the chunk's word index. */
export const K_MAP = CHUNK_HEADER_BYTES >>> 2;

/** R_LAST_SIZE when there is no last block to free or grow in place. */
export const NO_LAST = 0x7fff_ffff; // above any small size (largeSize <= 256 MiB), and a V8 small integer

/** Bytes a small block of `size` takes: its size rounded up to 8, at least 8. */
export const span = (size: number): number => ((size + 7) & -8) || 8; // size < 2^28: no sign trouble

export const START_BIT = 1;
export const LIVE_BIT = 2;
export const GRANULE = 8;

/** Map bytes for a chunk of `bytes` bytes: 2 bits per granule, rounded to 8. */
export const mapBytes = (bytes: number): number => roundUp(bytes, 256) / 32;

// Root words.
export const R_MAGIC = 0;
export const R_TAG = 1;
export const R_CHUNK = 2;
export const R_BUMP = 3;
export const R_END = 4;
export const R_FOLDED = 5;
export const R_FIRST = 6;
export const R_OLD_USED = 7;
export const R_LARGE = 8;
export const R_LARGE_N = 9;
export const R_LARGE_BYTES = 10;
export const R_SERIAL = 11;
export const R_MARK = 12;
export const R_MARKS = 13;
export const R_MARK_SERIAL = 14;
export const R_PARENT = 15;
export const R_CHILD = 16;
export const R_SIB_NEXT = 17;
export const R_SIB_PREV = 18;
export const R_TOP = 19;
export const R_CACHE = 20;
export const R_CACHE_BYTES = 21;
export const R_CACHE_LIMIT = 22;
export const R_FIRST_BYTES = 23;
export const R_MAX_CHUNK = 24;
export const R_GROWTH = 25;
export const R_LARGE_MIN = 26;
export const R_STATS = 27;
export const R_LAST_SIZE = 28;
export const R_UNDONE = 29;
export const R_NEW_REQUESTED = 30;
export const R_NEW_N = 31;
export const R_NEW_FREES = 32;
export const R_FREED_REQUESTED = 33;
export const R_HIGH_N = 34;
export const R_HIGH_BYTES = 35;
export const R_HIGH_REQUESTED = 36;
export const R_NEW_SLACK = 37;
export const ROOT_WORDS = 38;
export const ROOT_BYTES = ROOT_WORDS * 4; // 152: a multiple of 8, so the stats block follows aligned
/** Free-last and new chunks fold when the counts since the last fold reach these (keeps them small integers). */
export const FOLD_FREES = 0x1_0000;
export const FOLD_BYTES = 0x2000_0000;

export const GROW_EXPONENTIAL = 0;
export const GROW_FIXED = 1;

// Large block header words, below the caller's pointer.
export const L_NEXT = 0;
export const L_PREV = 1;
export const L_OWNER = 2;
export const L_TAG = 3;
export const L_SIZE = 4;
export const L_RUN = 5;
export const L_SERIAL = 6;
export const LARGE_HEADER_BYTES = 32;

// Mark record words.
export const M_PREV = 0;
export const M_TOKEN = 1;
export const M_CHUNK = 2;
export const M_BUMP = 3;
export const M_SERIAL = 4;
export const M_LAST = 5;
export const M_LAST_SIZE = 6;
export const M_REQUESTED_F64 = 4; // f64 index from the record's f64 index (byte 32)
export const MARK_BYTES = 40;
