// What a benchmark subject is: the object a workload drives. One interface for every kind of
// subject (heapkit's allocators, the JS and WebAssembly peers, view kinds), with every member
// optional: a subject implements what its suites need, each workload names what it needs
// (`Workload.needs`), and one.ts reports a missing member as a failed pair, not a crash.
//
// Pointers are numbers. For subjects over one linear memory they are byte offsets; for the
// GC-backed peers (js-objects, u8array, array-buffer) they are handles, indexes into the peer's
// own table. Either way 0 is null: an allocating member returns 0 when it cannot allocate, and
// the workload stops and reports the pair as failed.

/** A child region (arena): allocations that all end at `destroy`. */
export interface SubjectRegion {
  /** At least `size` bytes, 8-aligned; 0 on failure. */
  alloc(size: number): number;
  /** Writes one 8-byte word at the start of a block of this region: `value` (a u32) then 0. */
  write8(ptr: number, value: number): void;
  /** Ends every allocation of the region at once. The handle is not used again. */
  destroy(): void;
}

export interface Subject {
  /** At least `size` bytes, 8-aligned; 0 on failure. (The pool, pages and traces suites.) */
  alloc?(size: number): number;
  /** Returns a block. For region-like subjects this may do nothing, or free only the last block. */
  free?(ptr: number): void;
  /** Writes one 8-byte word at the start of the block: `value` (a u32) in the low half, 0 above. */
  write8?(ptr: number, value: number): void;
  /** A new child region; the pool suite's create & destroy workload makes one per round. */
  region?(): SubjectRegion;
  /** C `realloc`: the block's first min(old, new) bytes kept; 0 on failure with `ptr` left live. (traces) */
  realloc?(ptr: number, size: number): number;
  /** `size` bytes aligned to `align` (a power of two); 0 on failure. (traces with `m` ops) */
  alignedAlloc?(size: number, align: number): number;
  /** Writes `byte` to bytes [start, end) of the block at `ptr`. (traces: every payload byte is written) */
  fill?(ptr: number, start: number, end: number, byte: number): void;
  /** The largest footprint so far, in bytes, as the subject itself reports it (see each peer). (traces) */
  peakFootprint?(): number;
  /** The u32 view a views-suite loop runs over. (views) */
  view?(): Uint32Array;
  /** A clearer reason for an error this subject threw (e.g. a WebAssembly trap); undefined to keep the message. */
  explain?(error: unknown): string | undefined;
  /** One line shown beside this subject's results (a workaround it applied, a version). */
  note?(): string | undefined;
}

export type SubjectMember = Exclude<keyof Subject, "explain" | "note">;

/**
 * What the workload will need at its peak, for subjects that cannot grow (thi.ng's MemPool is one
 * fixed buffer). Growable subjects ignore it. Upper bounds, in requested bytes and in blocks.
 */
export interface SubjectOptions {
  readonly liveBytes: number;
  readonly liveBlocks: number;
}

/**
 * Bytes of the one buffer of a subject that does not grow (thing-malloc) or should not need to
 * (js-bump, the initial size of heapkit's memories): the live bytes, 16 B per block for headers
 * and alignment, and 16 MiB of slack. Untouched pages cost nothing until used.
 */
export const bufferBytes = (o: SubjectOptions): number => o.liveBytes + 16 * o.liveBlocks + 16 * 2 ** 20;

/** How to run a pair in a native process instead of one.ts; the process prints one.ts's JSON line. */
export interface NativeCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** What a native subject gets to know about the workload. */
export interface WorkloadInput {
  readonly name: string;
  /** The input file (a trace), for workloads that read one. */
  readonly input: string | undefined;
  /** The run's scale (see WorkloadContext). */
  readonly scale: number;
}

/** An entry of the subject registry (bench/subjects.ts). Exactly one of `make` and `native`. */
export interface SubjectEntry {
  readonly description: string;
  /** In-process subject, made in a fresh one.ts process for each pair and repetition (before the clock starts). */
  readonly make?: (opts: SubjectOptions) => Subject | Promise<Subject>;
  /** Extra `node` flags for this subject's one.ts processes. */
  readonly nodeArgs?: readonly string[];
  /** Native subject: the command for a pair, or why it cannot run here (shown as "skipped: why"). */
  readonly native?: (w: WorkloadInput) => NativeCommand | { readonly skip: string };
}

/** Thrown when a subject lacks a member a workload needs. */
export class MissingMemberError extends Error {}

/**
 * `s`, typed as having `members`: throws MissingMemberError naming the first one it lacks. Call it
 * once, outside the timed loop.
 */
export function need<K extends SubjectMember>(s: Subject, members: readonly K[]): Subject & Required<Pick<Subject, K>> {
  for (const m of members) {
    if (typeof s[m] !== "function") throw new MissingMemberError(`the subject has no ${m}()`);
  }
  return s as Subject & Required<Pick<Subject, K>>;
}
