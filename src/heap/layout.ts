// General-purpose heap layout: the root, chunks, medium blocks (TLSF with boundary tags) and huge
// blocks. Every offset below is a byte offset into the memory unless its name ends in `w` (a u32
// word index, byte offset >>> 2). Algorithms import from here; no other file has a bare offset.
//
// ── Where things live ─────────────────────────────────────────────────────────────────────────────
//
//   page pool run #0 (grows in place while it is at the pool's top):
//   ┌────────────────────┬──────────────┬──────────────────────────────────────┬──────────┐
//   │ heap root (R_*)    │ chunk header │ blocks …                               │ sentinel │
//   └────────────────────┴──────────────┴──────────────────────────────────────┴──────────┘
//   further chunks: page pool runs  [chunk header │ blocks … │ sentinel]
//   huge blocks:    page pool runs  [huge header (32 B) │ payload …]
//   small blocks:   slab pages      (see small.ts)
//
// ── Root (R_*: word offsets from the root's word index r) ─────────────────────────────────────────
//
//   word  name          meaning
//   0     R_MAGIC       HEAP_MAGIC
//   1     R_VERSION     HEAP_VERSION
//   2     R_LOCK        reserved for the sync layer (an Int32 futex word); 0 = unlocked
//   3     R_KEY         guard key: random per heap, mixed into every block's guard word
//   4     R_FL_MAP      first-level bitmap: bit f set ⇔ sl map f is not 0 (M2)
//   5     R_TOP_CHUNK   the chunk that grows in place (the wilderness), 0 before the first block
//   6     R_CHUNKS      first chunk of the chunk list (doubly linked through CH_NEXT / CH_PREV)
//   7     R_HUGE        first huge block header of the huge list, 0 when none
//   8     R_MAINT       maintain()'s cursor: the chunk it looks at next, 0 = start from the first
//   9     R_SMALL       byte offset of the small-size state (small.ts), 0 when small sizes are off
//   10    R_REMOTE      reserved for the sync layer: head of the remote-free list (blocks freed by
//                       another worker, collected by the owner); per-worker small-size caches hang
//                       off R_SMALL, one per worker, so nothing here assumes a single thread
//   11    R_FLAGS       reserved, 0
//   12    R_SLAB        root of the Slab (src/slab) serving small sizes when small: "slab", else 0
//   13–15 reserved, 0
//   16    R_STATS       stats block (f64 slots, core/stats.ts), STATS_BYTES long
//   …     R_SL_MAP      FL_COUNT second-level bitmaps: bit s of word f set ⇔ head[f·SL_COUNT + s] ≠ 0 (M1)
//   …     R_HEADS       LIST_COUNT free-list heads (block offsets, 0 = empty)
//   …     R_QUICK       QUICK_LISTS quick list heads (cached blocks by exact size, below)
//   …     R_SM          the small-size state (small.ts), only when small sizes are on (R_SMALL ≠ 0)
//
// ── Medium block (b = block offset, 8-aligned; the caller's pointer is b + 8) ─────────────────────
//
//          31      27 26                                      3   2   1   0
//         ┌──────────┬─────────────────────────────────────────┬───┬───┬───┐
//   b+0   │ PF clear: guard = W_SIZE ^ key ^ mix(b)    PF set: size of the free left block │ W_PREV
//         ├──────────┼─────────────────────────────────────────┼───┼───┼───┤
//   b+4   │  slack   │ block size in bytes (header included)    │ H │ PF│ F │ W_SIZE
//         ╞══════════╧═════════════════════════════════════════╧═══╧═══╧═══╡ ◄─ pointer
//   b+8   │ used: payload …            │ free: next free block in its list     │ W_NEXT
//   b+12  │                            │ free: previous free block in its list │ W_PREVFREE
//         └───────────────────────────────────────────────────────────────────┘
//   F  (FREE_BIT)      this block is free
//   PF (PREV_FREE_BIT) the block physically before is free; W_PREV holds its size (its footer)
//   H  (HUGE_BIT)      a huge block's header (below); never set on a medium block
//   slack              used blocks: usable bytes - requested bytes (0..31), so the stats know
//                      what was requested without a second word. 0 in free blocks.
//
// The left neighbour's size lives in *this* block's header (dlmalloc's prev_size), so a free block
// needs only header + two links: MIN_BLOCK_BYTES = 16, an 8-byte payload at the least.
//
// Overrun protection. The first byte an overrun of a used block reaches is b+0 of its right
// neighbour. When the left block is used (so the only one that can overrun), that word is the
// guard: a keyed copy of W_SIZE. free(), resize() and check() compare it with W_SIZE, so a one-byte
// (or longer) overrun into the header is ERR_HEAP_CORRUPTED, never a silently wrong size. When the
// left block is free, b+0 is its size and check() compares it with the left block's own header
// (the size stored twice). The guard also rejects pointers that are not block starts: a random
// word matches it with probability 2^-30. The sentinel that ends each chunk is a used block of
// size 0, so every real block has a right neighbour and the last one's header is guarded too.
//
// ── Chunk (c = run start, or the first byte after the root in run #0) ─────────────────────────────
//
//   c+0   CH_NEXT   next chunk, 0 at the end
//   c+4   CH_PREV   previous chunk, 0 at the start
//   c+8   CH_END    first byte after the chunk (end of its page pool run); the sentinel is at end - 8
//   c+12  CH_RUN    the page pool run holding the chunk (the root's run for the first chunk)
//   c+16  first block
//
// ── Huge block (p = pointer; at least HUGE_MIN bytes, or aligned beyond FRAME) ─────────────────────
//
//   p-32  HW_RUN        page pool run holding it (p - 32, or p - align for an aligned one)
//   p-28  HW_REQUESTED  bytes requested
//   p-24  HW_NEXT       next huge block (pointer), 0 at the end
//   p-20  HW_PREV       previous huge block (pointer), 0 at the start
//   p-16  reserved (owner worker for the sync layer), p-12 reserved
//   p-8   guard, as for a medium block
//   p-4   HUGE_BIT (size bits 0: the size is the run's, kept by the page pool)
//
// ── Invariants (check() verifies each by its id) ──────────────────────────────────────────────────
//   B1  blocks tile each chunk from c+16 to the sentinel at CH_END - 8: sizes >= 16, multiples of 8
//   B2  a block whose left neighbour is used has PF clear and a guard that matches W_SIZE; one whose
//       left neighbour is free has PF set and W_PREV === the left block's size
//   B3  no two free blocks are adjacent (coalescing is immediate)
//   B4  a used block's slack <= its usable bytes; a free block's slack is 0
//   M1  head[list] !== 0  ⇔  bit (list & 31) of slMap[list >>> 5] is set
//   M2  slMap[f] !== 0    ⇔  bit f of flMap is set
//   M3  every listed block is free, lies in a chunk, sits on list insertIndex(its size), once,
//       with correct back links; every free block is listed
//   W1  the wilderness (the free block that ends the top chunk, if any) is on no list: it is
//       used only when no listed block fits, so the block before it can grow in place
//   C1  the chunk list is doubly linked, each chunk inside its run, CH_END frame-aligned
//   H1  each huge block's header is guarded and its run is a live page pool run
//   S1  the stats block agrees with the walk (live blocks, usable bytes, requested bytes)
import { STATS_BYTES } from "../core/stats.js";

