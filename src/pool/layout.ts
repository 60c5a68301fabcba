// Pool layout: fixed-size blocks (boost::pool / object_pool) carved from segments taken from the
// page pool. Everything lives in the memory; a handle holds the root's word index and the tag.
//
// A segment is SEG_BYTES (a power of two, at least one frame, at least 32 blocks, and larger, up
// to 64 KiB, while header and tail would waste more than 1/64 of it) at an address aligned to
// SEG_BYTES, so the segment of any pointer is `ptr & -SEG_BYTES`: free() finds the
// block grid and the live bitmap with a mask and one header load, and never searches.
// Segments are taken from the page pool in runs of whole page classes: the first run the smallest
// class holding a segment, then each run the next class above the last (4 KiB → 64 KiB → …, up
// to P_MAX_RUN segments), each segment with its own header:
//
//   seg ─► G_OWNER  byte offset of the owning pool's root       ┐
//          G_TAG    the owning pool's tag                         │
//          G_FIRST  offset of block 0 from seg                    │ SEG_HEADER_BYTES
//          G_COUNT  blocks in this segment                         │
//          G_RUN    run head: segments in the run; 0 elsewhere     │
//          G_NEXT   run head: next (older) run, 0 at the end       ┘
//          map      G_COUNT bits, bit i set = block i is live
//          [root + stats block: first segment of the first run only]
//          blocks   G_COUNT × P_BLOCK bytes from seg + G_FIRST
//
// A free block holds the next free block at word 0 and its own index at word 1 (so alloc sets its
// live bit without a division). The free list is LIFO: the block freed last, still hot in the
// cache, is handed out first.
//
// Root (word offsets from root / 4):
//   P_MAGIC, P_TAG          POOL_MAGIC; odd random tag, zeroed on destroy
//   P_BLOCK                 block bytes (a multiple of P_ALIGN)
//   P_SIZE                  the object size the pool was created for (requestedBytes counts it)
//   P_ALIGN                 block alignment
//   P_SEG_SHIFT             log2 SEG_BYTES
//   P_FREE                  free list head, 0 when empty
//   P_BUMP, P_LIMIT         next never-used block of the segment being carved, and its end
//   P_BUMP_I                index of P_BUMP in its segment
//   P_NEXT_SEG, P_RUN_END   next uncarved segment of the newest run (0 when none), and the run's end
//   P_RUNS                  newest run head; P_FIRST the first run (it holds the root)
//   P_RUN_SEGS, P_MAX_RUN   segments in the newest run, and the growth cap
//   P_SEGS                  segments held
//   P_STATS                 byte offset of the stats block
//   P_LIVE, P_PEAK          live blocks, and the most a free has seen (a peak settles before the
//                           decrease that follows it)
//   P_NEW_FREES             frees not yet added to the stats block, below FOLD_FREES
//   The fast paths count in these u32 words only, each below 2^30: a V8 small integer, so even
//   unoptimized code makes no garbage (an f64 slot read there is a new heap number). stats()
//   folds them into the stats block, where allocs = frees + live.
//
// Invariants (check() verifies each by its id):
//   P1  root magic and tag; the run list is finite, every run a live page-pool run, every
//       segment header owned by this pool, with consistent G_FIRST/G_COUNT; P_SEGS agrees
//   P2  carving: P_BUMP = seg + G_FIRST + P_BUMP_I × P_BLOCK <= P_LIMIT, the segment's block end;
//       segments not yet carved have no live bits
//   P3  free list: finite, every entry a carved, not-live block start of this pool whose word 1
//       is its index; carved blocks = live bits + free-list entries
//   P4  stats: P_LIVE = live bits; P_NEW_FREES < FOLD_FREES; allocs (as of the last stats())
//       <= frees + P_NEW_FREES + P_LIVE; footprint = P_SEGS × SEG_BYTES

export const POOL_MAGIC = 0x6c6f6f62; // "bool"

export const G_OWNER = 0;
export const G_TAG = 1;
export const G_FIRST = 2;
export const G_COUNT = 3;
export const G_RUN = 4;
export const G_NEXT = 5;
export const G_MAP = 8;
/** Header bytes before the map. */
export const SEG_HEADER_BYTES = G_MAP * 4;

export const P_MAGIC = 0;
export const P_TAG = 1;
export const P_BLOCK = 2;
export const P_SIZE = 3;
export const P_ALIGN = 4;
export const P_SEG_SHIFT = 5;
export const P_FREE = 6;
export const P_BUMP = 7;
export const P_LIMIT = 8;
export const P_BUMP_I = 9;
export const P_NEXT_SEG = 10;
export const P_RUN_END = 11;
export const P_RUNS = 12;
export const P_FIRST = 13;
export const P_RUN_SEGS = 14;
export const P_MAX_RUN = 15;
export const P_SEGS = 16;
export const P_STATS = 17;
export const P_LIVE = 18;
export const P_PEAK = 19;
export const P_NEW_FREES = 20;
export const ROOT_WORDS = 22;
export const ROOT_BYTES = ROOT_WORDS * 4; // 88: a multiple of 8
/** P_NEW_FREES is added to the stats block when it reaches this. */
export const FOLD_FREES = 0x4000_0000;

/** A segment holds at least this many blocks, which bounds the tail waste to 1/32. */
export const MIN_BLOCKS_PER_SEG = 32;
/** Runs grow through the page classes up to the first class of at least this many bytes (and 4 segments). */
export const MAX_RUN_BYTES = 1 << 16;

/** Bytes of the live bitmap for `count` blocks, rounded to 8. */
export const mapBytes = (count: number): number => Math.ceil(count / 64) * 8;
