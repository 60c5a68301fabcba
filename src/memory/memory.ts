// One linear memory: a resizable ArrayBuffer, a growable SharedArrayBuffer or a WebAssembly.Memory,
// with the heapkit header at `base`, typed views that are refreshed whenever the buffer changes,
// and wholesale growth in exponential steps up to a maximum.
import type { MemoryViews } from "../core/allocator.js";
import { AttachError, invalidOption } from "../core/errors.js";
import { isSize, roundUp } from "../core/ptr.js";
import { validateHeader, writeHeader, writeWord } from "./header.js";
import { nextSize } from "./growth.js";
import {
  F_SHARED,
  F_WASM,
  GROW_GRANULE,
  HEADER_BYTES,
  H_FLAGS,
  H_GENERATION,
  H_GROWTH,
  H_MAXIMUM,
  H_PAGES_ROOT,
  H_SIZE,
  MAX_MEMORY,
} from "./layout.js";

/** The part of a WebAssembly.Memory heapkit uses (declared structurally: the library is typed without DOM or Node globals). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * What holds the bytes of a memory made by `Memory.create`.
 *
 * - "wasm" (default): a WebAssembly.Memory. It grows in place (V8 reserves its address space up
 *   front), and typed arrays over it are as fast as over a plain ArrayBuffer. Growth replaces
 *   the buffer, so views made by users go stale: `generation` and `onGrow` tell them. It cannot
 *   shrink.
 * - "resizable": a resizable ArrayBuffer. It can shrink (`trim` gives memory back), and
 *   length-tracking views never go stale; but in Node 20's V8 every typed-array access to it is
 *   about 2.5–4× slower than to a plain or wasm buffer (BENCHMARKS.md, "views"), which decides
 *   the default.
 * - With `shared`, a growable SharedArrayBuffer (fixed views over it are fast); "wasm" with
 *   `shared` makes a shared WebAssembly.Memory.
 */
export type Backing = "wasm" | "resizable";

/**
 * How typed views follow the buffer. "fixed": views of the current length, replaced after every
 * grow or shrink (measured faster in V8; see BENCHMARKS.md, "views"). "tracking": length-tracking
 * views over a resizable buffer, never replaced on grow. A WebAssembly.Memory always uses "fixed".
 */
export type ViewMode = "fixed" | "tracking";

export interface MemoryOpts {
  /**
   * Initial byte length, rounded up to 64 KiB.
   * @defaultValue 1 MiB
   */
  initial?: number;
  /**
   * Largest byte length the memory may grow to (at most 4 GiB − 64 KiB). A resizable buffer
   * reserves this much address space, not memory.
   * @defaultValue 1 GiB
   */
  maximum?: number;
  /**
   * Back the memory with a growable SharedArrayBuffer, for use from several workers.
   * @defaultValue false
   */
  shared?: boolean;
  /**
   * Each grow multiplies the length by at least this factor (between 1 and 16).
   * @defaultValue 2
   */
  growth?: number;
  /**
   * Byte offset of the header; nothing below it is touched. Tests use a base above 2^31 to make
   * every layer run on pointers that come out negative under JS's signed bitwise operators.
   * @defaultValue 0
   */
  base?: number;
  /** @defaultValue "wasm", or a growable SharedArrayBuffer when `shared` */
  backing?: Backing;
  /** Only for a "resizable" backing. @defaultValue "fixed" */
  views?: ViewMode;
}

export interface WasmOpts {
  /**
   * Byte offset from which heapkit manages the module's memory (above the module's own data and
   * stack), rounded up to 8. @defaultValue 0
   */
  base?: number;
  /**
   * Largest byte length heapkit grows the memory to (the module's own maximum still applies).
   * @defaultValue 4 GiB − 64 KiB
   */
  maximum?: number;
  /** @defaultValue 2 */
  growth?: number;
}

export type GrowListener = (memory: Memory) => void;

type Holder = "array" | "shared" | "wasm";

const MiB = 1 << 20;

export class Memory implements MemoryViews {
  /** Byte offset of the header. Every pointer of this memory is above it. */
  readonly base: number;
  /** What holds the bytes: a resizable ArrayBuffer, a growable SharedArrayBuffer or a WebAssembly.Memory. */
  readonly backing: Holder;
  private readonly wasm: WasmMemory | undefined;
  private readonly mode: ViewMode;
  /** True for an unshared WebAssembly.Memory: growth (by anyone) detaches its old buffer. */
  private readonly detaches: boolean;
  private listeners: GrowListener[] = [];

