// The streaming trace parser. It reads heapkit traces and CS:APP malloc-lab `.rep` files (format.ts
// describes both) from text chunks of any size, split anywhere, and hands out the operations in a
// reusable column batch: memory stays bounded by one batch plus one line however large the trace.
//
//   const p = new TraceParser();
//   for (const chunk of chunks) { p.write(chunk); for (let b; (b = p.read()); ) use(b); }
//   p.end(); for (let b; (b = p.read()); ) use(b);
//
// What it checks, reporting the first problem as a TraceError (code ERR_HEAP_BAD_TRACE) with its
// line number, and never crashing or looping on any input:
//   P1  every line is blank, a comment, one of the first four bare integers (a malloc-lab
//       header), or an operation with exactly its fields
//   P2  ids are integers in [0, TRACE_MAX_ID] (below num_ids when a malloc-lab header gives it),
//       sizes integers in [0, 2^32 - 1], alignments powers of two in [1, 2^31]
//   P3  `a`/`m` name an id that is not live; `r`/`f` name one that is (live = allocated and not
//       freed since)
//   P4  the number of operations equals what the header declares (the malloc-lab num_ops, or a
//       `# ops: N` comment), so a cut file is an error, not a shorter trace
//   P5  no line is longer than MAX_LINE characters, so a file without newlines cannot make the
//       parser hold hundreds of MB waiting for one
// A last line without a newline is accepted: if a cut left it a valid operation (`a 5 40` from
// `a 5 4096`) only P4 can tell, and that is why the recorder writes a `# ops:` trailer.
import {
  OP_ALIGNED,
  OP_ALLOC,
  OP_FREE,
  OP_REALLOC,
  TRACE_MAX_ID,
  TRACE_MAX_SIZE,
  TraceError,
  TraceOps,
  type OpCode,
} from "./format.js";
import { TextDecoderImpl, badTrace, growU32, where } from "./internal.js";

/** Longest line the parser accepts, in characters (P5). Op lines are at most 36. */
export const MAX_LINE = 65536;

export interface ParseOptions {
  /** Operations per batch. @defaultValue 4096 */
  batchSize?: number;
  /** A name for messages, such as the file name: `python-json.trace:12: ...`. */
  source?: string;
}

/** Text input: strings, or bytes decoded as UTF-8 (a multi-byte character may be split between chunks). */
export type TraceChunk = string | Uint8Array;

const SYNTAX = ["a ID SIZE", "m ID SIZE ALIGN", "r ID SIZE", "f ID"];
const HEADER_NAMES = ["sugg_heapsize", "num_ids", "num_ops", "weight"];

const CH_TAB = 9;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_HASH = 35;
const CH_0 = 48;
const CH_9 = 57;
const CH_a = 97;
const CH_f = 102;
const CH_m = 109;
const CH_r = 114;
const CH_t = 116;

const isBlank = (c: number): boolean => c === CH_SPACE || c === CH_TAB || c === CH_CR;

const TIME_RE = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const OPS_RE = /^ops:[ \t]+([0-9]{1,15})[ \t\r]*$/;

export class TraceParser {
  /** The batch read() fills; reused by every call. */
  readonly batch: TraceOps;
  private readonly source: string;
  private text = ""; // input not yet parsed; always starts at the start of a line
  private readonly pending: string[] = []; // chunks without a newline, which follow `text`
  private pendingLength = 0;
  private pos = 0;
  private ended = false;
  private finished = false;
  private failure: TraceError | undefined;
  private decoder: { decode(input?: Uint8Array, options?: { stream?: boolean }): string } | undefined;
  private lineNo = 0; // lines consumed so far
  private ops = 0;
  private live = new Uint32Array(64); // P3: bit `id` set while the id is live
  private maxId = -1;
  private time = NaN;
  private cur = 0; // scan position after the last field read
  // Malloc-lab header and declared counts (P2, P4).
  private readonly headerValues: number[] = [];
  private readonly headerLines: number[] = [];
  private declared = Infinity;
  private declaredLine = 0;
  private idLimit = TRACE_MAX_ID;

  constructor(opts: ParseOptions = {}) {
    this.batch = new TraceOps(opts.batchSize ?? 4096);
    this.source = opts.source ?? "";
  }

  /** Line number of the last line parsed. */
  get line(): number {
    return this.lineNo;
  }

