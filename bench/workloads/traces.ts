// The "traces" workloads: one per trace file under the traces folder (malloclab/*.rep and
// real/*.trace), named by its path relative to that folder ("malloclab/amptjp-bal.rep"). The
// files are read at run time and never copied into the repository (see ../shared/traces/README.md).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Workload } from "../workload.js";
import { parseTrace, replay } from "./replay.js";

const FOLDERS = ["malloclab", "real"];

/** True for a name that is a trace workload. */
export const isTraceName = (name: string): boolean => name.endsWith(".rep") || name.endsWith(".trace");

/**
 * The share of each trace's ops replayed at `scale`: whole traces from scale 0.05 up; below it a
 * prefix of scale × 20 (quick, 0.005: a tenth). Blocks the prefix leaves live are freed untimed.
 * Traces are small next to the pool benchmark's 20 M allocations; a tenth keeps each quick pair
 * to a few tens of milliseconds. The native replayer takes the same fraction and rounds the same way.
 */
export const traceFraction = (scale: number): number => Math.min(1, scale * 20);

/** Ops replayed of a trace of `count` ops at `scale`. */
export const traceOps = (count: number, scale: number): number => Math.ceil(count * traceFraction(scale));

/**
 * Traces a --quick run replays: two real programs, a size-class pattern and a realloc pattern, so
 * that the whole quick run stays near a minute (each pair is a process start of its own).
 */
export const QUICK_TRACES = ["malloclab/binary-bal.rep", "malloclab/realloc-bal.rep", "real/python-json.trace", "real/sqlite-insert.trace"];

/**
 * The traces of the suite under `dir`, as workload names sorted by folder then file; empty if `dir`
 * is missing. The 12-op debugging traces (short*) time nothing but start-up and are left out (the
 * tests use them). `quick`: only QUICK_TRACES.
 */
export function listTraces(dir: string, quick: boolean): string[] {
  const out: string[] = [];
  for (const folder of FOLDERS) {
    const path = join(dir, folder);
    if (!existsSync(path)) continue;
    for (const f of readdirSync(path).sort()) {
      const name = `${folder}/${f}`;
      if (isTraceName(f) && !f.startsWith("short") && (!quick || QUICK_TRACES.includes(name))) out.push(name);
    }
  }
  return out;
}

/**
 * The workload replaying `name` from `dir`. Its capacity hint, for subjects that cannot grow: the
 * peak live payload and blocks, times two, for the allocator's headers and fragmentation.
 */
export function traceWorkload(dir: string, name: string): Workload {
  const file = join(dir, name);
  return {
    description: `replay of ${name}`,
    unit: "op",
    needs: ["alloc", "free", "realloc", "fill"],
    input: file,
    prepare(ctx) {
      const text = readFileSync(file, "latin1");
      const t = parseTrace(text, name, ctx.scale >= 1 ? Infinity : traceOps(countOps(text), ctx.scale));
      return {
        capacity: { liveBytes: 2 * t.peakLive, liveBlocks: 2 * t.peakLiveBlocks },
        run: (s) => replay(t, s),
      };
    },
  };
}

/**
 * Op lines of a whole trace: lines that start with a lower-case letter (ops are a, m, r and f;
 * comments start with #, header lines with a digit). A quick scan, so that a prefix parse stops at the prefix.
 */
export function countOps(text: string): number {
  let n = 0;
  let i = 0;
  while (i < text.length) {
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9) c = text.charCodeAt(++i); // blanks before the op, as the parser allows
    if (c >= 97 && c <= 122) n++; // a..z
    const eol = text.indexOf("\n", i);
    if (eol === -1) break;
    i = eol + 1;
  }
  return n;
}