  buffer!: ArrayBuffer | SharedArrayBuffer;
  u8!: Uint8Array;
  i8!: Int8Array;
  u16!: Uint16Array;
  i16!: Int16Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  /** Incremented each time this handle replaces its views: a user's own view made before is stale when this changes. */
  generation = 0;

  private constructor(buffer: ArrayBuffer | SharedArrayBuffer, base: number, backing: Holder, mode: ViewMode, wasm?: WasmMemory) {
    this.base = base;
    this.backing = backing;
    this.mode = backing === "wasm" ? "fixed" : mode;
    this.wasm = wasm;
    this.detaches = wasm !== undefined && !isShared(buffer);
    this.setViews(buffer);
    this.generation = 0;
  }

  /** A new memory over a resizable ArrayBuffer, or a growable SharedArrayBuffer when `shared`. */
  static create(opts: MemoryOpts = {}): Memory {
    const base = opts.base ?? 0;
    const maximum = opts.maximum ?? Math.max(1024 * MiB, roundUp(base, GROW_GRANULE) + 64 * MiB);
    const growth = opts.growth ?? 2;
    checkBase(base);
    if (!isSize(maximum) || maximum > MAX_MEMORY || maximum < base + GROW_GRANULE) {
      invalidOption("maximum", maximum, `an integer in [base + 64 KiB, ${MAX_MEMORY}]`);
    }
    const initialAsked = opts.initial ?? Math.min(MiB, maximum);
    if (!isSize(initialAsked) || initialAsked > maximum) invalidOption("initial", initialAsked, `an integer in [0, maximum = ${maximum}]`);
    checkGrowth(growth);
    const max = roundUp(maximum, GROW_GRANULE) > MAX_MEMORY ? MAX_MEMORY : roundUp(maximum, GROW_GRANULE);
    const initial = Math.min(max, roundUp(Math.max(initialAsked, base + HEADER_BYTES), GROW_GRANULE));
    const backing = opts.backing ?? (opts.shared ? undefined : "wasm");
    if (backing !== undefined && backing !== "wasm" && backing !== "resizable") invalidOption("backing", backing, '"wasm" or "resizable"');
    const mode = opts.views ?? "fixed";
    if (mode !== "fixed" && mode !== "tracking") invalidOption("views", mode, '"fixed" or "tracking"');
    if (mode === "tracking" && backing !== "resizable") invalidOption("views", mode, '"fixed" unless the backing is "resizable"');
    let m: Memory;
    const W = wasmApi();
    if (backing === "wasm" && W) {
      const wasm = new W.Memory({ initial: initial / GROW_GRANULE, maximum: max / GROW_GRANULE, shared: opts.shared === true });
      m = new Memory(wasm.buffer, base, "wasm", "fixed", wasm);
    } else if (opts.shared) {
      m = new Memory(new SharedArrayBuffer(initial, { maxByteLength: max }), base, "shared", "fixed");
    } else {
      m = new Memory(new ArrayBuffer(initial, { maxByteLength: max }), base, "array", mode); // no WebAssembly here: resizable
    }
    m.format(max, growth, (opts.shared ? F_SHARED : 0) | (m.backing === "wasm" ? F_WASM : 0));
    return m;
  }

  /**
   * heapkit manages `memory` from `base` up, so it can share a module's memory above the module's
   * own data. Growing detaches the module's buffer: heapkit refreshes its views, increments
   * `generation` and calls `onGrow` listeners.
   */
  static fromWasm(memory: WasmMemory, opts: WasmOpts = {}): Memory {
    const base = roundUp(opts.base ?? 0, 8);
    checkBase(base);
    const maximum = opts.maximum ?? MAX_MEMORY;
    if (!isSize(maximum) || maximum > MAX_MEMORY) invalidOption("maximum", maximum, `an integer up to ${MAX_MEMORY}`);
    const growth = opts.growth ?? 2;
    checkGrowth(growth);
    const m = new Memory(memory.buffer, base, "wasm", "fixed", memory);
    if (m.buffer.byteLength < base + HEADER_BYTES && !m.growTo(base + HEADER_BYTES)) {
      invalidOption("base", base, "an offset the memory can hold a header at");
    }
    m.format(Math.max(Math.floor(maximum / GROW_GRANULE) * GROW_GRANULE, m.buffer.byteLength), growth, F_WASM | (isShared(memory.buffer) ? F_SHARED : 0));
    return m;
  }

