// The recorder: an Allocator that forwards every call to the allocator it wraps and writes what
// happened as a heapkit trace (format.ts), cheaply enough to leave on for a real run.
//
// Cost per operation (the fast path): the wrapped call, one probe of a typed-array hash map
// (pointer → id), a push or pop on a typed-array stack of free ids, and the digits of the line
// written into a byte buffer. No object or string per operation: the sink gets one string per
// chunk (8 KiB by default). bench/record-overhead.ts measures it.
//
// What is written, per call that succeeded (a call that throws or returns 0 writes nothing, since
// it changed nothing):
//   alloc                  a ID SIZE
//   alignedAlloc           m ID SIZE ALIGN
//   resize (in place)      r ID SIZE
//   realloc                r ID SIZE   (one line, whether it grew in place or moved)
//   free                   f ID        (free(0) writes nothing)
// Invariants of the id bookkeeping, which make the output a valid trace (parse.ts P3):
//   R1  a pointer is in `ids` exactly while the block it starts is live in the trace
//   R2  an id is either mapped by exactly one pointer or on the free-id stack, never both; a new
//       block takes the most recently freed id, else the next unused one, so ids stay below the
//       peak live block count (renumberIds in format.ts applies the same rule to any trace)
// Blocks the recorder did not see allocated (made before wrapping, or through another handle)
// enter the trace at their first resize or realloc as an `a`, and their free is not written. If
// the wrapped allocator hands out a pointer the recorder still maps (its blocks were released
// wholesale, e.g. a region reset, without free calls), the stale id is freed first (`f`).
//
// sizesOnly: for size histograms of a run where even a hash probe per free is too much, or the
// frees do not matter. Only allocation requests are written: `a`/`m` with an id that counts up and
// is never freed (so the trace is still valid: lifetimes read as "never freed"); resize and
// realloc write `a` of the new size, frees write nothing. Such a trace holds at most
// TRACE_MAX_ID + 1 allocations; the recorder writes a comment and stops recording at that point.
import type { Allocator } from "../core/allocator.js";
import { realloc as derivedRealloc } from "../core/derived.js";
import { invalidOption } from "../core/errors.js";
import { NULL, type Ptr } from "../core/ptr.js";
import type { AllocatorStats } from "../core/stats.js";
import { OP_ALIGNED, OP_ALLOC, OP_FREE, OP_REALLOC, TRACE_MAX_ID, TraceWriter, type TraceSink } from "./format.js";
import { growU32 } from "./internal.js";
import { U32Map } from "./u32-map.js";

export interface RecordOptions {
  /**
   * Write time markers (`# t MS`, milliseconds since recording started, to the microsecond).
   * @defaultValue false
   */
  timestamps?: boolean;
  /**
   * With timestamps, operations between two reads of the clock: a marker is written when the
   * clock has moved since the last one. 1 times every operation, at ~50 ns each.
   * @defaultValue 256
   */
  timeEvery?: number;
  /** The clock, in milliseconds. @defaultValue performance.now, or Date.now where there is none */
  now?: () => number;
  /** Write allocation sizes only, no frees (see the file comment). @defaultValue false */
  sizesOnly?: boolean;
  /** Bytes per chunk handed to the sink. @defaultValue 8192 */
  chunkBytes?: number;
  /** Comment lines to write after the recorder's own header, without the leading `# `. */
  header?: readonly string[];
}

/** An allocator that records. Everything not listed here is forwarded unchanged. */
export interface Recorder extends Allocator {
  readonly kind: "recorder";
  /** The allocator being recorded. */
  readonly inner: Allocator;
  /** C's realloc (the wrapped allocator's own, if it has one, else the derived one), written as one `r` line. */
  realloc(ptr: Ptr, size: number): Ptr;
  /** Operation lines written so far. */
  readonly recorded: number;
  /** Hands buffered lines to the sink. */
  flush(): void;
  /** Writes the `# ops: N` trailer, flushes, and stops recording; calls are still forwarded. */
  end(): void;
}

/** Wraps `allocator` so that every operation is also written, as trace text, to `sink`. */
export function record(allocator: Allocator, sink: TraceSink, opts: RecordOptions = {}): Recorder {
  return new TraceRecorder(allocator, sink, opts);
}

interface Reallocating {
  realloc(ptr: Ptr, size: number): Ptr;
}

const defaultClock = (): (() => number) => {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf !== undefined ? () => perf.now() : () => Date.now();
};

class TraceRecorder implements Recorder {
  readonly kind = "recorder" as const;
  readonly inner: Allocator;
  recorded = 0;
  private readonly w: TraceWriter;
  private readonly sizesOnly: boolean;
  private readonly ownRealloc: Reallocating | undefined;
  private recording = true;
  private readonly ids = new U32Map(1024); // R1: pointer → id
  private freeIds = new Uint32Array(1024); // R2: stack of freed ids
  private top = 0;
  private nextId = 0;
  // Time markers: the clock is read when `untilClock` counts down to 0.
  private readonly clock: (() => number) | undefined;
  private readonly timeEvery: number;
  private readonly t0: number;
  private untilClock = Infinity;
  private lastTime = 0;

