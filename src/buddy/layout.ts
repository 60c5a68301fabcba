// Buddy allocator layout. Memory comes from the page pool in *arenas*: runs of maxBlock bytes,
// aligned to maxBlock (or to the pool's largest page class, when maxBlock is larger), each with a
// metadata run of two bitmaps beside it. Blocks are powers of two from minBlock (order 0) to
// maxBlock (order K); a block of order k at arena offset o has o a multiple of its size, and its
// buddy is at o ^ size.
//
//   root run (one page-pool run):  R_* words, the per-order list heads and counts, the arena
//                                  table (base, meta) × MAX_ARENAS, then the stats block (f64)
//   arena:                         maxBlock bytes of blocks
//   meta run of an arena:          SPLIT bitmap, then FREE bitmap, 2^(K+1) bits each
//
// The bitmaps index the complete binary tree over the arena, heap-ordered: node 1 is the whole
// arena (order K); node i has children 2i and 2i + 1 and buddy i ^ 1; the node of order k that
// starts at arena offset o is 2^(K-k) + (o >> (minShift + k)).
//
//   SPLIT(i)  the block of node i is split into its two children
//   FREE(i)   node i is a free block, on the free list of its order
//   neither   node i is a used block when its parent is split (or i = 1); otherwise it lies
//             inside a larger block (a used or free ancestor) and is not a block at all
//
// So free(ptr) finds the order of a block without a header: walking up from order 0, the first
// node whose parent is split is the block; a pointer that is not a block start is caught on the
// way (it would have to pass an order where its offset is not aligned). O(K).
//
// A free block holds its list links in its first two words (doubly linked, absolute addresses):
//
//   b+0  next free block of this order, 0 at the end
//   b+4  previous free block of this order, 0 at the head
//
// Invariants (check() verifies each by its id):
//   B1  SPLIT and FREE are never both set; a node that is not a block or a split block (its
//       parent not split, and it is not node 1) has neither bit; order-0 nodes are never split
//   B2  no two free buddies: FREE(i) and FREE(i ^ 1) never both hold (they would have coalesced)
//   B3  every FREE node's block is on the list of its order exactly once; the lists hold nothing
//       else; prev links agree; R_NONEMPTY bit k is set iff list k is not empty
//   B4  per-order used and free counts, and the stats block, agree with the bitmaps
//   B5  arenas lie inside the page area, aligned, with distinct bases

export const BUDDY_MAGIC = 0x64647562; // "budd"

export const R_MAGIC = 0;
export const R_MIN_SHIFT = 1; // log2 of minBlock
export const R_ORDERS = 2; // K + 1
export const R_ARENA_ALIGN = 3; // alignment of every arena base (a power of two <= maxBlock)
export const R_ARENAS = 4; // arena table entries in use (kept dense: 0 .. R_ARENAS - 1)
export const R_NONEMPTY = 5; // bit k set iff the free list of order k is not empty
export const R_STATS = 6; // byte offset of the stats block
export const R_META_BYTES = 7; // bytes of each arena's metadata (both bitmaps)
export const R_BYTES = 8; // bytes of the root run
export const R_LOCK = 9; // reserved for the sync layer
export const R_ARENA_BYTES = 10; // page-pool bytes one arena takes, its metadata run included
export const R_HEAD0 = 16; // MAX_ORDERS list heads
export const R_USED0 = R_HEAD0 + 32; // MAX_ORDERS counts of used blocks per order
export const R_FREE0 = R_USED0 + 32; // MAX_ORDERS counts of free blocks per order
export const R_ARENA0 = R_FREE0 + 32; // MAX_ARENAS × ARENA_WORDS
export const ARENA_WORDS = 2;
export const A_BASE = 0;
export const A_META = 1;

export const MAX_ORDERS = 32;
/** Most arenas a buddy allocator holds at once. */
export const MAX_ARENAS = 64;
/** Largest K (maxBlock / minBlock = 2^K): each bitmap then has 2^25 bits (4 MiB). */
export const MAX_K = 24;
export const ROOT_WORDS = R_ARENA0 + MAX_ARENAS * ARENA_WORDS;

export const B_NEXT = 0;
export const B_PREV = 1;

/** Bytes of one bitmap of 2^(K+1) bits, whole u32 words. */
export const bitmapBytes = (k: number): number => Math.max(4, 2 ** (k + 1) / 8);
