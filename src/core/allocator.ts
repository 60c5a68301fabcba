import type { Ptr } from "./ptr.js";
import type { AllocatorStats } from "./stats.js";

/**
 * The typed views of one linear memory, as allocators and users see them. Implemented by
 * `Memory`; declared here so that `core` imports no other layer. A view may be replaced when the
 * memory grows (always for a WebAssembly.Memory, whose buffer detaches): read it from here after
 * anything that can grow, never keep one across such a call. `generation` increases whenever the
 * views are replaced.
 */
export interface MemoryViews {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly generation: number;
  /** Bytes currently addressable. */
  readonly byteLength: number;
}

export type AllocatorKind = "pages" | "region" | "pool" | "slab" | "buddy" | "heap" | "checked" | "recorder";

/**
 * The one interface every heapkit allocator implements. Every other operation (calloc, realloc,
 * allocOrThrow, typed-array views) is written once, over these members, in derived.ts.
 *
 * Contract, for all implementations:
 * - Pointers are byte offsets into `memory`; 0 is null and is never returned by a successful call.
 * - Running out returns 0 and leaves the allocator valid. It is not an exception.
 * - Misuse (bad size or alignment, a pointer this allocator did not return, a double free)
 *   throws a HeapError with a stable `code`, and leaves the allocator valid.
 * - All state lives in `memory`; the object is a handle, and another handle made by `attach` on
 *   the same memory (in this worker or another) sees the same heap.
 * - A capability a kind lacks is an answer (`false`, 0), never a missing method.
 */
export interface Allocator {
  readonly kind: AllocatorKind;
  readonly memory: MemoryViews;
  /** At least `size` bytes aligned to MIN_ALIGN, or 0 when out of memory. `size` 0 is valid and gets a real, unique block. */
  alloc(size: number): Ptr;
  /** Like `alloc`, aligned to `align` (a power of two); 0 if out of memory or the kind cannot align that far. */
  alignedAlloc(size: number, align: number): Ptr;
  /** Grows or shrinks the block in place. `false` means "would have to move", never an error. */
  resize(ptr: Ptr, newSize: number): boolean;
  /** Returns a block. `free(0)` does nothing. */
  free(ptr: Ptr): void;
  /** Bytes the caller may use at `ptr` (at least what was asked for). */
  usableSize(ptr: Ptr): number;
  /** A snapshot in the one stats shape shared by every allocator. */
  stats(): AllocatorStats;
  /** Validates all metadata; throws CorruptionError naming the first broken invariant. Terminates on any bytes. */
  check(): void;
}

/** A part of the memory an allocator uses for one purpose, for heap maps. */
export interface MapRegion {
  start: Ptr;
  bytes: number;
  /** What the region is, in a few words: "slab 24 B", "segregated fit", "huge block", "region chunk". */
  role: string;
  /** Bytes of it in caller blocks (the rest is free or metadata). */
  usedBytes: number;
}

/** Allocators that can describe their structure for heap maps implement this beside Allocator. */
export interface Mappable {
  mapRegions(): MapRegion[];
}

export const isMappable = (a: object): a is Mappable => typeof (a as Partial<Mappable>).mapRegions === "function";
