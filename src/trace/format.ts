// The trace format: operation codes, the column store that parsed operations live in, the error a
// bad trace raises, and the writer that turns operations back into text.
//
// A heapkit trace is text, one operation per line (DESIGN.md, "Trace format"):
//
//     a ID SIZE          allocate SIZE bytes, remember the block as ID
//     m ID SIZE ALIGN    aligned allocation, ALIGN a power of two
//     r ID SIZE          realloc the block ID to SIZE bytes (ID keeps naming it)
//     f ID               free the block ID
//     # ...              comment
//
// Fields are separated by spaces or tabs; a line may end in CR LF. IDs are integers in
// [0, TRACE_MAX_ID], reused after a free; sizes are integers in [0, 2^32 - 1]. Two comments mean
// something to the parser (every other tool may treat them as plain comments):
//
//     # t MS             a time marker: the operations after it happened MS milliseconds (a
//                        non-negative decimal) after the recording started, until the next marker
//     # ops: N           the trace holds N operations in all. Before the first operation it is a
//                        header; after the last, a trailer written by the recorder. Either way the
//                        parser reports a trace that holds more or fewer operations as bad (cut)
//
// Why time markers and not a time column: a column would make every line longer and break readers
// that expect exactly the fields above (the malloc-lab driver, tracestat.py); a marker is one
// short line written only when the clock has moved, and everything else skips it as a comment.
//
// A CS:APP malloc-lab `.rep` file starts with up to four lines holding one integer each
// (suggested heap size, number of ids, number of ops, weight), then the same operations without
// `m` or comments: parse.ts reads both (its headerNumber takes the integers).
import { TextDecoderImpl, growU32 } from "./internal.js";

export const OP_ALLOC = 0;
export const OP_ALIGNED = 1;
export const OP_REALLOC = 2;
export const OP_FREE = 3;
export type OpCode = typeof OP_ALLOC | typeof OP_ALIGNED | typeof OP_REALLOC | typeof OP_FREE;

/** The letter of each op code, indexed by code. */
export const OP_LETTERS = "amrf";

/**
 * Largest trace id. IDs index the replayer's id → pointer table, so they must be dense: a
 * recorded trace reuses freed ids and stays below its peak live block count, and a malloc-lab
 * trace numbers its blocks from 0. 2^26 ids is a 256 MiB pointer table; an id beyond it is far
 * more likely a damaged line than a real program, and is reported as a bad id.
 */
export const TRACE_MAX_ID = 0x3ff_ffff;

/** Largest size in a trace: sizes are unsigned 32-bit integers, like every heapkit size. */
export const TRACE_MAX_SIZE = 0xffff_ffff;

export { TraceError } from "./error.js";

/**
 * Operations as columns of typed arrays: operation i is (op[i], id[i], size[i], align[i], time[i])
 * for i < length. `align` is 0 except for OP_ALIGNED; `time` is NaN before the trace's first time
 * marker (or when it has none). The parser hands out one of these as a reusable batch (valid until
 * its next call); whole traces (parseTraceText, the generators) are one that grew.
 */
export class TraceOps {
  length = 0;
  op: Uint8Array;
  id: Uint32Array;
  size: Uint32Array;
  align: Uint32Array;
  time: Float64Array;

  constructor(capacity = 1024) {
    const c = Math.max(1, capacity);
    this.op = new Uint8Array(c);
    this.id = new Uint32Array(c);
    this.size = new Uint32Array(c);
    this.align = new Uint32Array(c);
    this.time = new Float64Array(c);
  }

  get capacity(): number {
    return this.op.length;
  }

  /** Appends one operation, growing the columns (doubling) when full. */
  push(op: OpCode, id: number, size: number, align = 0, time = NaN): void {
    const i = this.length;
    if (i === this.op.length) this.reserve(i * 2);
    this.op[i] = op;
    this.id[i] = id;
    this.size[i] = size;
    this.align[i] = align;
    this.time[i] = time;
    this.length = i + 1;
  }

