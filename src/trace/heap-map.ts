// The heap map: the page area of a memory drawn as a strip of cells, each cell a fixed number of
// bytes, coloured by what occupies it: a free page, a used run, or — when the allocator can say
// (Mappable) — the structure inside a run (slabs of a class, segregated-fit chunks, huge blocks).
import { isMappable, type Allocator, type MapRegion } from "../core/allocator.js";
import type { PagePool } from "../pages/page-pool.js";

export interface HeapMap {
  /** First byte drawn (the page area's start) and the end of the tiled area (the pool's top). */
  start: number;
  end: number;
  cellBytes: number;
  /** Per cell: an index into `legend`. */
  cells: Uint16Array;
  /** Per cell: the share of its bytes in caller blocks, 0..255 (drawn as the cell's opacity). */
  fill: Uint8Array;
  legend: string[];
}

export const FREE_ROLE = "free page";
export const USED_ROLE = "used run";

/**
 * A snapshot of `pool`'s page area in at most `maxCells` cells (each cell a whole number of
 * frames). A cell takes the role that covers most of its bytes. O(runs + regions + cells).
 */
export function heapMap(pool: PagePool, allocator?: Allocator, maxCells = 4096): HeapMap {
  const start = pool.start;
  const end = Math.max(pool.top, start + pool.frameBytes);
  const frames = Math.ceil((end - start) / pool.frameBytes);
  const cellBytes = Math.ceil(frames / maxCells) * pool.frameBytes;
  const count = Math.ceil((end - start) / cellBytes);
  const legend = [FREE_ROLE, USED_ROLE];
  const weight = new Float64Array(count * 8);
  const used = new Float64Array(count);
  const roleIndex = (role: string): number => {
    let i = legend.indexOf(role);
    if (i < 0) i = legend.push(role) - 1;
    return i;
  };
  const paint = (from: number, bytes: number, role: number, usedBytes: number) => {
    const to = Math.min(from + bytes, end);
    for (let at = Math.max(from, start); at < to; ) {
      const cell = Math.floor((at - start) / cellBytes);
      const cellEnd = start + (cell + 1) * cellBytes;
      const part = Math.min(to, cellEnd) - at;
      if (role < 8) weight[cell * 8 + role] += part;
      used[cell] += (usedBytes / bytes) * part;
      at += part;
    }
  };
  for (const r of pool.runs()) paint(r.ptr, r.bytes, r.used ? 1 : 0, 0);
  const regions: MapRegion[] = allocator && isMappable(allocator) ? allocator.mapRegions() : [];
  for (const g of regions) {
    const role = roleIndex(g.role);
    if (role < 8) paint(g.start, g.bytes, role, g.usedBytes);
  }
  const cells = new Uint16Array(count);
  const fill = new Uint8Array(count);
  for (let c = 0; c < count; c++) {
    // A role painted over a used run wins over "used run" itself, which only says "not free".
    let best = 0;
    let bestWeight = weight[c * 8];
    for (let r = 1; r < 8; r++) {
      const w = r === 1 ? weight[c * 8 + 1] - regionWeight(weight, c) : weight[c * 8 + r];
      if (w > bestWeight) {
        best = r;
        bestWeight = w;
      }
    }
    cells[c] = best;
    fill[c] = best === 0 ? 0 : best === 1 ? 255 : Math.min(255, Math.round((used[c] / cellBytes) * 255));
  }
  return { start, end, cellBytes, cells, fill, legend: legend.slice(0, 8) };
}

function regionWeight(weight: Float64Array, c: number): number {
  let sum = 0;
  for (let r = 2; r < 8; r++) sum += weight[c * 8 + r];
  return sum;
}

const PALETTE = ["#e8e8e8", "#5b6770", "#2f7ed8", "#8bbc21", "#f28f43", "#910000", "#1aadce", "#77a1e5"];

const esc = (s: string): string => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The map as a standalone SVG: rows of cells, a legend, and the scale. */
export function heapMapSvg(map: HeapMap, opts: { width?: number; title?: string } = {}): string {
  const width = opts.width ?? 800;
  const cell = 8;
  const perRow = Math.max(1, Math.floor(width / cell));
  const rows = Math.ceil(map.cells.length / perRow);
  const legendY = rows * cell + 24;
  const height = legendY + 18 * Math.ceil(map.legend.length / 3) + 8;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 20}" viewBox="0 0 ${width} ${height + 20}" role="img">`,
    `<title>${esc(opts.title ?? "heap map")}</title>`,
    `<text x="0" y="12" font-family="sans-serif" font-size="12">${esc(opts.title ?? "heap map")} — ${map.cells.length} cells of ${fmtBytes(map.cellBytes)}, ${fmtBytes(map.end - map.start)} in all</text>`,
  ];
  for (let i = 0; i < map.cells.length; i++) {
    const x = (i % perRow) * cell;
    const y = 18 + Math.floor(i / perRow) * cell;
    const role = map.cells[i];
    const opacity = role <= 1 ? 1 : 0.35 + (0.65 * map.fill[i]) / 255;
    out.push(`<rect class="cell" x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${PALETTE[role]}" fill-opacity="${opacity.toFixed(2)}"/>`);
  }
  map.legend.forEach((name, i) => {
    const x = (i % 3) * Math.floor(width / 3);
    const y = legendY + Math.floor(i / 3) * 18;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${PALETTE[i]}"/><text x="${x + 16}" y="${y + 11}" font-family="sans-serif" font-size="12">${esc(name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
