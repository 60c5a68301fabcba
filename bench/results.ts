// The shape of what a pair prints (one JSON line from one.ts or a native replayer) and of what the
// harness makes of a pair's repetitions. bench/results/<suite>.json holds a SuiteResults.
import { medianOrNull, ratio, spread, type Spread } from "./stats.js";

/** One repetition of one pair: the JSON line one.ts (or a native subject) prints. */
export type PairLine =
  | {
      readonly ok: true;
      readonly ops: number;
      readonly ns: number;
      /** Peak resident set of the process, bytes (process.resourceUsage().maxRSS · 1024). */
      readonly maxRss: number;
      /** Time in GC during the timed run (PerformanceObserver "gc" entries); null for native subjects. */
      readonly gcMs: number | null;
      readonly gcCount?: number;
      /** Operations of the untimed warm runs before the timed one (one.ts --warm), when there were any. */
      readonly warmOps?: number;
      readonly extra?: Readonly<Record<string, number | null>>;
      readonly note?: string;
    }
  | { readonly ok: false; readonly error: string; readonly skipped?: boolean };

/** Parses a pair's stdout: the last line that is a JSON object with a boolean `ok`. */
export function parsePairLine(stdout: string): PairLine | undefined {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === "object" && v !== null && typeof (v as { ok?: unknown }).ok === "boolean") {
        const p = v as PairLine;
        if (!p.ok || (Number.isFinite(p.ops) && Number.isFinite(p.ns))) return p;
      }
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

export interface PairSummary {
  readonly workload: string;
  readonly subject: string;
  readonly unit: string;
  /** "failed: reason" / "skipped: reason" when not ok. */
  readonly status: "ok" | "failed" | "skipped";
  readonly reason?: string;
  /** Successful repetitions. */
  readonly reps: number;
  /** ns per op over the repetitions. */
  readonly nsPerOp: Spread;
  readonly ops: number | null;
  /** Medians over the repetitions. */
  readonly maxRss: number | null;
  readonly gcMs: number | null;
  readonly extra: Readonly<Record<string, number | null>>;
  readonly note?: string;
  /** This pair's median ns/op divided by each peer's on the same workload; null where either is missing. */
  readonly ratios: Readonly<Record<string, number | null>>;
  /** Every repetition's line, in the order they ran. */
  readonly repetitions: readonly PairLine[];
}

export interface SuiteResults {
  readonly suite: string;
  readonly title: string;
  readonly command: string;
  readonly date: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly reps: number;
  readonly scale: number;
  readonly peers: readonly string[];
  readonly pairs: readonly PairSummary[];
}

/** What the harness collected for one pair over its repetitions. */
export interface PairRuns {
  readonly workload: string;
  readonly subject: string;
  readonly unit: string;
  readonly lines: readonly PairLine[];
}

/** Summarizes each pair (medians over its ok repetitions) and its ratios to `peers`. */
export function summarize(runs: readonly PairRuns[], peers: readonly string[]): PairSummary[] {
  const base = runs.map((r) => summarizeOne(r));
  const medianOf = (workload: string, subject: string): number | null => {
    const s = base.find((b) => b.workload === workload && b.subject === subject);
    return s && s.status === "ok" ? s.nsPerOp.median : null;
  };
  return base.map((b) => {
    const ratios: Record<string, number | null> = {};
    for (const peer of peers) {
      ratios[peer] = b.status === "ok" ? ratio(b.nsPerOp.median, medianOf(b.workload, peer)) : null;
    }
    return { ...b, ratios };
  });
}

function summarizeOne(r: PairRuns): PairSummary {
  const ok = r.lines.filter((l): l is Extract<PairLine, { ok: true }> => l.ok);
  const bad = r.lines.find((l): l is Extract<PairLine, { ok: false }> => !l.ok);
  const common = { workload: r.workload, subject: r.subject, unit: r.unit, ratios: {}, repetitions: r.lines };
  // A pair fails as a whole if any repetition failed: its other figures would be a biased sample.
  if (bad !== undefined || ok.length === 0) {
    return {
      ...common,
      status: bad?.skipped ? "skipped" : "failed",
      reason: bad?.error ?? "no repetition ran",
      reps: ok.length,
      nsPerOp: spread([]),
      ops: null,
      maxRss: null,
      gcMs: null,
      extra: {},
    };
  }
  const keys = [...new Set(ok.flatMap((l) => Object.keys(l.extra ?? {})))];
  const extra: Record<string, number | null> = {};
  for (const k of keys) extra[k] = medianOrNull(ok.map((l) => l.extra?.[k]));
  const notes = [...new Set(ok.map((l) => l.note).filter((n): n is string => !!n))];
  const summary: PairSummary = {
    ...common,
    status: "ok",
    reps: ok.length,
    nsPerOp: spread(ok.map((l) => l.ns / l.ops)),
    ops: medianOrNull(ok.map((l) => l.ops)),
    maxRss: medianOrNull(ok.map((l) => l.maxRss)),
    gcMs: medianOrNull(ok.map((l) => l.gcMs)),
    extra,
  };
  return notes.length > 0 ? { ...summary, note: notes.join("; ") } : summary;
}
