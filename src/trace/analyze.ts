// Analysis of a trace: the numbers an engineer looks at before choosing an allocator, and the
// patterns they show. One pass, O(ops) time, typed-array tables indexed by id, nothing allocated
// per operation; it takes a whole trace or the batches of a streamed one.
//
// Definitions (every "size" statistic is over all requested sizes, of a, m and r lines alike, as
// in the traces README; counts of blocks are over a and m):
//   live bytes      the sum of the requested sizes of the live blocks
//   lifetime        for a freed block, the number of operations from its a/m to its f (a realloc
//                   keeps the block); blocks never freed are counted apart
//   LIFO free       a free of the most recently allocated block that is still live
//   phase           the stretch between two troughs, where live blocks fall to at most
//                   max(1, phaseLowShare × the most blocks live since the previous trough), that
//                   most having been reached by allocations after it: "everything dies together".
//                   A phase counts when its peak is at least phaseMinBlocks and phaseSignificance
//                   of the trace's peak (so the last frees of a balanced trace, or a program's
//                   start-up, are not phases of their own)
//   grow chain      the number of reallocs of one block to a larger size during its life
// Histogram buckets are powers of two: bucket 0 holds 0, bucket k >= 1 holds [2^(k-1), 2^k - 1].
import { OP_ALIGNED, OP_ALLOC, OP_FREE, TRACE_MAX_ID, type TraceOps, type TraceSource } from "./format.js";
import { badTrace, batchesOf, growU32 } from "./internal.js";
import { U32Map } from "./u32-map.js";

/** The thresholds that decide each pattern. The defaults are round numbers, not tuned on the shared traces (so as not to fit them). */
export interface PatternThresholds {
  /** one-dominant-size: the most common size is at least this share of requests. @defaultValue 0.5 */
  dominantShare: number;
  /** few-sizes: at most this many sizes ... @defaultValue 8 */
  fewSizesCount: number;
  /** ... make at least this share of requests. @defaultValue 0.95 */
  fewSizesShare: number;
  /** lifo: at least this share of frees are LIFO frees. @defaultValue 0.5 */
  lifoShare: number;
  /** phases: a trough is at most this share of the phase's peak of live blocks. @defaultValue 0.05 */
  phaseLowShare: number;
  /** phases: a phase counts once this many blocks were live in it ... @defaultValue 4 */
  phaseMinBlocks: number;
  /** ... and this share of the trace's peak of live blocks. @defaultValue 0.1 */
  phaseSignificance: number;
  /** phases: at least this many phases. @defaultValue 3 */
  phaseMinCount: number;
  /** growing-buffer: some block grew by realloc at least this many times. @defaultValue 8 */
  growChain: number;
  /** long-lived-mixed: at least this share of blocks live 1/16 of the trace or more (or to its end) ... @defaultValue 0.1 */
  longLivedShare: number;
  /** ... and at least this many power-of-two size buckets each hold 5 % of requests or more. @defaultValue 3 */
  mixedBuckets: number;
}

export const DEFAULT_THRESHOLDS: Readonly<PatternThresholds> = {
  dominantShare: 0.5,
  fewSizesCount: 8,
  fewSizesShare: 0.95,
  lifoShare: 0.5,
  phaseLowShare: 0.05,
  phaseMinBlocks: 4,
  phaseSignificance: 0.1,
  phaseMinCount: 3,
  growChain: 8,
  longLivedShare: 0.1,
  mixedBuckets: 3,
};

export type TracePattern = "one-dominant-size" | "few-sizes" | "lifo" | "phases" | "growing-buffer" | "long-lived-mixed";

/** A pattern the trace shows, with the numbers that show it. */
export interface PatternFinding {
  pattern: TracePattern;
  /** One sentence with the evidence, for a report. */
  evidence: string;
  /** The same evidence as numbers. */
  numbers: Record<string, number>;
}

/** One power-of-two bucket: values in [min, max]. */
export interface Bucket {
  min: number;
  max: number;
  count: number;
}

