// The benchmark's trace replayer: parse a trace once into typed arrays (untimed), then replay it
// through a subject (timed), writing every payload byte as the native replayer does
// (bench/native/replay.cpp): the whole block on `a`/`m`, the grown tail on `r`.
//
// Deliberately independent of heapkit's own trace layer (src/trace): the benchmark must not
// depend on the code it measures, and a bug in one parser shows up as a disagreement between them.
//
// Both dialects (../shared/traces/README.md): `#` lines are comments; up to four bare integers
// before the first op are the malloc-lab header; then one op per line:
//   a ID SIZE | m ID SIZE ALIGN | r ID SIZE | f ID
// A line that is none of these, or an op on an ID in the wrong state (`a` on a live ID, `r`/`f` on
// a dead one), is an error naming its line.
import { need, type Subject } from "../subject.js";
import { allocFailed, now, since, type WorkloadResult } from "../workload.js";

export const OP_ALLOC = 1;
export const OP_ALIGNED = 2;
export const OP_REALLOC = 3;
export const OP_FREE = 4;

export interface ParsedTrace {
  /** Op count. */
  readonly count: number;
  /** Per op: OP_*. */
  readonly ops: Uint8Array;
  readonly ids: Uint32Array;
  /** Per op: the size (0 for a free). */
  readonly sizes: Uint32Array;
  /** Per op: the alignment of an `m` op, else 0. */
  readonly aligns: Uint32Array;
  /** 1 + the largest ID. */
  readonly idCount: number;
  /** Counts per kind: a, m, r, f. */
  readonly allocs: number;
  readonly aligned: number;
  readonly reallocs: number;
  readonly frees: number;
  /** Largest sum of requested sizes live at once: what an ideal allocator would need at its peak. */
  readonly peakLive: number;
  /** Largest count of blocks live at once. */
  readonly peakLiveBlocks: number;
}

export class TraceFormatError extends Error {}

const CH_CR = 13;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_HASH = 35;
const CH_0 = 48;
const CH_9 = 57;

/**
 * Parses `text` (the file's bytes as latin1); `name` prefixes error messages. With `maxOps`, only
 * the first `maxOps` ops are kept (a prefix: the statistics are the prefix's).
 */
