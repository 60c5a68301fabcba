// Operations written once over the Allocator interface, for every kind.
import type { Allocator } from "./allocator.js";
import { invalidSize, outOfMemory } from "./errors.js";
import { NULL, isSize, type Ptr } from "./ptr.js";

/** `alloc`, but running out throws OutOfMemoryError instead of returning 0. */
export function allocOrThrow(a: Allocator, size: number): Ptr {
  const p = a.alloc(size);
  if (p === NULL) outOfMemory(size);
  return p;
}

/** `alignedAlloc`, but running out throws OutOfMemoryError instead of returning 0. */
export function alignedAllocOrThrow(a: Allocator, size: number, align: number): Ptr {
  const p = a.alignedAlloc(size, align);
  if (p === NULL) outOfMemory(size, `allocation aligned to ${align}`);
  return p;
}

/**
 * C's realloc for every allocator: in place if possible, else allocate, copy, free. A null `ptr`
 * acts as alloc. Out of memory returns 0 and leaves `ptr` live and untouched.
 */
export function realloc(a: Allocator, ptr: Ptr, size: number): Ptr {
  if (ptr === NULL) return a.alloc(size);
  if (a.resize(ptr, size)) return ptr;
  const keep = Math.min(a.usableSize(ptr), size);
  const moved = a.alloc(size);
  if (moved === NULL) return NULL;
  a.memory.u8.copyWithin(moved, ptr, ptr + keep); // read the view after alloc: it may have grown the memory
  a.free(ptr);
  return moved;
}

/** Bytes of `count` elements of `size` bytes, or an InvalidSizeError when the product passes 2^32 - 1. */
export function arrayBytes(count: number, size: number): number {
  if (!isSize(count)) invalidSize(count);
  if (!isSize(size)) invalidSize(size);
  const bytes = count * size; // exact: both factors are below 2^32, so the product is below 2^64 and compared, not wrapped
  if (bytes > 0xffff_ffff) invalidSize(bytes);
  return bytes;
}

/** C's calloc: `count * size` zeroed bytes (overflow-checked), or 0 when out of memory. */
export function calloc(a: Allocator, count: number, size: number): Ptr {
  const bytes = arrayBytes(count, size);
  const p = a.alloc(bytes);
  if (p !== NULL) a.memory.u8.fill(0, p, p + bytes);
  return p;
}

export type ElementType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64" | "u64" | "i64";

export type TypedArrayOf<T extends ElementType> = {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
}[T];

const CTOR = {
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u64: BigUint64Array,
  i64: BigInt64Array,
} as const;

/**
 * A typed array of `count` elements over the block at `ptr` (which must hold them). The array is
 * a view into the allocator's memory: it goes stale when that memory's buffer is replaced (a
 * WebAssembly.Memory grows); compare `memory.generation` or call `view` again after growth.
 */
export function view<T extends ElementType>(a: Allocator, type: T, ptr: Ptr, count: number): TypedArrayOf<T> {
  const C = CTOR[type];
  return new C(a.memory.u8.buffer as ArrayBuffer, ptr, count) as TypedArrayOf<T>;
}

/** Allocates `count` elements of `type` (aligned to the element size, at least 8) and returns a typed array over them, or undefined when out of memory. */
export function allocArray<T extends ElementType>(a: Allocator, type: T, count: number, zero = false): TypedArrayOf<T> | undefined {
  const bytes = arrayBytes(count, CTOR[type].BYTES_PER_ELEMENT);
  const p = a.alloc(bytes);
  if (p === NULL) return undefined;
  if (zero) a.memory.u8.fill(0, p, p + bytes);
  return view(a, type, p, count);
}
