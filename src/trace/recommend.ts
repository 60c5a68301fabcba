// Choosing an allocator for a trace from measured replays: the fastest of those whose
// utilization is close to the best, explained by what the trace analysis saw.
import type { TraceAnalysis } from "./analyze.js";

/** What a report measured for one allocator on one trace. */
export interface Measured {
  allocator: string;
  /** Replay failed (an error, a failed allocation, a broken check): never recommended. */
  error?: string;
  opsPerSec: number;
  /** Peak live payload / peak footprint. */
  utilization: number;
  peakFootprint: number;
}

export interface Recommendation {
  allocator: string;
  reason: string;
  /** Allocators from best to worst by the same rule, failed ones last. */
  ranking: string[];
}

/**
 * Utilization counts first: an allocator within `slack` of the best utilization is as good on
 * memory; among those, the fastest wins. Memory is what GC-free allocation exists to save, and a
 * few percent of utilization rarely matters next to a 2× in speed.
 */
export function recommend(analysis: TraceAnalysis, results: readonly Measured[], slack = 0.1): Recommendation | undefined {
  const ok = results.filter((r) => r.error === undefined && r.opsPerSec > 0);
  if (ok.length === 0) return undefined;
  const bestUtil = Math.max(...ok.map((r) => r.utilization));
  const close = ok.filter((r) => r.utilization >= bestUtil * (1 - slack));
  const byScore = (x: Measured, y: Measured) => y.opsPerSec - x.opsPerSec;
  const winners = close.slice().sort(byScore);
  const rest = ok.filter((r) => !close.includes(r)).sort((x, y) => y.utilization - x.utilization);
  const failed = results.filter((r) => !ok.includes(r));
  const ranking = [...winners, ...rest, ...failed].map((r) => r.allocator);
  const best = winners[0];
  const runnerUp = winners[1] ?? rest[0];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const parts: string[] = [];
  const why = PATTERN_REASONS[best.allocator]?.(analysis);
  if (why) parts.push(why);
  parts.push(`${pct(best.utilization)} utilization (best measured ${pct(bestUtil)})`);
  if (runnerUp) {
    const speed = best.opsPerSec / runnerUp.opsPerSec;
    parts.push(`${speed.toFixed(2)}× the ops/s of ${runnerUp.allocator}${runnerUp.utilization < bestUtil * (1 - slack) ? `, whose utilization is ${pct(runnerUp.utilization)}` : ""}`);
  }
  return { allocator: best.allocator, reason: parts.join("; "), ranking };
}

const has = (a: TraceAnalysis, p: string) => a.patterns.find((f) => f.pattern === p);

/** Why an allocator suits a trace, from the patterns the analysis found (undefined: nothing specific). */
const PATTERN_REASONS: Record<string, (a: TraceAnalysis) => string | undefined> = {
  pool: (a) => has(a, "one-dominant-size")?.evidence,
  slab: (a) => (has(a, "few-sizes") ?? has(a, "one-dominant-size"))?.evidence,
  region: (a) => (has(a, "phases") ?? has(a, "lifo"))?.evidence,
  buddy: (a) => (a.sizeHistogram.length <= 4 ? `sizes span only ${a.sizeHistogram.length} powers of two` : undefined),
  heap: (a) => (has(a, "long-lived-mixed") ?? has(a, "growing-buffer"))?.evidence ?? `${a.distinctSizes} distinct sizes from ${a.sizeMin} B to ${a.sizeMax} B`,
};