export function parseTrace(text: string, name: string, maxOps = Infinity): ParsedTrace {
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
  // Upper bounds: one op per line.
  const ops = new Uint8Array(lines);
  const ids = new Uint32Array(lines);
  const sizes = new Uint32Array(lines);
  const aligns = new Uint32Array(lines);

  let count = 0;
  let headerInts = 0;
  let lineNo = 0;
  let pos = 0;
  const len = text.length;
  const bad = (why: string): never => {
    throw new TraceFormatError(`${name}:${lineNo}: ${why}`);
  };
  // Reads an unsigned decimal at pos (blanks before it skipped); -1 if there is none or it passes 2^32 - 1.
  const num = (end: number): number => {
    while (pos < end && (text.charCodeAt(pos) === CH_SPACE || text.charCodeAt(pos) === CH_TAB)) pos++;
    const start = pos;
    let v = 0;
    for (let c = text.charCodeAt(pos); pos < end && c >= CH_0 && c <= CH_9; c = text.charCodeAt(++pos)) {
      v = v * 10 + (c - CH_0);
    }
    return pos === start || v > 0xffff_ffff ? -1 : v;
  };
  const blankTo = (end: number): boolean => {
    for (; pos < end; pos++) {
      const c = text.charCodeAt(pos);
      if (c !== CH_SPACE && c !== CH_TAB && c !== CH_CR) return false;
    }
    return true;
  };

  while (pos < len && count < maxOps) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = len;
    lineNo++;
    while (pos < eol && (text.charCodeAt(pos) === CH_SPACE || text.charCodeAt(pos) === CH_TAB)) pos++;
    const c = text.charCodeAt(pos);
    if (pos === eol || c === CH_HASH || c === CH_CR) {
      pos = eol + 1;
      continue;
    }
    if (c >= CH_0 && c <= CH_9) {
      if (count !== 0 || headerInts === 4) bad("a bare number where an op was expected");
      if (num(eol) < 0 || !blankTo(eol)) bad("a malformed header line");
      headerInts++;
      pos = eol + 1;
      continue;
    }
    pos++;
    const id = num(eol);
    let size = 0;
    let align = 0;
    let op = 0;
    if (c === 97 /* a */) {
      op = OP_ALLOC;
      size = num(eol);
    } else if (c === 109 /* m */) {
      op = OP_ALIGNED;
      size = num(eol);
      align = num(eol);
      if (align <= 0 || (align & (align - 1)) !== 0) bad("the alignment is not a power of two");
    } else if (c === 114 /* r */) {
      op = OP_REALLOC;
      size = num(eol);
    } else if (c === 102 /* f */) {
      op = OP_FREE;
    } else {
      bad(`unknown op '${text[pos - 1]}'`);
    }
    if (id < 0 || size < 0 || !blankTo(eol)) bad("a malformed op line");
    ops[count] = op;
    ids[count] = id;
    sizes[count] = size;
    aligns[count] = align;
    count++;
    pos = eol + 1;
  }
  let idCount = 0;
  for (let i = 0; i < count; i++) if (ids[i] >= idCount) idCount = ids[i] + 1;

  // Semantic pass: ID states and the live payload.
  const liveSize = new Float64Array(idCount);
  const isLive = new Uint8Array(idCount);
  let bytes = 0;
  let blocks = 0;
  let peakLive = 0;
  let peakLiveBlocks = 0;
  let allocs = 0;
  let aligned = 0;
  let reallocs = 0;
  let frees = 0;
  for (let i = 0; i < count; i++) {
    const id = ids[i];
    const op = ops[i];
    if (op === OP_ALLOC || op === OP_ALIGNED) {
      if (isLive[id]) throw new TraceFormatError(`${name}: op ${i + 1} allocates ID ${id}, which is live`);
      isLive[id] = 1;
      liveSize[id] = sizes[i];
      bytes += sizes[i];
      blocks++;
      if (op === OP_ALLOC) allocs++;
      else aligned++;
    } else if (op === OP_REALLOC) {
      if (!isLive[id]) throw new TraceFormatError(`${name}: op ${i + 1} reallocates ID ${id}, which is not live`);
      bytes += sizes[i] - liveSize[id];
      liveSize[id] = sizes[i];
      reallocs++;
    } else {
      if (!isLive[id]) throw new TraceFormatError(`${name}: op ${i + 1} frees ID ${id}, which is not live`);
      isLive[id] = 0;
      bytes -= liveSize[id];
      blocks--;
      frees++;
    }
    if (bytes > peakLive) peakLive = bytes;
    if (blocks > peakLiveBlocks) peakLiveBlocks = blocks;
  }
  return {
    count,
    ops: ops.subarray(0, count),
    ids: ids.subarray(0, count),
    sizes: sizes.subarray(0, count),
    aligns: aligns.subarray(0, count),
    idCount,
    allocs,
    aligned,
    reallocs,
    frees,
    peakLive,
    peakLiveBlocks,
  };
}

/** The byte written into every payload byte of ID `id`'s block (the native replayer uses the same). */
const fillByte = (id: number): number => id & 0xff;

/**
 * Replays `t` through `s` twice and times the second, warm pass. Reports ops/s, the peak live payload, and, where the subject
 * reports one, its peak footprint and the utilization (peak live payload / peak footprint).
 * Blocks still live at the end (none, for a balanced trace) are freed untimed.
 */
