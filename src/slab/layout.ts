// Slab layout. A Slab is a set of caches, one per size class; a cache owns slabs; a slab is a run
// of whole page-pool frames holding objects of one size. All of it lives in the memory.
//
// The root run (one page-pool run, taken at create) holds, in order:
//
//   root ──► R_* words, then MAX_CLASSES + 1 class records of CLASS_WORDS words
//   stats ─► the stats block (f64, core/stats.ts)
//   table ─► size → class: one u8 per 8-byte granule, table[(size + 7) >>> 3], 0 <= size <= limit
//   map ───► page map: one u8 per frame of the page pool's area (pool start .. pool maximum):
//            0 when the frame is not in a slab of this Slab, else (frame index within its slab) + 1
//
// The page map answers "is this pointer in one of my slabs, and which" with one byte load: the slab
// header is at start + (frame - (map[frame] - 1)) * frameBytes. Slabs therefore need no alignment
// beyond a frame and may be any number of frames (up to MAX_SLAB_FRAMES), so each class gets the
// slab length that wastes least. Linux keeps the same answer in struct page; tcmalloc in its pagemap.
//
// Slab header, at the slab's first byte (u32 words at (h >>> 2) + SH_*):
//
//   word  name         meaning
//   0     SH_MAGIC     SLAB_MAGIC
//   1     SH_CLASS     class index (into the class records)
//   2     SH_NEXT      next slab on the cache's list, 0 at the end
//   3     SH_PREV      previous slab on the list, 0 at the head
//   4     SH_LIST      which list: L_PARTIAL, L_FULL or L_EMPTY
//   5     SH_FREE      in-slab free list: first free object, 0 when empty; a free object's first
//                      word is the next free object
//   6     SH_BUMP      first never-used object; [SH_BUMP, SH_END) has never been handed out
//   7     SH_INUSE     objects handed out and not freed
//   8     SH_FIRST     address of object 0 (after the header and this slab's colour)
//   9     SH_OWNER     reserved for the sync layer: id of the thread that owns the slab (0 now)
//   10    SH_REMOTE    reserved for the sync layer: head of the remote-free list (a Treiber stack of
//                      objects freed by other threads, collected by the owner); always 0 now
//   11    SH_END       address just past the last object: SH_FIRST + capacity * size
//   12..  SH_BITMAP    one bit per object, 1 = handed out. free() tests it: a double free is one
//                      load and one test, and so is a pointer into the never-used region
//
//        ┌────────┬───────────┬────────────┬────────┬────────┬─────┬────────────┬───────┐
//   h ──►│ header │ bitmap    │ colour pad │ obj 0  │ obj 1  │ ... │ obj cap-1  │ slack │
//        └────────┴───────────┴────────────┴────────┴────────┴─────┴────────────┴───────┘
//                                          ▲ SH_FIRST = h + C_FIRST + colour * C_COLOUR_STEP
//
// Cache colouring: successive slabs of a cache start their objects at successive multiples of
// C_COLOUR_STEP (the 64-byte cache line, or the class's natural alignment when larger) while the
// slack allows, so the same object index in different slabs falls on different cache sets.
//
// Class record (u32 words at R_CLASS0 + c * CLASS_WORDS + C_*): see the C_* constants.
//
// Invariants (check() verifies each by its id):
//   S1  every slab on a cache's lists has a valid header: magic, its class, its list tag, its
//       frames marked in the page map, SH_FIRST <= SH_BUMP <= SH_END = SH_FIRST + capacity * size
//   S2  lists are doubly linked (prev links agree), and each slab is on exactly one list
//   S3  a slab's free list holds distinct objects in [SH_FIRST, SH_BUMP), each with its bitmap bit
//       clear; bits at and above SH_BUMP are clear; free + inuse = (SH_BUMP - SH_FIRST) / size;
//       the bitmap holds SH_INUSE set bits
//   S4  a slab on the full list has inuse = capacity; on the empty list inuse = 0 (and it is
//       reset: SH_FREE = 0, SH_BUMP = SH_FIRST); on the partial list inuse >= 1, except the head
//   S5  C_SLABS and C_EMPTY count the cache's slabs; the page map marks exactly their frames
//   S6  table[g] is the smallest class of size >= 8 g, or NO_CLASS when no class is that large
//   S7  the stats block agrees with the slabs (live blocks and bytes, footprint)

