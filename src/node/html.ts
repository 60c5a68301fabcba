// The self-contained HTML report: inline SVG charts and CSS, no script, no network. Opens in any
// browser from a file.
import type { TraceAnalysis } from "../trace/analyze.js";
import type { Recommendation } from "../trace/recommend.js";
import { fmtBytes, heapMapSvg, type HeapMap } from "../trace/heap-map.js";
import type { PairResult } from "./measure.js";

export interface TraceReport {
  name: string;
  analysis: TraceAnalysis;
  results: PairResult[];
  failures: { allocator: string; error: string }[];
  recommendation: Recommendation | undefined;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
const COLORS = ["#2f7ed8", "#f28f43", "#8bbc21", "#910000", "#1aadce", "#492970", "#77a1e5", "#c42525"];

/** Requested bytes (solid) and footprint (dashed) over the replay, one colour per allocator. */
function liveChart(r: TraceReport): string {
  const W = 720;
  const H = 260;
  const pad = { l: 70, r: 150, t: 20, b: 30 };
  const maxOp = Math.max(1, ...r.results.map((x) => x.samples.op[x.samples.op.length - 1] ?? 1));
  const maxY = Math.max(1, ...r.results.flatMap((x) => x.samples.footprint), ...r.results.flatMap((x) => x.samples.requested));
  const X = (op: number) => pad.l + ((W - pad.l - pad.r) * op) / maxOp;
  const Y = (v: number) => H - pad.b - ((H - pad.t - pad.b) * v) / maxY;
  const path = (ops: number[], ys: number[]) => ops.map((op, i) => `${i === 0 ? "M" : "L"}${X(op).toFixed(1)},${Y(ys[i]).toFixed(1)}`).join("");
  const out = [`<svg class="chart live" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`];
  out.push(`<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#999"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (maxY * k) / 4;
    out.push(`<text x="${pad.l - 6}" y="${Y(v) + 4}" text-anchor="end" font-size="11">${fmtBytes(v)}</text>`);
  }
  out.push(`<text x="${(W - pad.r + pad.l) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">operations (0 – ${maxOp})</text>`);
  r.results.forEach((x, i) => {
    const c = COLORS[i % COLORS.length];
    out.push(`<path class="series" d="${path(x.samples.op, x.samples.footprint)}" fill="none" stroke="${c}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${W - pad.r + 8}" y="${pad.t + 14 + i * 16}" font-size="12" fill="${c}">${esc(x.allocator)} footprint</text>`);
  });
  const req = r.results[0];
  if (req) out.push(`<path class="series" d="${path(req.samples.op, req.samples.requested)}" fill="none" stroke="#222" stroke-width="1.5"/>`);
  out.push(`<text x="${W - pad.r + 8}" y="${pad.t + 14 + r.results.length * 16}" font-size="12" fill="#222">live payload</text>`);
  out.push("</svg>");
  return out.join("");
}

/** Requested sizes in power-of-two buckets. */
function sizeChart(a: TraceAnalysis): string {
  const W = 720;
  const H = 200;
  const pad = { l: 60, b: 40, t: 10 };
  const buckets = a.sizeHistogram;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = (W - pad.l) / Math.max(1, buckets.length);
  const out = [`<svg class="chart sizes" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`];
  buckets.forEach((b, i) => {
    const h = ((H - pad.b - pad.t) * b.count) / max;
    const x = pad.l + i * bw;
    out.push(`<rect class="bar" x="${x.toFixed(1)}" y="${(H - pad.b - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#2f7ed8"><title>${b.min}–${b.max} B: ${b.count}</title></rect>`);
    const every = Math.ceil(buckets.length / 12); // labels about 55 px apart at most
    if (i % every === 0) out.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${H - pad.b + 14}" font-size="10" text-anchor="middle">${fmtBytes(b.min)}</text>`);
  });
  out.push(`<text x="${pad.l - 6}" y="${pad.t + 10}" font-size="11" text-anchor="end">${max}</text>`);
  out.push(`<text x="${W / 2}" y="${H - 6}" font-size="11" text-anchor="middle">requested size (power-of-two buckets)</text></svg>`);
  return out.join("");
}

function resultsTable(r: TraceReport): string {
  const rows = r.results
    .map(
      (x) =>
        `<tr${r.recommendation?.allocator === x.allocator ? ' class="best"' : ""}><td>${esc(x.allocator)}</td><td>${(x.opsPerSec / 1e6).toFixed(2)} M</td><td>${fmtBytes(x.peakFootprint)}</td><td>${(x.utilization * 100).toFixed(1)} %</td><td>${x.failures}</td></tr>`,
    )
    .join("");
  const failed = r.failures.map((f) => `<tr class="failed"><td>${esc(f.allocator)}</td><td colspan="4">${esc(f.error)}</td></tr>`).join("");
  return `<table><thead><tr><th>allocator</th><th>ops/s</th><th>peak footprint</th><th>utilization</th><th>failed allocs</th></tr></thead><tbody>${rows}${failed}</tbody></table>`;
}

export function renderHtml(reports: TraceReport[], meta: { machine: string; command: string; date: string }): string {
  const sections = reports.map((r, i) => {
    const a = r.analysis;
    const patterns = a.patterns.map((p) => `<li><b>${esc(p.pattern)}</b>: ${esc(p.evidence)}</li>`).join("");
    const rec = r.recommendation ? `<p class="recommendation">Recommended: <b>${esc(r.recommendation.allocator)}</b> — ${esc(r.recommendation.reason)}</p>` : `<p class="recommendation">No allocator completed this trace.</p>`;
    const best = r.results.find((x) => x.allocator === r.recommendation?.allocator) ?? r.results[0];
    const maps = (best?.maps ?? [])
      .map((m) => `<figure>${heapMapSvg(toMap(m.map), { title: `${best.allocator}, ${m.label}`, width: 720 })}</figure>`)
      .join("");
    return `<section id="trace-${i}"><h2>${esc(r.name)}</h2>
<p>${a.ops} operations, ${a.allocs + a.alignedAllocs} allocations, ${a.reallocs} reallocs; peak ${fmtBytes(a.peakLiveBytes)} live in ${a.peakLiveBlocks} blocks; sizes ${a.sizeMin} B – ${a.sizeMax} B (median ${a.sizeMedian} B).</p>
<ul class="patterns">${patterns}</ul>
${rec}
${resultsTable(r)}
<h3>Live payload and footprint over the replay</h3>${r.results.length > 0 ? liveChart(r) : ""}
<h3>Size histogram</h3>${sizeChart(a)}
<h3>Heap map</h3>${maps}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>heapkit report</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }
td:first-child, th:first-child { text-align: left; } tr.best { background: #e8f3e0; } tr.failed td { color: #910000; text-align: left; }
.recommendation { font-size: 1.1em; } figure { margin: 0.5em 0; } section { border-top: 2px solid #eee; margin-top: 2em; }
footer { color: #777; font-size: 0.9em; margin-top: 3em; }
</style></head>
<body><h1>heapkit report</h1>
<p>Each trace replayed through each allocator that can serve it, each pair in a fresh worker; parsed first, then timed. Utilization = peak live payload / peak footprint (every byte taken from the memory, metadata included).</p>
${sections.join("\n")}
<footer>${esc(meta.machine)} · ${esc(meta.date)} · <code>${esc(meta.command)}</code></footer>
</body></html>
`;
}

function toMap(m: PairResult["maps"][number]["map"]): HeapMap {
  return { ...m, cells: Uint16Array.from(m.cells), fill: Uint8Array.from(m.fill) };
}