  /** Appends all operations of `other`. */
  append(other: TraceOps): void {
    const n = other.length;
    if (this.length + n > this.op.length) this.reserve(Math.max(this.length + n, this.op.length * 2));
    const at = this.length;
    this.op.set(other.op.subarray(0, n), at);
    this.id.set(other.id.subarray(0, n), at);
    this.size.set(other.size.subarray(0, n), at);
    this.align.set(other.align.subarray(0, n), at);
    this.time.set(other.time.subarray(0, n), at);
    this.length = at + n;
  }

  /** Makes room for at least `capacity` operations. */
  reserve(capacity: number): void {
    if (capacity <= this.op.length) return;
    const grow = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.length) as never);
      return b;
    };
    this.op = grow(this.op, (n) => new Uint8Array(n));
    this.id = grow(this.id, (n) => new Uint32Array(n));
    this.size = grow(this.size, (n) => new Uint32Array(n));
    this.align = grow(this.align, (n) => new Uint32Array(n));
    this.time = grow(this.time, (n) => new Float64Array(n));
  }

  /** True when any operation carries a time. */
  hasTime(): boolean {
    const t = this.time;
    for (let i = 0; i < this.length; i++) if (t[i] === t[i]) return true; // NaN !== NaN
    return false;
  }
}

/** Source of operations for replay and analysis: a whole trace, or batches (as parseTrace yields them). */
export type TraceSource = TraceOps | Iterable<TraceOps>;

/** Receives trace text in chunks of a few KiB. */
export type TraceSink = (chunk: string) => void;

const CH_0 = 48;
const CH_SPACE = 32;
const CH_NL = 10;
const CH_HASH = 35;
/** Longest op line: "m " + three 10-digit numbers, two spaces and a newline. */
const MAX_OP_LINE = 2 + 3 * 10 + 2 + 1;

/**
 * Writes trace lines into a byte buffer and hands the sink one string per `chunkBytes` (default
 * 8 KiB), so that recording costs a few integer-to-digit loops per operation and one string per
 * chunk, not a string concatenation per line.
 */
export class TraceWriter {
  private readonly sink: TraceSink;
  private readonly buf: Uint8Array;
  private n = 0;
  private readonly decoder = TextDecoderImpl ? new TextDecoderImpl("utf-8") : undefined;

  constructor(sink: TraceSink, chunkBytes = 8192) {
    this.sink = sink;
    this.buf = new Uint8Array(Math.max(chunkBytes, 256));
  }

  /** Writes one operation line. `align` is written only for OP_ALIGNED, `size` not for OP_FREE. */
  op(op: number, id: number, size: number, align: number): void {
    if (this.n + MAX_OP_LINE > this.buf.length) this.flush();
    const buf = this.buf;
    let n = this.n;
    buf[n++] = OP_LETTERS.charCodeAt(op);
    buf[n++] = CH_SPACE;
    n = writeUint(buf, n, id);
    if (op !== OP_FREE) {
      buf[n++] = CH_SPACE;
      n = writeUint(buf, n, size);
      if (op === OP_ALIGNED) {
        buf[n++] = CH_SPACE;
        n = writeUint(buf, n, align);
      }
    }
    buf[n++] = CH_NL;
    this.n = n;
  }

  /** Writes `# text`. Characters outside printable ASCII become `?`, so a comment stays one line of ASCII. */
  comment(text: string): void {
    const need = text.length + 3;
    if (this.n + need > this.buf.length) this.flush();
    if (need > this.buf.length) {
      // Longer than a chunk: rare (a header), so a string of its own is fine.
      this.sink("# " + text.replace(/[^\x20-\x7e]/g, "?") + "\n");
      return;
    }
    const buf = this.buf;
    let n = this.n;
    buf[n++] = CH_HASH;
    buf[n++] = CH_SPACE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      buf[n++] = c >= 0x20 && c < 0x7f ? c : 63;
    }
    buf[n++] = CH_NL;
    this.n = n;
  }

  /** Writes a time marker `# t MS`. */
  time(ms: number): void {
    this.comment("t " + String(ms));
  }

  /** Hands everything buffered to the sink. */
  flush(): void {
    if (this.n === 0) return;
    const bytes = this.buf.subarray(0, this.n);
    this.n = 0;
    this.sink(this.decoder ? this.decoder.decode(bytes) : String.fromCharCode.apply(null, bytes as unknown as number[]));
  }
}