export const SLAB_ROOT_MAGIC = 0x62616c73; // "slab"
export const SLAB_MAGIC = 0x424c4153; // "SALB": a slab header

export const R_MAGIC = 0;
export const R_CLASSES = 1; // classes in use (indexes 0 .. R_CLASSES - 1)
export const R_LIMIT = 2; // largest size the table covers (a class may be added up to it)
export const R_RESERVE = 3; // empty slabs a cache keeps before giving slabs back to the pool
export const R_FLAGS = 4;
export const R_STATS = 5; // byte offset of the stats block
export const R_TABLE = 6; // byte offset of the size → class table
export const R_MAP = 7; // byte offset of the page map
export const R_MAP_FRAMES = 8; // frames the map covers
export const R_AREA = 9; // byte offset of the page pool's first frame (the map's frame 0)
export const R_FRAME_SHIFT = 10; // log2 of the pool's frame size
export const R_BYTES = 11; // bytes of the root run
export const R_LOCK = 12; // reserved for the sync layer
export const R_CLASS0 = 16;

export const F_COLOUR = 1; // colouring on

export const CLASS_WORDS = 16;
export const C_SIZE = 0; // object size in bytes
export const C_ALIGN = 1; // alignment every object of the class has (a power of two, >= 8)
export const C_SLAB_BYTES = 2; // bytes of one slab (whole frames)
export const C_CAPACITY = 3; // objects per slab
export const C_FIRST = 4; // offset of object 0 in an uncoloured slab (header + bitmap, aligned)
export const C_COLOURS = 5; // distinct colours (>= 1)
export const C_COLOUR_STEP = 6; // bytes between colours
export const C_NEXT_COLOUR = 7; // colour of the next new slab
export const C_PARTIAL = 8; // head of the partial list: the slab alloc() takes from
export const C_FULL = 9;
export const C_EMPTY = 10;
export const C_SLABS = 11; // slabs of this cache, on all three lists
export const C_EMPTY_COUNT = 12;

/** Class records a root has room for; the record after the last is the NO_CLASS sentinel. */
export const MAX_CLASSES = 120;
/**
 * Table value of a size no class serves: the index of an all-zero sentinel record, so the fast
 * path finds its partial list empty and goes to the slow path without a test of its own.
 */
export const NO_CLASS = MAX_CLASSES;
export const ROOT_WORDS = R_CLASS0 + (MAX_CLASSES + 1) * CLASS_WORDS;

export const L_PARTIAL = 1;
export const L_FULL = 2;
export const L_EMPTY = 3;

export const SH_MAGIC = 0;
export const SH_CLASS = 1;
export const SH_NEXT = 2;
export const SH_PREV = 3;
export const SH_LIST = 4;
export const SH_FREE = 5;
export const SH_BUMP = 6;
export const SH_INUSE = 7;
export const SH_FIRST = 8;
export const SH_OWNER = 9;
export const SH_REMOTE = 10;
export const SH_END = 11;
export const SH_BITMAP = 12;
export const HEADER_BYTES = SH_BITMAP * 4;

/** Bitmap bytes of a slab of `capacity` objects (whole u32 words). */
export const bitmapBytes = (capacity: number): number => Math.ceil(capacity / 32) * 4;

export const CACHE_LINE = 64;
/** Longest slab in frames: the page map stores (index in slab) + 1 in a byte. */
export const MAX_SLAB_FRAMES = 255;
/** Largest object size a table may cover. */
export const MAX_OBJECT_BYTES = 65536;