export interface TraceAnalysis {
  ops: number;
  /** `a` lines. */
  allocs: number;
  /** `m` lines. */
  alignedAllocs: number;
  reallocs: number;
  frees: number;
  /** Share of operations that allocate (a and m). */
  allocShare: number;
  /** Operations per allocation: 2 for a trace of alloc/free pairs. */
  opsPerAlloc: number;
  reallocShare: number;
  /** Reallocs to a larger size. */
  growingReallocs: number;
  peakLiveBytes: number;
  /** Operations done when live bytes first reached the peak. */
  peakLiveBytesAt: number;
  peakLiveBlocks: number;
  liveBlocksAtEnd: number;
  liveBytesAtEnd: number;
  /** Sum of every requested size. */
  totalRequestedBytes: number;
  sizeMin: number;
  /** The lower median, sizes[(n - 1) / 2] of the sorted sizes, as tracestat.py computes it. */
  sizeMedian: number;
  sizeMax: number;
  distinctSizes: number;
  /** Power-of-two buckets of requested sizes, from the first non-empty to the last. */
  sizeHistogram: Bucket[];
  /** The most common sizes with exact counts, most common first (ties: smaller size first). */
  topSizes: { size: number; count: number; share: number }[];
  /** Power-of-two buckets of lifetimes (in operations) of freed blocks. */
  lifetimeHistogram: Bucket[];
  neverFreed: number;
  lifoFrees: number;
  lifoShare: number;
  phases: number;
  /** Mean operations per phase and mean peak live blocks per phase (0 without phases). */
  meanPhaseOps: number;
  meanPhasePeakBlocks: number;
  /** The most times one block grew by realloc. */
  maxGrowChain: number;
  /** Blocks that grew by realloc at least `growChain` times. */
  growingBlocks: number;
  /**
   * Blocks that lived 1/16 of the trace or more (by lifetime bucket: those whose minimum is at
   * least ops / 16), or were never freed, as a share of blocks.
   */
  longLivedShare: number;
  /** Operations that did not fit a valid trace (free of an id that is not live, ...): skipped. 0 for parsed traces. */
  invalidOps: number;
  patterns: PatternFinding[];
}

export interface AnalyzeOptions {
  /** How many sizes `topSizes` lists. @defaultValue 10 */
  topSizes?: number;
  thresholds?: Partial<PatternThresholds>;
}

const bucketOf = (v: number): number => (v === 0 ? 0 : v < 0x1_0000_0000 ? 32 - Math.clz32(v) : Math.floor(Math.log2(v)) + 1);
const BUCKETS = 54; // values below 2^53

/** Streaming analysis: add() each batch, then finish(). analyzeTrace drives one. */
export class TraceAnalyzer {
  private readonly topN: number;
  private readonly th: PatternThresholds;
  private ops = 0;
  private allocs = 0;
  private aligned = 0;
  private reallocs = 0;
  private frees = 0;
  private growing = 0;
  private invalid = 0;
  // Per id: live flag (size + 1, 0 when not live), allocation op, grows.
  private liveSize = new Float64Array(1024);
  private bornAt = new Float64Array(1024);
  private grows = new Uint32Array(1024);
  private liveBlocks = 0;
  private liveBytes = 0;
  private peakBytes = 0;
  private peakBytesAt = 0;
  private peakBlocks = 0;
  private totalBytes = 0;
  private readonly sizeCounts = new U32Map(256);
  private readonly sizeBuckets = new Float64Array(BUCKETS);
  private readonly lifeBuckets = new Float64Array(BUCKETS);
  // LIFO: a stack of (id, bornAt) in allocation order; an entry is dead once its block is freed
  // (bornAt[id] no longer matches). Dead entries are dropped lazily from the top, and all at once
  // when they outnumber the live ones, so the stack stays O(live) and each entry is popped once.
  private stackId = new Uint32Array(1024);
  private stackBorn = new Float64Array(1024);
  private stackTop = 0;
  private lifo = 0;
  // Phases: the peak and length of each phase, filtered by significance at the end.
  private phaseHigh = 0; // most blocks live since the last trough, reached by an allocation after it
  private phaseStart = 0;
  private phasePeak = new Float64Array(64);
  private phaseLen = new Float64Array(64);
  private phaseCount = 0;
  private maxGrow = 0;
  private growingBlocks = 0;

  constructor(opts: AnalyzeOptions = {}) {
    this.topN = opts.topSizes ?? 10;
    this.th = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  }