export function replay(t: ParsedTrace, s: Subject): WorkloadResult {
  const x = need(s, ["alloc", "free", "realloc", "fill"]);
  const aligned = t.aligned > 0 ? need(s, ["alignedAlloc"]) : null;
  // u32, not f64: pointers and sizes are below 2^32, and a double read from a Float64Array that
  // flows into a builtin call (the fill) was boxed, 16 bytes of garbage per op (sampling heap profiler).
  const ptr = new Uint32Array(t.idCount); // ID → the subject's pointer
  const have = new Uint32Array(t.idCount); // ID → bytes already written

  // Warm: untimed passes first (the first one's peak is the footprint reported: what the trace
  // needs from a fresh allocator), then the timed pass over the same, now warm, allocator and
  // code — as the native replayer does. A cold pass would time V8's compiler and first-touch page
  // faults: on the 5,000-op malloc-lab traces a JS allocator needs several passes to reach its
  // steady state, so short traces get up to WARM_PASSES passes, about WARM_OPS operations.
  pass(t, x, aligned, ptr, have);
  freeLeft(t, x, ptr);
  const footprint = s.peakFootprint ? s.peakFootprint() : null;
  const warmStart = now();
  for (let w = 1; w < warmPasses(t.count) && since(warmStart) < WARM_MS * 1e6; w++) {
    have.fill(0);
    pass(t, x, aligned, ptr, have);
    freeLeft(t, x, ptr);
  }
  have.fill(0);
  const t0 = now();
  pass(t, x, aligned, ptr, have);
  const ns = since(t0);
  freeLeft(t, x, ptr);
  const count = t.count;
  return {
    ops: count,
    ns,
    extra: {
      opsPerSec: ns > 0 ? (count * 1e9) / ns : 0,
      peakFootprint: footprint,
      peakLive: t.peakLive,
      peakLiveBlocks: t.peakLiveBlocks,
      utilization: footprint ? t.peakLive / footprint : null,
    },
  };
}

/**
 * Untimed passes before the timed one: enough for about WARM_OPS operations, 1 to WARM_PASSES,
 * and no more once WARM_MS have gone by (so that a slow subject does not take minutes). The native
 * replayer uses the same rule. A JS allocator reaches V8's optimized steady state only after
 * several hundred thousand operations (heapkit's Heap on cmu-firefox-reddit: 205, 119, 75 ns per
 * op in its first three rounds of 300,000), hence a million.
 */
export const WARM_OPS = 1_000_000;
export const WARM_PASSES = 100;
export const WARM_MS = 1000;
export const warmPasses = (count: number): number => Math.min(WARM_PASSES, Math.max(1, Math.ceil(WARM_OPS / Math.max(1, count))));

type Replaying = Required<Pick<Subject, "alloc" | "free" | "realloc" | "fill">>;

/** One pass over the trace, every payload byte written. */
function pass(t: ParsedTrace, x: Replaying, aligned: Required<Pick<Subject, "alignedAlloc">> | null, ptr: Uint32Array, have: Uint32Array): void {
  const { ops, ids, sizes, aligns, count } = t;
  for (let i = 0; i < count; i++) {
    const id = ids[i];
    const size = sizes[i];
    switch (ops[i]) {
      case OP_ALLOC: {
        const p = x.alloc(size);
        if (p === 0) allocFailed("alloc", size, i + 1);
        x.fill(p, 0, size, fillByte(id));
        ptr[id] = p;
        have[id] = size;
        break;
      }
      case OP_ALIGNED: {
        const p = aligned!.alignedAlloc(size, aligns[i]);
        if (p === 0) allocFailed("alignedAlloc", size, i + 1, aligns[i]);
        x.fill(p, 0, size, fillByte(id));
        ptr[id] = p;
        have[id] = size;
        break;
      }
      case OP_REALLOC: {
        const p = x.realloc(ptr[id], size);
        if (p === 0) allocFailed("realloc", size, i + 1);
        if (size > have[id]) x.fill(p, have[id], size, fillByte(id));
        ptr[id] = p;
        have[id] = size;
        break;
      }
      default:
        x.free(ptr[id]);
        ptr[id] = 0;
    }
  }
}

/** Frees what a pass left live (nothing, for a balanced trace), untimed. */
function freeLeft(t: ParsedTrace, x: Replaying, ptr: Uint32Array): void {
  for (let id = 0; id < t.idCount; id++) {
    if (ptr[id] !== 0) x.free(ptr[id]);
    ptr[id] = 0;
  }
}
