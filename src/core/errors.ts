import { hex, type Ptr } from "./ptr.js";

/**
 * Stable error codes. Tests and users match on these, never on message text, so a code is never
 * renamed or reused; a new situation gets a new code.
 */
export type HeapErrorCode =
  | "ERR_HEAP_INVALID_SIZE"
  | "ERR_HEAP_INVALID_ALIGNMENT"
  | "ERR_HEAP_INVALID_POINTER"
  | "ERR_HEAP_DOUBLE_FREE"
  | "ERR_HEAP_OUT_OF_MEMORY"
  | "ERR_HEAP_CORRUPTED"
  | "ERR_HEAP_BAD_FORMAT"
  | "ERR_HEAP_VERSION_MISMATCH"
  | "ERR_HEAP_TRUNCATED"
  | "ERR_HEAP_INVALID_OPTION"
  | "ERR_HEAP_INVALID_MARK"
  | "ERR_HEAP_INVALID_STATE"
  | "ERR_HEAP_BAD_TRACE";

/** Base of every error heapkit throws. The structure that threw is still valid when one reaches the caller. */
export class HeapError extends Error {
  readonly code: HeapErrorCode;
  /** The size, alignment or pointer the error is about, if any. */
  readonly value: number | undefined;

  constructor(code: HeapErrorCode, message: string, value?: number) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.value = value;
  }
}

export class InvalidSizeError extends HeapError {}
export class InvalidAlignmentError extends HeapError {}
export class InvalidPointerError extends HeapError {}
export class DoubleFreeError extends InvalidPointerError {}
export class OutOfMemoryError extends HeapError {}
export class CorruptionError extends HeapError {}
export class AttachError extends HeapError {}
export class InvalidOptionError extends HeapError {}
export class InvalidMarkError extends HeapError {}
/** An operation that the object's current state forbids, such as using a destroyed region. */
export class InvalidStateError extends HeapError {}

// Throw helpers: `never`-returning functions rather than inline `throw`s, so message formatting
// stays out of the hot functions that call them, and each message is written once.

const show = (x: unknown): string => (typeof x === "bigint" ? `${x}n` : typeof x === "string" ? JSON.stringify(x) : String(x));
const asNumber = (x: unknown): number | undefined => (typeof x === "number" ? x : undefined);

export function invalidSize(size: unknown, max?: number): never {
  const limit = max === undefined ? "an integer in [0, 2^32 - 1]" : `an integer in [0, ${max}]`;
  throw new InvalidSizeError("ERR_HEAP_INVALID_SIZE", `invalid size ${show(size)}: expected ${limit}`, asNumber(size));
}

export function invalidAlignment(align: unknown, max?: number): never {
  const limit = max === undefined ? "a power of two" : `a power of two up to ${max}`;
  throw new InvalidAlignmentError("ERR_HEAP_INVALID_ALIGNMENT", `invalid alignment ${show(align)}: expected ${limit}`, asNumber(align));
}

export function invalidPointer(ptr: unknown, why: string): never {
  const p = typeof ptr === "number" && ptr >>> 0 === ptr ? hex(ptr) : show(ptr);
  throw new InvalidPointerError("ERR_HEAP_INVALID_POINTER", `invalid pointer ${p}: ${why}`, asNumber(ptr));
}

export function doubleFree(ptr: Ptr): never {
  throw new DoubleFreeError("ERR_HEAP_DOUBLE_FREE", `double free of ${hex(ptr)}`, ptr);
}

export function outOfMemory(size: number, what = "allocation"): never {
  throw new OutOfMemoryError("ERR_HEAP_OUT_OF_MEMORY", `out of memory: ${what} of ${size} bytes cannot be met within the maximum`, size);
}

export function corrupted(invariant: string, at: Ptr): never {
  throw new CorruptionError("ERR_HEAP_CORRUPTED", `heap corrupted at ${hex(at)}: ${invariant}`, at);
}

export function invalidOption(name: string, value: unknown, expected: string): never {
  throw new InvalidOptionError("ERR_HEAP_INVALID_OPTION", `invalid option ${name} = ${show(value)}: expected ${expected}`, asNumber(value));
}

export function invalidState(what: string): never {
  throw new InvalidStateError("ERR_HEAP_INVALID_STATE", what);
}