  add(batch: TraceOps): void {
    const n = batch.length;
    const ops = batch.op;
    const ids = batch.id;
    const sizes = batch.size;
    const growChain = this.th.growChain;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      const id = ids[i];
      if (id >= this.liveSize.length) this.grow(id);
      const at = this.ops++;
      const cur = this.liveSize[id]; // size + 1 while live, else 0
      if (op === OP_FREE) {
        if (cur === 0) {
          this.invalid++;
          continue;
        }
        this.frees++;
        this.liveSize[id] = 0;
        this.liveBytes -= cur - 1;
        this.liveBlocks--;
        const born = this.bornAt[id];
        this.lifeBuckets[bucketOf(at - born)]++;
        this.popLifo(id, born);
        this.trough(at + 1);
        continue;
      }
      const size = sizes[i];
      if ((cur !== 0) === (op === OP_ALLOC || op === OP_ALIGNED)) {
        this.invalid++; // an allocation of a live id, or a realloc of one that is not
        continue;
      }
      this.sizeCounts.add(size, 1);
      this.sizeBuckets[bucketOf(size)]++;
      this.totalBytes += size;
      if (op === OP_ALLOC || op === OP_ALIGNED) {
        if (op === OP_ALLOC) this.allocs++;
        else this.aligned++;
        this.liveSize[id] = size + 1;
        this.bornAt[id] = at;
        this.grows[id] = 0;
        this.liveBytes += size;
        if (++this.liveBlocks > this.peakBlocks) this.peakBlocks = this.liveBlocks;
        if (this.liveBlocks > this.phaseHigh) this.phaseHigh = this.liveBlocks;
        this.pushLifo(id, at);
      } else {
        this.reallocs++;
        if (size > cur - 1) {
          this.growing++;
          const g = ++this.grows[id];
          if (g > this.maxGrow) this.maxGrow = g;
          if (g === growChain) this.growingBlocks++;
        }
        this.liveSize[id] = size + 1;
        this.liveBytes += size - (cur - 1);
      }
      if (this.liveBytes > this.peakBytes) {
        this.peakBytes = this.liveBytes;
        this.peakBytesAt = at + 1;
      }
    }
  }

  finish(): TraceAnalysis {
    const th = this.th;
    const ops = this.ops;
    const blocks = this.allocs + this.aligned;
    const requests = blocks + this.reallocs;

    // Sizes: exact counts, sorted by size for the median and by count for the top list.
    const n = this.sizeCounts.size;
    const sz = new Float64Array(n);
    const ct = new Float64Array(n);
    let k = 0;
    this.sizeCounts.forEach((s, c) => {
      sz[k] = s;
      ct[k++] = c;
    });
    const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => sz[a] - sz[b]);
    let median = 0;
    for (let i = 0, seen = 0, want = Math.floor((requests - 1) / 2); i < n; i++) {
      seen += ct[bySize[i]];
      if (seen > want) {
        median = sz[bySize[i]];
        break;
      }
    }
    const byCount = bySize.slice().sort((a, b) => ct[b] - ct[a] || sz[a] - sz[b]);
    const topSizes = byCount.slice(0, this.topN).map((i) => ({ size: sz[i], count: ct[i], share: ct[i] / requests }));

    let phases = 0;
    let phaseOps = 0;
    let phasePeaks = 0;
    const significant = Math.max(th.phaseMinBlocks, th.phaseSignificance * this.peakBlocks);
    for (let i = 0; i < this.phaseCount; i++) {
      if (this.phasePeak[i] < significant) continue;
      phases++;
      phaseOps += this.phaseLen[i];
      phasePeaks += this.phasePeak[i];
    }

    let neverFreed = 0;
    for (let id = 0; id < this.liveSize.length; id++) if (this.liveSize[id] !== 0) neverFreed++;
    // Long-lived: lifetimes in the buckets whose minimum is at least 1/16 of the trace, plus survivors.
    let longLived = neverFreed;
    let b0 = 1;
    while (2 ** (b0 - 1) < ops / 16) b0++;
    for (let b = b0; b < BUCKETS; b++) longLived += this.lifeBuckets[b];

    const a: TraceAnalysis = {
      ops,
      allocs: this.allocs,
      alignedAllocs: this.aligned,
      reallocs: this.reallocs,
      frees: this.frees,
      allocShare: ops > 0 ? blocks / ops : 0,
      opsPerAlloc: blocks > 0 ? ops / blocks : 0,
      reallocShare: ops > 0 ? this.reallocs / ops : 0,
      growingReallocs: this.growing,
      peakLiveBytes: this.peakBytes,
      peakLiveBytesAt: this.peakBytesAt,
      peakLiveBlocks: this.peakBlocks,
      liveBlocksAtEnd: this.liveBlocks,
      liveBytesAtEnd: this.liveBytes,
      totalRequestedBytes: this.totalBytes,
      sizeMin: n > 0 ? sz[bySize[0]] : 0,
      sizeMedian: median,
      sizeMax: n > 0 ? sz[bySize[n - 1]] : 0,
      distinctSizes: n,
      sizeHistogram: buckets(this.sizeBuckets),
      topSizes,
      lifetimeHistogram: buckets(this.lifeBuckets),
      neverFreed,
      lifoFrees: this.lifo,
      lifoShare: this.frees > 0 ? this.lifo / this.frees : 0,
      phases,
      meanPhaseOps: phases > 0 ? phaseOps / phases : 0,
      meanPhasePeakBlocks: phases > 0 ? phasePeaks / phases : 0,
      maxGrowChain: this.maxGrow,
      growingBlocks: this.growingBlocks,
      longLivedShare: blocks > 0 ? longLived / blocks : 0,
      invalidOps: this.invalid,
      patterns: [],
    };
    a.patterns = classify(a, th, this.sizeBuckets, requests);
    return a;
  }

  private pushLifo(id: number, born: number): void {
    if (this.stackTop === this.stackId.length) {
      if (this.stackTop > 2 * this.liveBlocks + 64) this.compactLifo();
      if (this.stackTop === this.stackId.length) {
        this.stackId = growU32(this.stackId, this.stackTop + 1);
        const b = new Float64Array(this.stackId.length);
        b.set(this.stackBorn);
        this.stackBorn = b;
      }
    }
    this.stackId[this.stackTop] = id;
    this.stackBorn[this.stackTop++] = born;
  }

  /** Called for a free of `id`, which was born at `born` and is already marked not live. */
  private popLifo(id: number, born: number): void {
    // Drop dead entries from the top: the top live entry is the most recent live block.
    let t = this.stackTop;
    while (t > 0) {
      const e = this.stackId[t - 1];
      if (e === id && this.stackBorn[t - 1] === born) break;
      if (this.liveSize[e] !== 0 && this.bornAt[e] === this.stackBorn[t - 1]) break; // live: stop
      t--;
    }
    if (t > 0 && this.stackId[t - 1] === id && this.stackBorn[t - 1] === born) {
      this.lifo++;
      t--;
    }
    this.stackTop = t;
  }

  private compactLifo(): void {
    let w = 0;
    for (let r = 0; r < this.stackTop; r++) {
      const e = this.stackId[r];
      if (this.liveSize[e] !== 0 && this.bornAt[e] === this.stackBorn[r]) {
        this.stackId[w] = e;
        this.stackBorn[w++] = this.stackBorn[r];
      }
    }
    this.stackTop = w;
  }

  /** After a free at op count `done`: a trough ends a phase. */
  private trough(done: number): void {
    const high = this.phaseHigh;
    if (high >= this.th.phaseMinBlocks && this.liveBlocks <= Math.max(1, Math.floor(high * this.th.phaseLowShare))) {
      const k = this.phaseCount++;
      if (k === this.phasePeak.length) {
        const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
          const b = new Float64Array(k * 2);
          b.set(a);
          return b;
        };
        this.phasePeak = grow(this.phasePeak);
        this.phaseLen = grow(this.phaseLen);
      }
      this.phasePeak[k] = high;
      this.phaseLen[k] = done - this.phaseStart;
      this.phaseStart = done;
      this.phaseHigh = 0; // the frees that follow a trough do not make troughs of their own
    }
  }

  private grow(id: number): void {
    if (id > TRACE_MAX_ID) badTrace(0, `op ${this.ops + 1}: id ${id} is above ${TRACE_MAX_ID}`, "", id);
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      let len = a.length * 2;
      while (len <= id) len *= 2;
      const b = new Float64Array(len);
      b.set(a);
      return b;
    };
    this.liveSize = f64(this.liveSize);
    this.bornAt = f64(this.bornAt);
    this.grows = growU32(this.grows, this.liveSize.length);
  }
}