  constructor(inner: Allocator, sink: TraceSink, opts: RecordOptions) {
    const timeEvery = opts.timeEvery ?? 256;
    if (!Number.isInteger(timeEvery) || timeEvery < 1) invalidOption("timeEvery", timeEvery, "an integer >= 1");
    this.inner = inner;
    this.sizesOnly = opts.sizesOnly ?? false;
    const r = (inner as Partial<Reallocating>).realloc;
    this.ownRealloc = typeof r === "function" ? (inner as unknown as Reallocating) : undefined;
    this.w = new TraceWriter(sink, opts.chunkBytes);
    this.w.comment(`heapkit trace v1, recorded by heapkit record() from a ${inner.kind} allocator`);
    this.w.comment("ops: a ID SIZE | m ID SIZE ALIGN | r ID SIZE | f ID; ids are reused after free");
    if (this.sizesOnly) this.w.comment("mode: sizes only: allocation requests, no frees; reallocs written as a; ids never reused");
    for (const line of opts.header ?? []) this.w.comment(line);
    this.timeEvery = timeEvery;
    if (opts.timestamps ?? false) {
      this.clock = opts.now ?? defaultClock();
      this.t0 = this.clock();
      this.w.time(0);
      this.untilClock = timeEvery;
    } else {
      this.clock = undefined;
      this.t0 = 0;
    }
  }

  get memory(): Allocator["memory"] {
    return this.inner.memory;
  }

  alloc(size: number): Ptr {
    const p = this.inner.alloc(size);
    if (p !== NULL && this.recording) this.allocated(OP_ALLOC, p, size, 0);
    return p;
  }

  alignedAlloc(size: number, align: number): Ptr {
    const p = this.inner.alignedAlloc(size, align);
    if (p !== NULL && this.recording) this.allocated(OP_ALIGNED, p, size, align);
    return p;
  }

  resize(ptr: Ptr, newSize: number): boolean {
    const ok = this.inner.resize(ptr, newSize);
    if (ok && ptr !== NULL && this.recording) this.reallocated(ptr, ptr, newSize);
    return ok;
  }

  realloc(ptr: Ptr, size: number): Ptr {
    const p = this.ownRealloc !== undefined ? this.ownRealloc.realloc(ptr, size) : derivedRealloc(this.inner, ptr, size);
    if (p !== NULL && this.recording) {
      if (ptr === NULL) this.allocated(OP_ALLOC, p, size, 0);
      else this.reallocated(ptr, p, size);
    }
    return p;
  }

  free(ptr: Ptr): void {
    this.inner.free(ptr); // first: a bad pointer throws here, and nothing is written
    if (ptr === NULL || !this.recording || this.sizesOnly) return;
    const id = this.ids.delete(ptr);
    if (id < 0) return; // a block the recorder never saw allocated
    if (this.top === this.freeIds.length) this.freeIds = growU32(this.freeIds, this.top + 1);
    this.freeIds[this.top++] = id;
    this.line(OP_FREE, id, 0, 0);
  }

  usableSize(ptr: Ptr): number {
    return this.inner.usableSize(ptr);
  }

  stats(): AllocatorStats {
    return this.inner.stats();
  }

  check(): void {
    this.inner.check();
  }

  flush(): void {
    this.w.flush();
  }

  end(): void {
    if (this.recording) {
      this.recording = false;
      this.w.comment(`ops: ${this.recorded}`);
    }
    this.w.flush();
  }

  /** A new block at `p`: give it an id (R2) and write its line. */
  private allocated(op: typeof OP_ALLOC | typeof OP_ALIGNED, p: Ptr, size: number, align: number): void {
    let id: number;
    if (this.sizesOnly) {
      id = this.nextId++;
    } else {
      const fresh = this.top === 0;
      id = fresh ? this.nextId++ : this.freeIds[--this.top];
      const stale = this.ids.replace(p, id);
      if (stale >= 0) {
        // The block at p was released without a free call (see the file comment): write its
        // free, then let the new block take the stale id, as if the free had come through here.
        this.line(OP_FREE, stale, 0, 0);
        if (fresh) this.nextId--;
        else this.freeIds[this.top++] = id;
        this.ids.set(p, stale);
        id = stale;
      }
    }
    if (id > TRACE_MAX_ID) return this.stop(`more than ${TRACE_MAX_ID + 1} ids: recording stopped`);
    this.line(op, id, size, align);
  }

  /** The block at `from` now lives at `to` with `size` bytes. */
  private reallocated(from: Ptr, to: Ptr, size: number): void {
    if (this.sizesOnly) return this.allocated(OP_ALLOC, to, size, 0);
    const id = from === to ? this.ids.get(from) : this.ids.delete(from);
    if (id < 0) return this.allocated(OP_ALLOC, to, size, 0); // first sight of this block
    if (from !== to) this.ids.set(to, id);
    this.line(OP_REALLOC, id, size, 0);
  }

  private line(op: number, id: number, size: number, align: number): void {
    if (--this.untilClock <= 0) this.tick();
    this.w.op(op, id, size, align);
    this.recorded++;
  }

  /** Reads the clock and writes a time marker if it moved. */
  private tick(): void {
    this.untilClock = this.timeEvery;
    const t = Math.round((this.clock!() - this.t0) * 1000) / 1000;
    if (t > this.lastTime) {
      this.lastTime = t;
      this.w.time(t);
    }
  }

  private stop(why: string): void {
    this.w.comment(why);
    this.recording = false;
    this.w.flush();
  }
}
