// `heapkit report`: analyse each trace, replay it through every allocator that can serve it (each
// pair in a fresh worker), print a table and a recommendation per trace, and optionally write the
// HTML report.
import { analyzeTrace, TraceAnalyzer, type TraceAnalysis } from "../trace/analyze.js";
import { CANDIDATES, type Candidate } from "../trace/candidates.js";
import { recommend } from "../trace/recommend.js";
import { TraceOps } from "../trace/format.js";
import type { PairResult } from "./measure.js";
import { runPair, isFailure } from "./run-pair.js";
import { inputName, readBatches, type TraceInput } from "./trace-input.js";
import { progress } from "./progress.js";
import type { TraceReport } from "./html.js";

export interface ReportOptions {
  /** Allocator names; default: every candidate marked byDefault. */
  allocators?: string[];
  maps: boolean;
  progress: boolean;
}

export async function analyzeInput(input: TraceInput): Promise<TraceAnalysis> {
  const src = readBatches(input);
  if (Array.isArray(src)) return analyzeTrace(src[0] as TraceOps);
  const az = new TraceAnalyzer();
  for await (const b of src as AsyncIterable<TraceOps>) az.add(b);
  return az.finish();
}

export function chooseCandidates(a: TraceAnalysis, names: string[] | undefined): { run: Candidate[]; skipped: { allocator: string; why: string }[] } {
  const pool = names ? CANDIDATES.filter((c) => names.includes(c.name)) : CANDIDATES.filter((c) => c.byDefault);
  const run: Candidate[] = [];
  const skipped: { allocator: string; why: string }[] = [];
  for (const c of pool) {
    const f = c.fits(a);
    if (f.ok) run.push(c);
    else skipped.push({ allocator: c.name, why: f.why });
  }
  return { run, skipped };
}

export async function report(inputs: TraceInput[], o: ReportOptions): Promise<TraceReport[]> {
  const analyses: TraceAnalysis[] = [];
  for (const input of inputs) analyses.push(await analyzeInput(input));
  const plans = analyses.map((a) => chooseCandidates(a, o.allocators));
  const total = plans.reduce((n, p) => n + p.run.length, 0);
  const bar = progress(total, o.progress);
  const reports: TraceReport[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const name = inputName(inputs[i]);
    const results: PairResult[] = [];
    const failures = plans[i].skipped.map((s) => ({ allocator: s.allocator, error: `not run: ${s.why}` }));
    for (const c of plans[i].run) {
      bar.step(`${name} × ${c.name}`);
      const r = await runPair({ input: inputs[i], allocator: c.name, mapsAt: o.maps ? [0.25, "peak", 1] : [] }, name);
      if (isFailure(r)) failures.push({ allocator: c.name, error: r.error });
      else if (r.failures > 0) failures.push({ allocator: c.name, error: `${r.failures} allocation(s) failed (out of memory)` });
      else results.push(r);
    }
    const measured = [...results.map((r) => ({ allocator: r.allocator, opsPerSec: r.opsPerSec, utilization: r.utilization, peakFootprint: r.peakFootprint }))];
    reports.push({ name, analysis: analyses[i], results, failures, recommendation: recommend(analyses[i], measured) });
  }
  bar.done();
  return reports;
}