/** The non-empty range of a bucket array, as buckets. */
function buckets(counts: Float64Array): Bucket[] {
  let lo = 0;
  let hi = counts.length - 1;
  while (lo <= hi && counts[lo] === 0) lo++;
  while (hi >= lo && counts[hi] === 0) hi--;
  const out: Bucket[] = [];
  for (let b = lo; b <= hi; b++) out.push({ min: b === 0 ? 0 : 2 ** (b - 1), max: b === 0 ? 0 : 2 ** b - 1, count: counts[b] });
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function classify(a: TraceAnalysis, th: PatternThresholds, sizeBuckets: Float64Array, requests: number): PatternFinding[] {
  const out: PatternFinding[] = [];
  const top = a.topSizes;
  if (top.length > 0 && top[0].share >= th.dominantShare) {
    out.push({
      pattern: "one-dominant-size",
      evidence: `${top[0].size} B is ${pct(top[0].share)} of ${requests} requested sizes`,
      numbers: { size: top[0].size, share: top[0].share, requests },
    });
  }
  let covered = 0;
  let few = 0;
  for (; few < Math.min(th.fewSizesCount, top.length) && covered / requests < th.fewSizesShare; few++) covered += top[few].count;
  const fewShare = requests > 0 ? covered / requests : 0;
  if (requests > 0 && fewShare >= th.fewSizesShare) {
    const list = top.slice(0, few).map((t) => t.size).join(", ");
    out.push({
      pattern: "few-sizes",
      evidence: `${few} size${few === 1 ? "" : "s"} (${list} B) make ${pct(fewShare)} of requests; ${a.distinctSizes} distinct sizes in all`,
      numbers: { sizes: few, share: fewShare, distinctSizes: a.distinctSizes },
    });
  }
  if (a.frees > 0 && a.lifoShare >= th.lifoShare) {
    out.push({
      pattern: "lifo",
      evidence: `${pct(a.lifoShare)} of ${a.frees} frees free the most recently allocated live block`,
      numbers: { share: a.lifoShare, frees: a.frees },
    });
  }
  if (a.phases >= th.phaseMinCount) {
    out.push({
      pattern: "phases",
      evidence:
        `live blocks fell to ${pct(th.phaseLowShare)} or less of their peak ${a.phases} times: ` +
        `phases of ${a.meanPhaseOps.toFixed(0)} operations and ${a.meanPhasePeakBlocks.toFixed(0)} blocks on average`,
      numbers: { phases: a.phases, meanPhaseOps: a.meanPhaseOps, meanPhasePeakBlocks: a.meanPhasePeakBlocks },
    });
  }
  if (a.maxGrowChain >= th.growChain) {
    const growShare = a.reallocs > 0 ? a.growingReallocs / a.reallocs : 0;
    out.push({
      pattern: "growing-buffer",
      evidence:
        `a block grew by realloc ${a.maxGrowChain} times; ${a.growingBlocks} block${a.growingBlocks === 1 ? "" : "s"} grew ${th.growChain} times or more; ` +
        `${pct(growShare)} of ${a.reallocs} reallocs grow`,
      numbers: { maxGrowChain: a.maxGrowChain, growingBlocks: a.growingBlocks, growShare, reallocs: a.reallocs },
    });
  }
  let wide = 0;
  for (let b = 0; b < sizeBuckets.length; b++) if (requests > 0 && sizeBuckets[b] / requests >= 0.05) wide++;
  if (a.longLivedShare >= th.longLivedShare && wide >= th.mixedBuckets && fewShare < th.fewSizesShare) {
    out.push({
      pattern: "long-lived-mixed",
      evidence:
        `${pct(a.longLivedShare)} of blocks live 1/16 of the trace or longer (${a.neverFreed} never freed), ` +
        `and sizes spread over ${wide} power-of-two buckets holding 5 % of requests or more`,
      numbers: { longLivedShare: a.longLivedShare, neverFreed: a.neverFreed, sizeBuckets: wide },
    });
  }
  return out;
}

/** Analyses a whole trace, or the batches of a streamed one. */
export function analyzeTrace(trace: TraceSource, opts: AnalyzeOptions = {}): TraceAnalysis {
  const an = new TraceAnalyzer(opts);
  for (const b of batchesOf(trace)) an.add(b);
  return an.finish();
}
