// BENCHMARKS.md: each suite owns the text between its two markers,
//   <!-- bench:NAME -->  …  <!-- /bench:NAME -->
// and a run rewrites only the sections of the suites it ran. Text outside the markers is never
// touched, so the file's introduction is written by hand.
import type { PairSummary, SuiteResults } from "./results.js";
import type { ExtraColumn } from "./suites.js";

export const beginMarker = (name: string): string => `<!-- bench:${name} -->`;
export const endMarker = (name: string): string => `<!-- /bench:${name} -->`;

/**
 * `doc` with the section `name` holding `body` (markers kept). A section not yet there is appended.
 * Throws when a begin marker has no end marker after it, rather than swallow the rest of the file.
 */
export function replaceSection(doc: string, name: string, body: string): string {
  const begin = beginMarker(name);
  const end = endMarker(name);
  const block = `${begin}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(begin);
  if (i === -1) {
    if (doc.includes(end)) throw new Error(`BENCHMARKS.md: "${end}" without "${begin}"`);
    const sep = doc.length === 0 || doc.endsWith("\n\n") ? "" : doc.endsWith("\n") ? "\n" : "\n\n";
    return `${doc}${sep}${block}\n`;
  }
  const j = doc.indexOf(end, i + begin.length);
  if (j === -1) throw new Error(`BENCHMARKS.md: "${begin}" without "${end}"`);
  return doc.slice(0, i) + block + doc.slice(j + end.length);
}

// Number formats. Three significant digits: more would be noise on a shared machine.
export function fmtNs(x: number): string {
  if (!Number.isFinite(x)) return "–";
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return Math.round(x).toLocaleString("en-US");
}

export function fmtBytes(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return "–";
  if (x >= 1024 ** 3) return `${(x / 1024 ** 3).toFixed(1)} GiB`;
  if (x >= 1024 * 1024) return `${(x / (1024 * 1024)).toFixed(1)} MiB`;
  if (x >= 1024) return `${(x / 1024).toFixed(1)} KiB`;
  return `${Math.round(x)} B`;
}

export function fmtRatio(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return "–";
  return x < 0.1 ? x.toFixed(3) : x.toFixed(2);
}

function fmtRate(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return "–";
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

function fmtExtra(c: ExtraColumn, x: number | null | undefined): string {
  switch (c.format) {
    case "bytes":
      return fmtBytes(x);
    case "ratio":
      return fmtRatio(x);
    case "rate":
      return fmtRate(x);
    default:
      return x == null || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US");
  }
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The results table of a suite: one row per pair, grouped by workload. */
export function renderTable(r: SuiteResults, columns: readonly ExtraColumn[]): string {
  const head = [
    "workload",
    "subject",
    "ns/op (median)",
    "min",
    "max",
    ...columns.map((c) => c.label),
    "peak RSS",
    "GC ms",
    ...r.peers.map((p) => `vs ${p}`),
    "note",
  ];
  const rows = r.pairs.map((p) => row(p, r.peers, columns));
  return [head, head.map(() => "---"), ...rows].map((cells) => `| ${cells.map(cell).join(" | ")} |`).join("\n");
}

function row(p: PairSummary, peers: readonly string[], columns: readonly ExtraColumn[]): string[] {
  const dash = "–";
  if (p.status !== "ok") {
    return [p.workload, p.subject, `${p.status}: ${p.reason ?? ""}`, dash, dash, ...columns.map(() => dash), dash, dash, ...peers.map(() => dash), ""];
  }
  return [
    p.workload,
    p.subject,
    fmtNs(p.nsPerOp.median),
    fmtNs(p.nsPerOp.min),
    fmtNs(p.nsPerOp.max),
    ...columns.map((c) => fmtExtra(c, p.extra[c.key])),
    fmtBytes(p.maxRss),
    p.gcMs == null ? dash : p.gcMs.toFixed(1),
    ...peers.map((peer) => fmtRatio(p.ratios[peer])),
    p.note ?? "",
  ];
}

/** The whole section body of a suite: title, what it measures, machine, command, legend, table. */
export function renderSection(r: SuiteResults, about: string, columns: readonly ExtraColumn[]): string {
  const m = r.machine;
  return [
    `### ${r.title}`,
    "",
    about,
    "",
    `- Machine: ${m.cpu}, ${m.cores} cores, ${fmtBytes(Number(m.memoryBytes))}; ${m.os}; Node ${m.node}, V8 ${m.v8}; ` +
      `first write to a fresh 4 KiB page: ${m.pageTouchUs} µs.`,
    `- Command: \`${r.command}\` on ${r.date}: ${r.reps} repetitions per pair at scale ${r.scale}, each a fresh process, run in rep-major order.`,
    "- ns/op: median (min, max) over the repetitions. *vs X*: this row's median ÷ X's median on the same workload in the same run " +
      "(below 1: faster than X). Peak RSS (the whole process) and GC time (during the timed part) are medians. " +
      `Raw figures: \`bench/results/${r.suite}.json\`.`,
    "",
    renderTable(r, columns),
  ].join("\n");
}
