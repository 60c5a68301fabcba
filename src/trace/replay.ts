// Replay: runs a trace's operations on an Allocator, the way the malloc-lab driver does, with the
// checks and measurements the CLI and the benchmarks need.
//
//   a → alloc, m → alignedAlloc, r → realloc (the allocator's own if it has one, else the derived
//   one in core/derived.ts), f → free
//
// The id → pointer and id → size tables are typed arrays indexed by id (ids are dense: see
// TRACE_MAX_ID), and the loop allocates nothing per operation, so that what a benchmark measures is
// the allocator. Invariants between operations:
//   Y1  ptr[id] !== 0 exactly when the block `id` is live in the allocator
//   Y2  size[id] is the size last requested for a live id; `requested` is their sum
//   Y3  with `verify`, every live block holds pattern(seed[id]) over its first size[id] bytes
// An allocation that returns 0 is a failure, not an error: the id stays not live, and its later
// `f` is skipped (counted in `skipped`) and its later `r` allocates afresh, as C's
// realloc(NULL, n) would. A failed realloc leaves the block where it was, as C's does.
import type { Allocator } from "../core/allocator.js";
import { realloc as derivedRealloc } from "../core/derived.js";
import { corrupted, invalidOption } from "../core/errors.js";
import { NULL, type Ptr } from "../core/ptr.js";
import type { AllocatorStats } from "../core/stats.js";
import { OP_ALIGNED, OP_ALLOC, OP_FREE, TRACE_MAX_ID, TraceOps, type TraceSource } from "./format.js";
import { badTrace, batchesOf, growU32 } from "./internal.js";

export interface ReplayOptions {
  /** Call allocator.check() every this many operations, and once at the end. 0: never. @defaultValue 0 */
  checkEvery?: number;
  /**
   * Fill every block with a pattern derived from its id and allocation, and verify it on free,
   * after a realloc (the kept bytes) and at the end: catches blocks that overlap or a realloc
   * that loses bytes. Costs a pass over every byte allocated. @defaultValue false
   */
  verify?: boolean;
  /** Called every `progressEvery` operations with the number done. */
  onProgress?: (opsDone: number) => void;
  /** @defaultValue 65536 */
  progressEvery?: number;
  /** Sample the allocator's stats every this many operations (and after the last). 0: never. @defaultValue 0 */
  sampleEvery?: number;
  /** Stop after this many operations, leaving the allocator as it is then (for a heap map). @defaultValue no limit */
  stopAt?: number;
  /** On an allocation that returns 0: count it and go on, or stop there. @defaultValue "continue" */
  onFailure?: "continue" | "stop";
}

/** Stats over time, one entry per sample (columns, for charts). */
export interface ReplaySamples {
  /** Operations done when the sample was taken. */
  op: Float64Array;
  liveBytes: Float64Array;
  requestedBytes: Float64Array;
  footprintBytes: Float64Array;
}

export interface ReplayResult {
  /** Operations performed (failures and skips included). */
  ops: number;
  allocs: number;
  reallocs: number;
  frees: number;
  /** Allocations and reallocs that returned 0. */
  failures: number;
  /** Frees of ids whose allocation had failed: nothing to free. */
  skipped: number;
  /** True when replay stopped early (stopAt, or a failure with onFailure "stop"). */
  stopped: boolean;
  /** Largest sum of requested sizes of the live blocks: what an ideal allocator would need at its peak. */
  peakRequestedBytes: number;
  peakLiveBlocks: number;
  /** Blocks still live at the end (a balanced trace leaves none, unless replay stopped early). */
  liveBlocks: number;
  requestedBytes: number;
  /** The allocator's stats after the last operation. */
  stats: AllocatorStats;
  samples: ReplaySamples | undefined;
}

interface Reallocating {
  realloc(ptr: Ptr, size: number): Ptr;
}

