// One (trace, allocator) measurement, run inside a fresh worker so that V8's JIT state does not
// favour whichever allocator ran first. Parses first, then times a replay on a fresh allocator.
import { performance } from "node:perf_hooks";
import { analyzeTrace, type TraceAnalysis } from "../trace/analyze.js";
import { candidate } from "../trace/candidates.js";
import { replay } from "../trace/replay.js";
import { heapMap, type HeapMap } from "../trace/heap-map.js";
import { readBatches, readWhole, type TraceInput } from "./trace-input.js";
import { statSync } from "node:fs";
import { replayAsync } from "../trace/replay.js";
import { TraceAnalyzer } from "../trace/analyze.js";
import type { TraceOps } from "../trace/format.js";

/**
 * Traces whose file is larger than this are not loaded whole (about 17 bytes per operation once
 * parsed): they are streamed from the file twice, once to analyse and once to replay, and the
 * timing then includes parsing (the result says so).
 */
export const STREAM_ABOVE_BYTES = 256 << 20;

const isHuge = (input: TraceInput, above: number): boolean => input.kind === "file" && statSync(input.path).size > (input.path.endsWith(".gz") ? above / 8 : above);

async function measureStreaming(spec: PairSpec, name: string): Promise<PairResult> {
  const az = new TraceAnalyzer();
  for await (const b of readBatches(spec.input) as AsyncIterable<TraceOps>) az.add(b);
  const analysis = az.finish();
  const c = candidate(spec.allocator);
  if (!c) throw new Error(`no allocator "${spec.allocator}"`);
  const made = c.make(analysis);
  const startFootprint = made.pool.stats().footprintBytes.current;
  const sampleEvery = Math.max(1, Math.floor(analysis.ops / (spec.samples ?? 200)));
  const t0 = performance.now();
  const r = await replayAsync(readBatches(spec.input) as AsyncIterable<TraceOps>, made.allocator, { sampleEvery, checkEvery: spec.checkEvery ?? 0 });
  const seconds = (performance.now() - t0) / 1000;
  const pool = made.pool.stats();
  const samples = r.samples!;
  const peak = pool.footprintBytes.peak;
  return {
    trace: `${name} (streamed: timing includes parsing)`,
    allocator: spec.allocator,
    ops: r.ops,
    seconds,
    opsPerSec: r.ops / seconds,
    failures: r.failures,
    peakRequested: r.peakRequestedBytes,
    peakFootprint: peak,
    finalFootprint: pool.footprintBytes.current,
    startFootprint,
    utilization: peak > 0 ? r.peakRequestedBytes / peak : 0,
    fragmentation: peak > 0 ? 1 - r.peakRequestedBytes / peak : 0,
    samples: { op: [...samples.op], requested: [...samples.requestedBytes], footprint: [...samples.footprintBytes] },
    maps: [],
  };
}

export interface PairSpec {
  input: TraceInput;
  allocator: string;
  /** Samples of live and footprint bytes for charts. @defaultValue 200 */
  samples?: number;
  /** Heap maps at these shares of the trace (0..1), or "peak" for the moment of peak live bytes. */
  mapsAt?: (number | "peak")[];
  /** Validate the allocator every this many ops (and run with content verification). 0: never. */
  checkEvery?: number;
  /** Stream trace files larger than this many bytes instead of loading them whole. @defaultValue STREAM_ABOVE_BYTES */
  streamAbove?: number;
}

export interface HeapMapAt {
  op: number;
  label: string;
  map: { start: number; end: number; cellBytes: number; cells: number[]; fill: number[]; legend: string[] };
}

export interface PairResult {
  trace: string;
  allocator: string;
  error?: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
  failures: number;
  peakRequested: number;
  peakFootprint: number;
  finalFootprint: number;
  startFootprint: number;
  utilization: number;
  /** 1 - requested / footprint at the end of the timed replay's peak, from the allocator's stats. */
  fragmentation: number;
  samples: { op: number[]; requested: number[]; footprint: number[] };
  maps: HeapMapAt[];
}

export async function measure(spec: PairSpec, name: string): Promise<PairResult> {
  if (isHuge(spec.input, spec.streamAbove ?? STREAM_ABOVE_BYTES)) return measureStreaming(spec, name);
  const trace = await readWhole(spec.input);
  const analysis: TraceAnalysis = analyzeTrace(trace);
  const c = candidate(spec.allocator);
  if (!c) throw new Error(`no allocator "${spec.allocator}"`);
  const sampleEvery = Math.max(1, Math.floor(trace.length / (spec.samples ?? 200)));
  const checkEvery = spec.checkEvery ?? 0;

  // A warm-up replay on its own allocator, so that the timed one runs optimized code.
  if (checkEvery === 0) replay(trace, c.make(analysis).allocator, {});
  const made = c.make(analysis);
  const startFootprint = made.pool.stats().footprintBytes.current;
  const t0 = performance.now();
  const r = replay(trace, made.allocator, { sampleEvery, checkEvery, verify: checkEvery > 0 });
  const seconds = (performance.now() - t0) / 1000;
  const poolStats = made.pool.stats();
  const samples = r.samples!;
  const maps: HeapMapAt[] = [];
  for (const at of spec.mapsAt ?? []) {
    const op = at === "peak" ? analysis.peakLiveBytesAt : Math.round(at * trace.length);
    const m = c.make(analysis);
    replay(trace, m.allocator, { stopAt: op });
    const map: HeapMap = heapMap(m.pool, m.allocator, 2048);
    maps.push({
      op,
      label: at === "peak" ? `at peak live bytes (op ${op})` : `at ${Math.round((at as number) * 100)} % (op ${op})`,
      map: { start: map.start, end: map.end, cellBytes: map.cellBytes, cells: [...map.cells], fill: [...map.fill], legend: map.legend },
    });
  }
  const peakFootprint = poolStats.footprintBytes.peak;
  return {
    trace: name,
    allocator: spec.allocator,
    ops: r.ops,
    seconds,
    opsPerSec: r.ops / seconds,
    failures: r.failures,
    peakRequested: r.peakRequestedBytes,
    peakFootprint,
    finalFootprint: poolStats.footprintBytes.current,
    startFootprint,
    utilization: peakFootprint > 0 ? r.peakRequestedBytes / peakFootprint : 0,
    fragmentation: peakFootprint > 0 ? 1 - r.peakRequestedBytes / peakFootprint : 0,
    samples: { op: [...samples.op], requested: [...samples.requestedBytes], footprint: [...samples.footprintBytes] },
    maps,
  };
}