  /** Operations parsed so far. */
  get opCount(): number {
    return this.ops;
  }

  /** One more than the largest id seen so far: the size of an id-indexed table for the trace. */
  get idBound(): number {
    return this.maxId + 1;
  }

  /** The malloc-lab header numbers read so far (sugg_heapsize, num_ids, num_ops, weight); empty for a heapkit trace. */
  get header(): readonly number[] {
    return this.headerValues;
  }

  /** Adds input. Any split is fine: mid-line, mid-number, or (for bytes) mid-character. */
  write(chunk: TraceChunk): void {
    if (this.ended) badTrace(this.lineNo, "write() after end()", this.source);
    let s: string;
    if (typeof chunk === "string") {
      s = chunk;
    } else {
      if (this.decoder === undefined) {
        if (TextDecoderImpl === undefined) badTrace(0, "this platform has no TextDecoder: pass strings", this.source);
        this.decoder = new TextDecoderImpl("utf-8");
      }
      s = this.decoder.decode(chunk, { stream: true });
    }
    // A chunk without a newline completes no line: park it, so that a long line arriving in tiny
    // chunks costs O(its length), not a rescan and a string copy per chunk.
    if (s.indexOf("\n") < 0) {
      if (s.length === 0) return;
      this.pending.push(s);
      this.pendingLength += s.length;
      if (this.pendingLength > MAX_LINE) {
        // The long line comes after any complete lines not read yet: count them for its number.
        let line = this.lineNo + 1;
        for (let i = this.text.indexOf("\n", this.pos); i >= 0; i = this.text.indexOf("\n", i + 1)) line++;
        this.failure ??= new TraceError(`${where(this.source, line)}: line is longer than ${MAX_LINE} characters`, line);
        throw this.failure;
      }
      return;
    }
    this.take(s);
  }

  /** Appends `s` (and any parked chunks before it) to the unparsed text. */
  private take(s: string): void {
    const parked = this.pending.length > 0 ? this.pending.join("") : "";
    this.pending.length = 0;
    this.pendingLength = 0;
    this.text = (this.pos < this.text.length ? this.text.slice(this.pos) : "") + parked + s;
    this.pos = 0;
  }

  /** Marks the end of the input: the last line may lack its newline, and P4 is checked once read() has drained the rest. */
  end(): void {
    if (this.ended) return;
    this.take(this.decoder !== undefined ? this.decoder.decode() : "");
    this.ended = true;
  }

  /**
   * Parses the next operations into `batch` and returns it, or null when no complete line is
   * waiting (before end()) or the input is exhausted (after it). The batch is reused: its contents
   * are valid until the next call. Throws TraceError on a bad line, and again on every later call.
   */
  read(): TraceOps | null {
    if (this.failure !== undefined) throw this.failure;
    const b = this.batch;
    b.length = 0;
    try {
      this.fill(b);
    } catch (e) {
      if (e instanceof TraceError) this.failure = e;
      throw e;
    }
    return b.length > 0 ? b : null;
  }

