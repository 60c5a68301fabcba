// The shared trace files (../shared/traces, beside the repository; never copied into it), the
// statistics the traces README gives for them, and an independent, deliberately naive reading of
// a trace to check the parser and the analysis against.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** build/test/support/ → the repository root → ../shared/traces. */
export const SHARED_TRACES = fileURLToPath(new URL("../../../../shared/traces/", import.meta.url));

/** The trace files, by path relative to SHARED_TRACES, or [] (with a reason) when the folder is missing. */
export function sharedTraceFiles(): { files: string[]; skip: string | false } {
  if (!existsSync(SHARED_TRACES)) return { files: [], skip: `shared traces not found at ${SHARED_TRACES}` };
  const files: string[] = [];
  for (const dir of ["malloclab", "real"]) {
    if (!existsSync(SHARED_TRACES + dir)) continue;
    for (const f of readdirSync(SHARED_TRACES + dir).sort()) if (f.endsWith(".rep") || f.endsWith(".trace")) files.push(`${dir}/${f}`);
  }
  return { files, skip: files.length === 0 ? `no trace files in ${SHARED_TRACES}` : false };
}

export interface TraceRow {
  ops: number;
  allocs: number;
  frees: number;
  reallocs: number;
  maxLiveBytes: number;
  maxLiveBlocks: number;
  sizes: [number, number, number];
}

/** The table of ../shared/traces/README.md. */
export const README_TABLE: Record<string, TraceRow> = {
  "malloclab/amptjp-bal.rep": { ops: 5694, allocs: 2847, frees: 2847, reallocs: 0, maxLiveBytes: 2012279, maxLiveBlocks: 932, sizes: [9, 4072, 10852] },
  "malloclab/binary-bal.rep": { ops: 12000, allocs: 6000, frees: 6000, reallocs: 0, maxLiveBytes: 1152000, maxLiveBlocks: 4000, sizes: [64, 448, 512] },
  "malloclab/binary2-bal.rep": { ops: 24000, allocs: 12000, frees: 12000, reallocs: 0, maxLiveBytes: 576000, maxLiveBlocks: 8000, sizes: [16, 112, 128] },
  "malloclab/cccp-bal.rep": { ops: 5848, allocs: 2924, frees: 2924, reallocs: 0, maxLiveBytes: 1679165, maxLiveBlocks: 823, sizes: [7, 4072, 21604] },
  "malloclab/coalescing-bal.rep": { ops: 14400, allocs: 7200, frees: 7200, reallocs: 0, maxLiveBytes: 8190, maxLiveBlocks: 2, sizes: [4095, 4095, 8190] },
  "malloclab/cp-decl-bal.rep": { ops: 6648, allocs: 3324, frees: 3324, reallocs: 0, maxLiveBytes: 3165325, maxLiveBlocks: 1153, sizes: [9, 4072, 21604] },
  "malloclab/expr-bal.rep": { ops: 5380, allocs: 2690, frees: 2690, reallocs: 0, maxLiveBytes: 3421135, maxLiveBlocks: 1166, sizes: [7, 4072, 43108] },
  "malloclab/random-bal.rep": { ops: 4800, allocs: 2400, frees: 2400, reallocs: 0, maxLiveBytes: 15612491, maxLiveBlocks: 927, sizes: [24, 16820, 32739] },
  "malloclab/random2-bal.rep": { ops: 4800, allocs: 2400, frees: 2400, reallocs: 0, maxLiveBytes: 14432586, maxLiveBlocks: 890, sizes: [39, 15968, 32755] },
  "malloclab/realloc-bal.rep": { ops: 14401, allocs: 4801, frees: 4801, reallocs: 4799, maxLiveBytes: 615040, maxLiveBlocks: 3, sizes: [128, 128, 614784] },
  "malloclab/realloc2-bal.rep": { ops: 14401, allocs: 4801, frees: 4801, reallocs: 4799, maxLiveBytes: 28119, maxLiveBlocks: 3, sizes: [16, 16, 28087] },
  "malloclab/short1-bal.rep": { ops: 12, allocs: 6, frees: 6, reallocs: 0, maxLiveBytes: 8144, maxLiveBlocks: 3, sizes: [48, 2040, 4072] },
  "malloclab/short2-bal.rep": { ops: 12, allocs: 6, frees: 6, reallocs: 0, maxLiveBytes: 18314, maxLiveBlocks: 6, sizes: [48, 4010, 4072] },
  "real/cmu-firefox-reddit.trace": { ops: 100958, allocs: 50117, frees: 50117, reallocs: 724, maxLiveBytes: 2191187, maxLiveBlocks: 44936, sizes: [1, 32, 32808] },
  "real/cmu-freeciv.trace": { ops: 61427, allocs: 30320, frees: 30320, reallocs: 787, maxLiveBytes: 5074109, maxLiveBlocks: 13705, sizes: [1, 12, 393488] },
  "real/python-json.trace": { ops: 429751, allocs: 211550, frees: 211550, reallocs: 6651, maxLiveBytes: 6133783, maxLiveBlocks: 71197, sizes: [1, 55, 444320] },
  "real/sqlite-insert.trace": { ops: 239022, allocs: 110629, frees: 110629, reallocs: 17764, maxLiveBytes: 2293564, maxLiveBlocks: 775, sizes: [6, 96, 262152] },
};

/**
 * Reads a valid trace the simple way (split into lines and fields, a Map of live ids): op letters,
 * ids and sizes as plain arrays, and the README's statistics. Independent of src/trace on purpose.
 */
export function naiveRead(text: string): { letters: string; ids: number[]; sizes: number[]; row: TraceRow } {
  const lines = text.split("\n");
  let header = 0;
  let letters = "";
  const ids: number[] = [];
  const sizes: number[] = [];
  const live = new Map<number, number>();
  const requested: number[] = [];
  const row: TraceRow = { ops: 0, allocs: 0, frees: 0, reallocs: 0, maxLiveBytes: 0, maxLiveBlocks: 0, sizes: [0, 0, 0] };
  let bytes = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (/^\d+$/.test(line) && row.ops === 0 && header < 4) {
      header++;
      continue;
    }
    const f = line.split(/\s+/);
    const id = Number(f[1]);
    const size = f[0] === "f" ? 0 : Number(f[2]);
    letters += f[0];
    ids.push(id);
    sizes.push(size);
    row.ops++;
    if (f[0] === "f") {
      row.frees++;
      bytes -= live.get(id)!;
      live.delete(id);
    } else {
      requested.push(size);
      if (f[0] === "r") row.reallocs++;
      else row.allocs++;
      bytes += size - (live.get(id) ?? 0);
      live.set(id, size);
    }
    row.maxLiveBytes = Math.max(row.maxLiveBytes, bytes);
    row.maxLiveBlocks = Math.max(row.maxLiveBlocks, live.size);
  }
  requested.sort((a, b) => a - b);
  const n = requested.length;
  row.sizes = n > 0 ? [requested[0], requested[(n - 1) >> 1], requested[n - 1]] : [0, 0, 0];
  return { letters, ids, sizes, row };
}