export const HEAP_MAGIC = 0x70616568; // "heap"
export const HEAP_VERSION = 3;

export const R_MAGIC = 0;
export const R_VERSION = 1;
export const R_LOCK = 2;
export const R_KEY = 3;
export const R_FL_MAP = 4;
export const R_TOP_CHUNK = 5;
export const R_CHUNKS = 6;
export const R_HUGE = 7;
export const R_MAINT = 8;
export const R_SMALL = 9;
export const R_REMOTE = 10;
export const R_FLAGS = 11;
export const R_SLAB = 12; // root run of the Slab layer serving small sizes (small: "slab"), 0 when not used
export const R_STATS = 16;

// ── mapping geometry (mapping.ts draws it) ──
export const GRANULE = 8;
export const SL_BITS = 5;
export const SL_COUNT = 1 << SL_BITS; // 32
/** Below this, lists are exact (one per 8-byte size). */
export const LINEAR_LIMIT = SL_COUNT * GRANULE; // 256
export const FL_SHIFT = 8; // log2(LINEAR_LIMIT)
/**
 * Every block lies in a chunk of at most MAX_CHUNK_BYTES = 2^26 (below), so blocks are below 2^26
 * bytes and need no list above that (W_SIZE keeps 27 size bits; its top 5 hold the slack).
 */
export const MAX_BLOCK_LOG2 = 26;
export const FL_COUNT = MAX_BLOCK_LOG2 - FL_SHIFT + 1; // 19: index 0 for the linear range, 1..18 for 2^8..2^25
export const LIST_COUNT = FL_COUNT * SL_COUNT; // 608

export const R_SL_MAP = R_STATS + STATS_BYTES / 4;
export const R_HEADS = R_SL_MAP + FL_COUNT;

// ── small sizes (small.ts draws the slab page) ──
/** Requests up to this many bytes go to size-class slab pages when small sizes are on. */
export const SMALL_MAX = 128;
export const SMALL_BUCKETS = SMALL_MAX / 8 + 1; // one per 8-byte size, 0..SMALL_MAX
export const MAX_CLASSES = 24;
export const CLASS_WORDS = 8;
export const CL_SIZE = 0; // object size in bytes
export const CL_HEAD = 1; // first page of the class (pages with free slots first)
export const CL_TAIL = 2; // last page
export const CL_FIRST = 3; // offset of the first object in a page (header + used bitmap)
export const CL_COUNT = 4; // objects per page
export const CL_PAGES = 5; // pages of the class
export const CL_LIVE = 6; // live objects of the class
// R_SM (below): the small-size state, at the end of the root, present only when small sizes are on.
export const SM_CLASSES = 0; // number of classes
export const SM_FLAGS = 1; // SMALL_ON | ADAPTIVE_ON
export const SM_REQUESTS = 2; // small requests seen (the histogram's total)
export const SM_ADAPTED = 3; // classes added by adaptation
export const SM_CLASS0 = 4; // MAX_CLASSES records of CLASS_WORDS
export const SM_HIST = SM_CLASS0 + MAX_CLASSES * CLASS_WORDS; // SMALL_BUCKETS request counters
export const SM_TABLE = SM_HIST + SMALL_BUCKETS; // SMALL_BUCKETS class indexes, one byte each
export const SM_WORDS = SM_TABLE + Math.ceil(SMALL_BUCKETS / 4);
export const SMALL_ON = 1;
export const ADAPTIVE_ON = 2;