  private fill(b: TraceOps): void {
    const cap = b.capacity;
    const text = this.text;
    let pos = this.pos;
    while (b.length < cap) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) {
        if (!this.ended) {
          if (text.length - pos > MAX_LINE) this.fail(`line is longer than ${MAX_LINE} characters`, this.lineNo + 1);
          break;
        }
        if (pos === text.length) {
          if (!this.finished) {
            this.finished = true;
            this.finish();
          }
          break;
        }
        nl = text.length; // the last line, without a newline
      }
      this.lineNo++;
      this.parseLine(text, pos, nl, b);
      pos = Math.min(nl + 1, text.length);
    }
    if (pos === text.length) {
      this.text = "";
      this.pos = 0;
    } else {
      this.pos = pos;
    }
  }

  private parseLine(s: string, i: number, end: number, b: TraceOps): void {
    while (i < end && isBlank(s.charCodeAt(i))) i++;
    if (i === end) return; // blank line
    const c = s.charCodeAt(i);
    let op: OpCode;
    if (c === CH_a) op = OP_ALLOC;
    else if (c === CH_f) op = OP_FREE;
    else if (c === CH_r) op = OP_REALLOC;
    else if (c === CH_m) op = OP_ALIGNED;
    else if (c === CH_HASH) return this.comment(s, i + 1, end);
    else if (c >= CH_0 && c <= CH_9 && this.ops === 0 && this.headerValues.length < 4) return this.headerNumber(s, i, end);
    else return this.unknown(s, i, end);
    if (i + 1 < end && !isBlank(s.charCodeAt(i + 1))) return this.unknown(s, i, end);

    const id = this.field(s, i + 1, end, op, "id", this.idLimit);
    let size = 0;
    let align = 0;
    if (op !== OP_FREE) size = this.field(s, this.cur, end, op, "size", TRACE_MAX_SIZE);
    if (op === OP_ALIGNED) {
      align = this.field(s, this.cur, end, op, "alignment", 0x8000_0000);
      if ((align & (align - 1)) !== 0 || align === 0) this.fail(`bad alignment ${align}: expected a power of two`, this.lineNo, align);
    }
    let j = this.cur;
    while (j < end && isBlank(s.charCodeAt(j))) j++;
    if (j !== end) this.fail(`unexpected ${token(s, j, end)} after "${SYNTAX[op]}"`);

    // P3: liveness, one bit per id.
    const w = id >>> 5;
    const bit = 1 << (id & 31);
    if (w >= this.live.length) this.live = growU32(this.live, w + 1);
    const isLive = (this.live[w] & bit) !== 0;
    if (op === OP_ALLOC || op === OP_ALIGNED) {
      if (isLive) this.fail(`${op === OP_ALLOC ? "alloc" : "aligned alloc"} of id ${id}, which is still live (free it first)`, this.lineNo, id);
      this.live[w] |= bit;
    } else if (!isLive) {
      this.fail(`${op === OP_FREE ? "free" : "realloc"} of id ${id}, which is not live`, this.lineNo, id);
    } else if (op === OP_FREE) {
      this.live[w] &= ~bit;
    }
    if (this.ops >= this.declared) {
      this.fail(`more operations than the ${this.declared} that line ${this.declaredLine} declares`);
    }
    if (id > this.maxId) this.maxId = id;
    this.ops++;
    const k = b.length;
    b.op[k] = op;
    b.id[k] = id;
    b.size[k] = size;
    b.align[k] = align;
    b.time[k] = this.time;
    b.length = k + 1;
  }

  /** Reads one unsigned integer field of `op` starting at or after `i` (P2); leaves `cur` after it. */
  private field(s: string, i: number, end: number, op: OpCode, what: string, max: number): number {
    while (i < end && isBlank(s.charCodeAt(i))) i++;
    if (i === end) this.fail(`missing ${what}: "${SYNTAX[op][0]}" takes "${SYNTAX[op]}"`);
    const start = i;
    let v = 0;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - CH_0;
      if (d < 0 || d > 9) break;
      v = v * 10 + d; // exact below 2^53, and more than 15 digits fail the length test below
    }
    const malformed = i === start || (i < end && !isBlank(s.charCodeAt(i))) || i - start > 15;
    if (malformed || v > max) this.badField(s, start, end, what, max, malformed ? -1 : v);
    this.cur = i;
    return v;
  }

  private badField(s: string, start: number, end: number, what: string, max: number, v: number): never {
    if (what === "id" && v >= 0 && v <= TRACE_MAX_ID) {
      this.fail(`id ${v} is not below the ${this.idLimit + 1} ids (num_ids) that line ${this.headerLines[1]} declares`, this.lineNo, v);
    }
    const range = what === "alignment" ? "a power of two up to 2^31" : `an integer in [0, ${max}]`;
    this.fail(`bad ${what} ${token(s, start, end)}: expected ${range}`, this.lineNo, v >= 0 ? v : undefined);
  }

  /** A `#` line: a time marker, an op count, or a plain comment. `i` is just after the `#`. */
  private comment(s: string, i: number, end: number): void {
    while (i < end && isBlank(s.charCodeAt(i))) i++;
    if (i < end && s.charCodeAt(i) === CH_t && (i + 1 === end || isBlank(s.charCodeAt(i + 1)))) {
      const t = s.slice(i + 1, end).trim();
      const ms = TIME_RE.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(ms)) this.fail(`bad time marker "# t ${t.slice(0, 24)}": expected "# t MS", MS a non-negative number of milliseconds`);
      this.time = ms;
      return;
    }
    if (end - i >= 5 && s.startsWith("ops:", i)) {
      const m = OPS_RE.exec(s.slice(i, end));
      if (m !== null) this.declare(Number(m[1]), this.lineNo);
    }
  }

  /** Sets the declared operation count (P4); a trailer must match what came before it. */
  private declare(n: number, line: number): void {
    if (this.ops > n) this.fail(`line ${line} declares ${n} operations, but ${this.ops} come before it`, line, n);
    this.declared = n;
    this.declaredLine = line;
  }

  /** One of the up to four bare integers that open a malloc-lab `.rep` file. */
  private headerNumber(s: string, i: number, end: number): void {
    const start = i;
    let v = 0;
    while (i < end && s.charCodeAt(i) >= CH_0 && s.charCodeAt(i) <= CH_9) v = v * 10 + (s.charCodeAt(i++) - CH_0);
    let j = i;
    while (j < end && isBlank(s.charCodeAt(j))) j++;
    if (j !== end || i - start > 15) return this.unknown(s, start, end);
    const k = this.headerValues.length;
    if (v > TRACE_MAX_SIZE) this.fail(`bad malloc-lab header ${HEADER_NAMES[k]} ${v}: expected an integer in [0, ${TRACE_MAX_SIZE}]`, this.lineNo, v);
    this.headerValues.push(v);
    this.headerLines.push(this.lineNo);
    if (k === 3) {
      // The full header: num_ids bounds the ids, num_ops is the operation count (P2, P4).
      // A header of fewer numbers is skipped but not trusted.
      const ids = this.headerValues[1];
      if (ids === 0 || ids - 1 < TRACE_MAX_ID) this.idLimit = ids - 1;
      this.declare(this.headerValues[2], this.headerLines[2]);
    }
  }

  private unknown(s: string, i: number, end: number): never {
    this.fail(`unknown operation ${token(s, i, end)}: expected one of "a ID SIZE", "m ID SIZE ALIGN", "r ID SIZE", "f ID"`);
  }

  private finish(): void {
    if (this.ops < this.declared && this.declared !== Infinity) {
      this.fail(
        `the trace is cut: line ${this.declaredLine} declares ${this.declared} operations, the input ends after ${this.ops}`,
        this.lineNo + 1,
        this.ops,
      );
    }
  }

  private fail(why: string, line = this.lineNo, value?: number): never {
    badTrace(line, why, this.source, value);
  }
}