  /**
   * Re-opens a memory formatted earlier: a resizable ArrayBuffer, a growable SharedArrayBuffer or
   * a WebAssembly.Memory is attached in place (another worker, the same heap). Saved bytes (a
   * fixed-length ArrayBuffer or a Uint8Array) are validated, then copied into a new resizable
   * buffer with the recorded maximum. A foreign buffer, another version, a damaged header or a
   * truncated copy throws AttachError with its own code, and no byte of the input is changed.
   */
  static attach(source: ArrayBuffer | SharedArrayBuffer | Uint8Array | WasmMemory, opts: { base?: number } = {}): Memory {
    const base = opts.base ?? 0;
    if (isWasmMemory(source)) {
      validateHeader(source.buffer, base);
      return new Memory(source.buffer, base, "wasm", "fixed", source);
    }
    let buffer: ArrayBufferLike;
    if (ArrayBuffer.isView(source)) {
      buffer = source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength);
    } else {
      buffer = source;
    }
    validateHeader(buffer, base);
    const maximum = new Uint32Array(buffer, base, 16)[H_MAXIMUM];
    if (isShared(buffer)) {
      if (!(buffer as SharedArrayBuffer).growable) throw new AttachError("ERR_HEAP_BAD_FORMAT", "a SharedArrayBuffer memory must be growable");
      return new Memory(buffer as SharedArrayBuffer, base, "shared", "fixed");
    }
    const ab = buffer as ArrayBuffer;
    if (ab.resizable) return new Memory(ab, base, "array", "fixed");
    // Saved bytes: copied into a fresh memory of the default backing, which may grow to the recorded maximum.
    const W = wasmApi();
    const max = Math.max(maximum, ab.byteLength);
    if (W) {
      const wasm = new W.Memory({ initial: Math.ceil(ab.byteLength / GROW_GRANULE), maximum: Math.ceil(max / GROW_GRANULE) });
      new Uint8Array(wasm.buffer).set(new Uint8Array(ab));
      return new Memory(wasm.buffer, base, "wasm", "fixed", wasm);
    }
    const copy = new ArrayBuffer(ab.byteLength, { maxByteLength: max });
    new Uint8Array(copy).set(new Uint8Array(ab));
    return new Memory(copy, base, "array", "fixed");
  }

  /** The WebAssembly.Memory holding the bytes, for a module to import; undefined for other backings. */
  get wasmMemory(): WasmMemory | undefined {
    return this.wasm;
  }

  /** Bytes currently addressable through the views. */
  get byteLength(): number {
    return this.u8.length;
  }

  /** Largest byte length the memory may grow to. */
  get maximum(): number {
    return this.u32[(this.base >>> 2) + H_MAXIMUM];
  }

  get shared(): boolean {
    return (this.u32[(this.base >>> 2) + H_FLAGS] & F_SHARED) !== 0;
  }

  /** Byte offset of the page pool's root, 0 before a pool is created on this memory. */
  get pagesRoot(): number {
    return this.u32[(this.base >>> 2) + H_PAGES_ROOT];
  }

  set pagesRoot(root: number) {
    writeWord(this.u32, this.base, H_PAGES_ROOT, root);
  }

  /** First byte after the header: where the layers above may put their own structures. */
  get dataStart(): number {
    return this.base + HEADER_BYTES;
  }

  /**
   * Makes at least `extra` more bytes addressable: grows wholesale, by the growth factor, capped
   * at the maximum. Returns false, changing nothing, when even `extra` does not fit.
   */
  grow(extra: number): boolean {
    this.refresh();
    const current = this.buffer.byteLength;
    const target = nextSize(current, extra, this.u32[(this.base >>> 2) + H_GROWTH] / 256, this.maximum);
    if (target === 0) return false;
    if (this.growTo(target)) return true;
    // The platform refused the stepped size (a module's own maximum): try exactly what is needed.
    const needed = roundUp(current + extra, GROW_GRANULE);
    return needed < target && this.growTo(needed);
  }

  /** Grows, if needed, so that `byteLength` bytes are addressable. */
  ensure(byteLength: number): boolean {
    this.refresh();
    return byteLength <= this.buffer.byteLength || this.grow(byteLength - this.buffer.byteLength);
  }

  /**
   * Gives memory back to the platform: the buffer shrinks to `byteLength` (rounded up to 64 KiB).
   * Only a resizable ArrayBuffer can shrink; elsewhere, and below the header, this returns false.
   */
  shrink(byteLength: number): boolean {
    if (this.backing !== "array") return false;
    const target = roundUp(Math.max(byteLength, this.base + HEADER_BYTES), GROW_GRANULE);
    const ab = this.buffer as ArrayBuffer;
    if (target >= ab.byteLength) return false;
    ab.resize(target);
    this.afterResize(target);
    return true;
  }

  /**
   * Picks up growth done elsewhere: another worker grew the SharedArrayBuffer, or the module grew
   * its WebAssembly.Memory. Returns true when the views were replaced. Cheap: allocators call it
   * on their slow paths.
   */
  refresh(): boolean {
    // A grow of an unshared WebAssembly.Memory detaches the old buffer, whose views then read
    // length 0: views with bytes are current, and the costly \`.buffer\` getter is skipped.
    if (this.detaches && this.u8.length !== 0) return false;
    const buffer = this.wasm ? this.wasm.buffer : this.buffer;
    if (buffer === this.buffer && buffer.byteLength === this.u8.length) return false;
    if (this.mode === "tracking" && buffer === this.buffer && this.backing !== "wasm") return false;
    this.setViews(buffer);
    this.notify();
    return true;
  }

  /** Calls `listener` after every change of this handle's views; returns a function that unsubscribes. */
  onGrow(listener: GrowListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** A copy of the bytes in use, which `Memory.attach` re-opens. */
  save(): Uint8Array {
    return this.u8.slice(0, this.u32[(this.base >>> 2) + H_SIZE]);
  }

  /** Validates the header (MH1–MH3); throws AttachError with the code of what is wrong. */
  checkHeader(): void {
    validateHeader(this.buffer, this.base);
  }

  private growTo(target: number): boolean {
    const current = this.buffer.byteLength;
    try {
      if (this.wasm) {
        this.wasm.grow((target - current) / GROW_GRANULE);
      } else if (this.backing === "shared") {
        (this.buffer as SharedArrayBuffer).grow(target);
      } else {
        (this.buffer as ArrayBuffer).resize(target);
      }
    } catch {
      return false; // RangeError: the platform or the module's maximum refused; running out is an answer
    }
    this.afterResize(target);
    return true;
  }

  private afterResize(size: number): void {
    const buffer = this.wasm ? this.wasm.buffer : this.buffer;
    if (this.mode === "fixed" || buffer !== this.buffer) this.setViews(buffer);
    if (this.u32[(this.base >>> 2) + H_SIZE] !== 0) {
      writeWord(this.u32, this.base, H_SIZE, size);
      writeWord(this.u32, this.base, H_GENERATION, (this.u32[(this.base >>> 2) + H_GENERATION] + 1) >>> 0);
    }
    this.notify();
  }

  private format(maximum: number, growth: number, flags: number): void {
    writeHeader(this.u32, this.base, {
      [H_SIZE]: this.buffer.byteLength,
      [H_MAXIMUM]: maximum,
      [H_GROWTH]: Math.round(growth * 256),
      [H_FLAGS]: flags,
    });
  }

  private setViews(buffer: ArrayBuffer | SharedArrayBuffer): void {
    const len = this.mode === "fixed" ? buffer.byteLength : undefined;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer, 0, len);
    this.i8 = new Int8Array(buffer, 0, len);
    this.u16 = new Uint16Array(buffer, 0, len === undefined ? undefined : len >>> 1);
    this.i16 = new Int16Array(buffer, 0, len === undefined ? undefined : len >>> 1);
    this.u32 = new Uint32Array(buffer, 0, len === undefined ? undefined : len >>> 2);
    this.i32 = new Int32Array(buffer, 0, len === undefined ? undefined : len >>> 2);
    this.f32 = new Float32Array(buffer, 0, len === undefined ? undefined : len >>> 2);
    this.f64 = new Float64Array(buffer, 0, len === undefined ? undefined : len >>> 3);
    this.generation++;
  }

  private notify(): void {
    for (const l of this.listeners) l(this);
  }
}

function isShared(b: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer;
}

function isWasmMemory(x: unknown): x is WasmMemory {
  const W = (globalThis as { WebAssembly?: { Memory?: new (...a: never[]) => unknown } }).WebAssembly;
  return W?.Memory !== undefined && x instanceof W.Memory;
}

function checkBase(base: number): void {
  if (!isSize(base) || base % 8 !== 0 || base > MAX_MEMORY - GROW_GRANULE) invalidOption("base", base, "a multiple of 8 below the maximum");
}

function checkGrowth(growth: number): void {
  if (typeof growth !== "number" || !(growth >= 1 && growth <= 16)) invalidOption("growth", growth, "a number in [1, 16]");
}