/**
 * Quick lists (deferred coalescing, as dlmalloc's fastbins and glibc's tcache): a freed block of
 * at most QUICK_MAX bytes goes, uncoalesced, onto the LIFO list of its exact size, and the next
 * request of that size takes it back in a few typed-array operations. A cached block keeps its
 * used-looking header, marked by QUICK_MARK (slack 31, which no used block records), so that
 * neighbours do not merge with it and a second free of it reads as a double free. The lists are
 * flushed (every block freed for real, coalescing) before the heap would grow, by trim() and
 * maintain(), and when a realloc finds a cached block in its way.
 */
export const QUICK_MAX = LINEAR_LIMIT; // 256: blocks of 16 ... 256 bytes, requests up to 248
/** Word offset of the quick list heads: head of the list of block size z at R_QUICK + z / 8. */
export const R_QUICK = R_HEADS + LIST_COUNT;
export const QUICK_LISTS = QUICK_MAX / GRANULE + 1;
/** W_SIZE bits of a cached block: slack = MAX_SLACK. */
export const QUICK_MARK = 0xf800_0000;

/** The small-size state (small.ts), after the quick lists: the root holds it only with small sizes on. */
export const R_SM = R_QUICK + QUICK_LISTS;
/** The root without the small-size state; the first chunk follows it. A multiple of two words, so what follows is 8-aligned. */
export const ROOT_WORDS = (R_SM + 1) & ~1;
export const ROOT_BYTES = ROOT_WORDS * 4;
/** The root with the small-size state (R_SMALL set). */
export const SMALL_ROOT_WORDS = (R_SM + SM_WORDS + 1) & ~1;
export const SMALL_ROOT_BYTES = SMALL_ROOT_WORDS * 4;
/** Bytes of the root whose R_SMALL word is `small` (0 when small sizes are off). */
export const rootBytes = (small: number): number => (small !== 0 ? SMALL_ROOT_BYTES : ROOT_BYTES);

// ── blocks ──
export const W_PREV = 0;
export const W_SIZE = 1;
export const W_NEXT = 2;
export const W_PREVFREE = 3;

export const HEADER_BYTES = 8;
export const MIN_BLOCK_BYTES = 16;
export const FREE_BIT = 0b001;
export const PREV_FREE_BIT = 0b010;
export const HUGE_BIT = 0b100;
export const SIZE_MASK = 0x07ff_fff8;
export const SLACK_SHIFT = 27;
/** Largest slack a used block could record (5 bits). Splitting keeps it at or below 23; 31 marks a cached block (QUICK_MARK). */
export const MAX_SLACK = 31;
/** W_SIZE of a header that a merge swallowed: free, size 0. A second free of it is a double free. */
export const DEAD_WORD = FREE_BIT;

// ── chunks ──
export const CH_NEXT = 0;
export const CH_PREV = 1;
export const CH_END = 2;
export const CH_RUN = 3;
export const CHUNK_HEADER_BYTES = 16;
/** A chunk stops growing in place at this size (block sizes must stay below 2^27). */
export const MAX_CHUNK_BYTES = 1 << 26;

// ── huge blocks ──
export const HUGE_HEADER_BYTES = 32;
export const HW_RUN = -8; // word offsets from p >>> 2
export const HW_REQUESTED = -7;
export const HW_NEXT = -6;
export const HW_PREV = -5;

/**
 * Requests of at least this many bytes go straight to page pool runs. Chosen on the traces
 * (bench/heap-traces-quick.ts): below it, a realloc-grown block keeps growing in place at the top
 * of the heap area (realloc-bal grows one block to 600 KiB); above it, a run's 4 KiB rounding is
 * under 0.4 %.
 */
export const HUGE_MIN = 1 << 20;

/** Medium blocks carry alignments up to this; larger ones are page pool runs aligned by the pool. */
export const MEDIUM_MAX_ALIGN = 4096;

/**
 * The guard word of block `b` whose size word is `sw`: a keyed copy that no stray byte keeps valid.
 * 30 bits, the top two always 0: a V8 small integer. A full 32-bit guard was a heap number
 * whenever V8 did not inline this call, so malloc's fast path allocated 16 bytes of garbage
 * three times in four (2.3 MB per five passes over cmu-firefox-reddit, and the scavenges that
 * come with it, measured with the sampling heap profiler).
 */
export const guardOf = (b: number, sw: number, key: number): number => (sw ^ key ^ Math.imul(b, 0x9e3779b1)) & 0x3fff_ffff;