/** The token at `i` (up to the next blank), quoted and shortened for a message. */
function token(s: string, i: number, end: number): string {
  let j = i;
  while (j < end && !isBlank(s.charCodeAt(j))) j++;
  const t = s.slice(i, Math.min(j, i + 24));
  return JSON.stringify(j - i > 24 ? t + "..." : t);
}

/**
 * Parses a trace from chunks (or one string or byte array), yielding batches. Each yielded batch
 * is the parser's reusable one: consume it before asking for the next.
 */
export function* parseTrace(input: TraceChunk | Iterable<TraceChunk>, opts: ParseOptions = {}): Generator<TraceOps, void, undefined> {
  const p = new TraceParser(opts);
  const chunks = typeof input === "string" || input instanceof Uint8Array ? [input] : input;
  for (const chunk of chunks) {
    p.write(chunk);
    for (let b = p.read(); b !== null; b = p.read()) yield b;
  }
  p.end();
  for (let b = p.read(); b !== null; b = p.read()) yield b;
}

/** parseTrace over an async source: a Node stream, a fetch body's reader adapted to AsyncIterable, and so on. */
export async function* parseTraceAsync(
  input: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  opts: ParseOptions = {},
): AsyncGenerator<TraceOps, void, undefined> {
  const p = new TraceParser(opts);
  for await (const chunk of input) {
    p.write(chunk);
    for (let b = p.read(); b !== null; b = p.read()) yield b;
  }
  p.end();
  for (let b = p.read(); b !== null; b = p.read()) yield b;
}

/** A whole trace in memory, for small inputs (tests, generated traces, a pasted snippet). */
export function parseTraceText(text: TraceChunk, opts: ParseOptions = {}): TraceOps {
  return collectTrace(parseTrace(text, { batchSize: 65536, ...opts }));
}

/** Copies batches into one TraceOps (the batches themselves are reused by the parser). */
export function collectTrace(batches: Iterable<TraceOps>): TraceOps {
  const all = new TraceOps(1024);
  for (const b of batches) all.append(b);
  return all;
}