// Y3's pattern: word k of a block with seed s is mix(s, k); byte j is byte (j & 3) of word j >>> 2
// in the platform's byte order, so word and byte accesses agree on any engine.
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const word = (seed: number, k: number): number => (Math.imul(seed, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca77)) >>> 0;
const byteOf = (seed: number, j: number): number => (word(seed, j >>> 2) >>> ((LITTLE ? j & 3 : 3 - (j & 3)) * 8)) & 0xff;

/**
 * A replay in progress, fed batch by batch: for traces streamed from a file, and for callers that
 * want to look at the allocator between batches. replay() and replayAsync() drive one.
 */
export class Replayer {
  readonly allocator: Allocator;
  private readonly own: Reallocating | undefined;
  private readonly verify: boolean;
  private readonly checkEvery: number;
  private readonly sampleEvery: number;
  private readonly progressEvery: number;
  private readonly onProgress: ((opsDone: number) => void) | undefined;
  private readonly stopAt: number;
  private readonly stopOnFailure: boolean;
  // Y1–Y3
  private ptr = new Uint32Array(1024);
  private size = new Uint32Array(1024);
  private seed = new Uint32Array(1024);
  private serial = 0;
  private done = 0;
  private nextEvent = 0; // the next op count at which check, sample, progress or stop is due
  private allocs = 0;
  private reallocs = 0;
  private frees = 0;
  private failures = 0;
  private skipped = 0;
  private stopped = false;
  private live = 0;
  private peakLive = 0;
  private requested = 0;
  private peakRequested = 0;
  private samples: Float64Array[] = [new Float64Array(64), new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  private sampleCount = 0;

  constructor(allocator: Allocator, opts: ReplayOptions = {}) {
    const nat = (name: string, v: number | undefined, dflt: number): number => {
      const x = v ?? dflt;
      if (!(Number.isInteger(x) && x >= 0) && x !== Infinity) invalidOption(name, x, "a non-negative integer");
      return x;
    };
    this.allocator = allocator;
    const r = (allocator as Partial<Reallocating>).realloc;
    this.own = typeof r === "function" ? (allocator as unknown as Reallocating) : undefined;
    this.verify = opts.verify ?? false;
    this.checkEvery = nat("checkEvery", opts.checkEvery, 0);
    this.sampleEvery = nat("sampleEvery", opts.sampleEvery, 0);
    this.progressEvery = nat("progressEvery", opts.progressEvery, 65536);
    this.onProgress = opts.onProgress;
    this.stopAt = nat("stopAt", opts.stopAt, Infinity);
    this.stopOnFailure = (opts.onFailure ?? "continue") === "stop";
    this.nextEvent = this.following(0);
  }

  /** Operations done so far. */
  get opsDone(): number {
    return this.done;
  }

  /** True once replay has stopped early; later batches are ignored. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** The pointer of the live block `id`, or 0. */
  ptrOf(id: number): Ptr {
    return id < this.ptr.length ? this.ptr[id] : NULL;
  }

  /** Requested size of the live block `id` (0 if not live). */
  sizeOf(id: number): number {
    return id < this.ptr.length && this.ptr[id] !== NULL ? this.size[id] : 0;
  }

  /** The live blocks as columns, in id order: for heap maps. */
  liveBlocks(): { id: Uint32Array; ptr: Uint32Array; size: Uint32Array } {
    const n = this.live;
    const out = { id: new Uint32Array(n), ptr: new Uint32Array(n), size: new Uint32Array(n) };
    for (let id = 0, k = 0; id < this.ptr.length && k < n; id++) {
      if (this.ptr[id] === NULL) continue;
      out.id[k] = id;
      out.ptr[k] = this.ptr[id];
      out.size[k++] = this.size[id];
    }
    return out;
  }

  /** Runs the operations of `batch`. Returns false once replay has stopped (stopAt, or a failure with onFailure "stop"). */
  feed(batch: TraceOps): boolean {
    const a = this.allocator;
    const own = this.own;
    const verify = this.verify;
    const n = batch.length;
    const ops = batch.op;
    const ids = batch.id;
    const sizes = batch.size;
    for (let i = 0; i < n; i++) {
      if (this.done === this.nextEvent && this.event()) return false;
      const op = ops[i];
      const id = ids[i];
      if (id >= this.ptr.length) this.growTables(id);
      const old = this.ptr[id];
      this.done++;
      if (op === OP_FREE) {
        if (old === NULL) {
          this.skipped++;
          continue;
        }
        if (verify) this.verifyBlock(old, 0, this.size[id], this.seed[id], "free", id);
        a.free(old);
        this.ptr[id] = NULL;
        this.frees++;
        this.live--;
        this.requested -= this.size[id];
        continue;
      }
      const size = sizes[i];
      let p: Ptr;
      if (op === OP_ALLOC || op === OP_ALIGNED) {
        if (old !== NULL) this.liveAlloc(id);
        p = op === OP_ALLOC ? a.alloc(size) : a.alignedAlloc(size, batch.align[i]);
        this.allocs++;
      } else {
        p = own !== undefined ? own.realloc(old, size) : derivedRealloc(a, old, size);
        this.reallocs++;
      }
      if (p === NULL) {
        this.failures++;
        if (this.stopOnFailure) {
          this.stopped = true;
          return false;
        }
        continue;
      }
      this.ptr[id] = p;
      if (old === NULL) {
        this.size[id] = size;
        if (++this.live > this.peakLive) this.peakLive = this.live;
        this.requested += size;
        if (verify) this.fillBlock(p, 0, size, (this.seed[id] = ++this.serial));
      } else {
        const before = this.size[id];
        this.size[id] = size;
        this.requested += size - before;
        if (verify) this.reverify(p, before, size, id);
      }
      if (this.requested > this.peakRequested) this.peakRequested = this.requested;
    }
    return true;
  }

  /** Ends the replay: the final check, sample and verification, and the result. */
  finish(): ReplayResult {
    if (this.checkEvery > 0) this.allocator.check();
    if (this.onProgress !== undefined) this.onProgress(this.done);
    if (this.sampleEvery > 0 && (this.sampleCount === 0 || this.samples[0][this.sampleCount - 1] !== this.done)) this.sample();
    if (this.verify) {
      for (let id = 0; id < this.ptr.length; id++) {
        if (this.ptr[id] !== NULL) this.verifyBlock(this.ptr[id], 0, this.size[id], this.seed[id], "end", id);
      }
    }
    const k = this.sampleCount;
    const [op, liveBytes, requestedBytes, footprintBytes] = this.samples.map((col) => col.slice(0, k));
    return {
      ops: this.done,
      allocs: this.allocs,
      reallocs: this.reallocs,
      frees: this.frees,
      failures: this.failures,
      skipped: this.skipped,
      stopped: this.stopped,
      peakRequestedBytes: this.peakRequested,
      peakLiveBlocks: this.peakLive,
      liveBlocks: this.live,
      requestedBytes: this.requested,
      stats: this.allocator.stats(),
      samples: this.sampleEvery > 0 ? { op, liveBytes, requestedBytes, footprintBytes } : undefined,
    };
  }

  /** The op count of the next due event after `done`. */
  private following(done: number): number {
    let next = this.stopAt;
    const every = (k: number): void => {
      if (k > 0) next = Math.min(next, (Math.floor(done / k) + 1) * k);
    };
    every(this.checkEvery);
    every(this.sampleEvery);
    if (this.onProgress !== undefined) every(this.progressEvery);
    return next;
  }

  /** Whatever is due at this op count (not in the loop, so the loop stays small). Returns true to stop. */
  private event(): boolean {
    const done = this.done;
    if (done >= this.stopAt) {
      this.stopped = true;
      return true;
    }
    if (done > 0) {
      if (this.checkEvery > 0 && done % this.checkEvery === 0) this.allocator.check();
      if (this.sampleEvery > 0 && done % this.sampleEvery === 0) this.sample();
      if (this.onProgress !== undefined && this.progressEvery > 0 && done % this.progressEvery === 0) this.onProgress(done);
    }
    this.nextEvent = this.following(done);
    return false;
  }

  private sample(): void {
    const k = this.sampleCount;
    if (k === this.samples[0].length) {
      this.samples = this.samples.map((col) => {
        const b = new Float64Array(k * 2);
        b.set(col);
        return b;
      });
    }
    const s = this.allocator.stats();
    this.samples[0][k] = this.done;
    this.samples[1][k] = s.liveBytes.current;
    this.samples[2][k] = s.requestedBytes.current;
    this.samples[3][k] = s.footprintBytes.current;
    this.sampleCount = k + 1;
  }

  private growTables(id: number): void {
    if (id > TRACE_MAX_ID) badTrace(0, `op ${this.done + 1}: id ${id} is above ${TRACE_MAX_ID}`, "", id);
    this.ptr = growU32(this.ptr, id + 1);
    this.size = growU32(this.size, id + 1);
    this.seed = growU32(this.seed, id + 1);
  }

  private liveAlloc(id: number): never {
    badTrace(0, `op ${this.done}: alloc of id ${id}, which is still live (not a valid trace: parse it with parseTrace)`, "", id);
  }

  /** After a realloc from `before` to `size` bytes: the kept bytes must have survived (Y3), the new ones get the pattern. */
  private reverify(p: Ptr, before: number, size: number, id: number): void {
    const seed = this.seed[id];
    this.verifyBlock(p, 0, Math.min(before, size), seed, "realloc", id);
    if (size > before) this.fillBlock(p, before, size, seed);
  }

  /** Writes the pattern of `seed` over bytes [from, to) of the block at p. */
  private fillBlock(p: Ptr, from: number, to: number, seed: number): void {
    const u8 = this.allocator.memory.u8; // read after the allocation: it may have grown the memory
    const u32 = this.allocator.memory.u32;
    let j = from;
    for (; j < to && (j & 3) !== 0; j++) u8[p + j] = byteOf(seed, j);
    const w = p >>> 2; // p is 8-aligned (MIN_ALIGN), so word k of the block is u32[w + k]
    for (; j + 4 <= to; j += 4) u32[w + (j >>> 2)] = word(seed, j >>> 2);
    for (; j < to; j++) u8[p + j] = byteOf(seed, j);
  }

  private verifyBlock(p: Ptr, from: number, to: number, seed: number, when: string, id: number): void {
    const u8 = this.allocator.memory.u8;
    const u32 = this.allocator.memory.u32;
    const w = p >>> 2;
    let j = from;
    let bad = -1;
    for (; j < to && (j & 3) !== 0 && bad < 0; j++) if (u8[p + j] !== byteOf(seed, j)) bad = j;
    for (; j + 4 <= to && bad < 0; j += 4) if (u32[w + (j >>> 2)] !== word(seed, j >>> 2)) bad = j;
    for (; j < to && bad < 0; j++) if (u8[p + j] !== byteOf(seed, j)) bad = j;
    if (bad >= 0) {
      corrupted(`replay op ${this.done}, ${when} of id ${id}: the block's contents changed at byte ${bad}; another block overlaps it, or a realloc lost bytes`, p + bad);
    }
  }
}

/** Runs `trace` on `allocator`. Stops early at `stopAt` or, with onFailure "stop", at the first failed allocation. */
export function replay(trace: TraceSource, allocator: Allocator, opts: ReplayOptions = {}): ReplayResult {
  const r = new Replayer(allocator, opts);
  for (const batch of batchesOf(trace)) if (!r.feed(batch)) break;
  return r.finish();
}

/** replay over batches that arrive asynchronously (a streamed file or download). */
export async function replayAsync(trace: TraceSource | AsyncIterable<TraceOps>, allocator: Allocator, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const r = new Replayer(allocator, opts);
  const src = trace instanceof TraceOps ? [trace] : trace;
  for await (const batch of src) if (!r.feed(batch)) break;
  return r.finish();
}