/** "00" to "99" as ASCII pairs: two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = CH_0 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = CH_0 + (i % 10);
}

/**
 * Writes the decimal digits of `v` (an integer in [0, 2^32 - 1]) at buf[n]; returns the index
 * after them. Two digits per division, and the division is an int32 one (which V8 turns into a
 * multiply) once v is below 2^31: about twice as fast as a digit at a time with Math.floor.
 */
function writeUint(buf: Uint8Array, n: number, v: number): number {
  if (v < 10) {
    buf[n] = CH_0 + v;
    return n + 1;
  }
  const digits =
    v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  const end = n + digits;
  let i = end;
  if (v > 0x7fff_ffff) {
    const q = Math.floor(v / 100);
    const r = (v - q * 100) * 2;
    buf[--i] = DIGIT_PAIRS[r + 1];
    buf[--i] = DIGIT_PAIRS[r];
    v = q;
  }
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) * 2;
    buf[--i] = DIGIT_PAIRS[r + 1];
    buf[--i] = DIGIT_PAIRS[r];
    v = q;
  }
  if (v >= 10) {
    buf[--i] = DIGIT_PAIRS[v * 2 + 1];
    buf[--i] = DIGIT_PAIRS[v * 2];
  } else {
    buf[--i] = CH_0 + v;
  }
  return end;
}

export interface WriteTraceOptions {
  /** Comment lines written first, without the leading `# `. */
  header?: readonly string[];
  /** Write a `# ops: N` trailer after the last operation, so that a cut copy is reported. @defaultValue true */
  trailer?: boolean;
  /** @defaultValue 8192 */
  chunkBytes?: number;
}

/** Writes `trace` as text to `sink`, in chunks. Time markers are written where an operation's time differs from the one before it. */
export function writeTrace(trace: TraceOps, sink: TraceSink, opts: WriteTraceOptions = {}): void {
  const w = new TraceWriter(sink, opts.chunkBytes);
  for (const line of opts.header ?? []) w.comment(line);
  let t = NaN;
  for (let i = 0; i < trace.length; i++) {
    const ti = trace.time[i];
    if (ti === ti && ti !== t) {
      w.time(ti);
      t = ti;
    }
    w.op(trace.op[i], trace.id[i], trace.size[i], trace.align[i]);
  }
  if (opts.trailer ?? true) w.comment(`ops: ${trace.length}`);
  w.flush();
}

/** `trace` as one string (for small traces; use writeTrace to stream a large one). */
export function serializeTrace(trace: TraceOps, opts: WriteTraceOptions = {}): string {
  const parts: string[] = [];
  writeTrace(trace, (s) => parts.push(s), opts);
  return parts.join("");
}

/**
 * A copy of `trace` with ids renumbered the way the recorder numbers them: a new block takes the
 * most recently freed id, or the next unused one. Renumbered, a trace's largest id is below its
 * peak live block count, which keeps a replayer's id table small (malloc-lab traces never reuse
 * ids). Expects a valid trace (every f/r names a live id).
 */
export function renumberIds(trace: TraceOps): TraceOps {
  const out = new TraceOps(trace.length);
  let map = new Uint32Array(1024); // old id → new id
  let free = new Uint32Array(1024); // stack of freed new ids
  let top = 0;
  let next = 0;
  for (let i = 0; i < trace.length; i++) {
    const op = trace.op[i] as OpCode;
    const old = trace.id[i];
    if (old >= map.length) map = growU32(map, old + 1);
    let id: number;
    if (op === OP_ALLOC || op === OP_ALIGNED) {
      id = top > 0 ? free[--top] : next++;
      map[old] = id;
    } else {
      id = map[old];
      if (op === OP_FREE) {
        if (top === free.length) free = growU32(free, top + 1);
        free[top++] = id;
      }
    }
    out.push(op, id, trace.size[i], trace.align[i], trace.time[i]);
  }
  return out;
}
