// What recording costs: replays one trace through the toy allocator of the tests, unwrapped and
// wrapped in record() (plain, with timestamps, sizes only), in a fresh process per (mode,
// repetition), interleaved, and prints medians. The sink counts characters and drops them, so
// this measures the recorder, not a file system.
//
//   npm run build && node build/bench/record-overhead.js [--reps 7] [--trace FILE]
//
// Results: bench/results/record-overhead.md.
//
// Default trace: ../shared/traces/real/python-json.trace (429,751 ops), else the synthetic
// dominant-size trace. A child process (`--one MODE`) parses the trace untimed, warms up with two
// replays, then times five replays, each on a fresh allocator, and prints one JSON line with the
// median wall time and the median CPU time (user + system) of the five. The table compares CPU
// time: on a shared machine a process that waits for a core loses wall time, not CPU time.
//
// Processes differ from each other by more than the recorder costs when the machine is shared
// (which core, which neighbours), so a second measurement pairs the modes inside one process:
// `--paired MODE` alternates an unwrapped replay and a recorded one 15 times and reports the
// median of the 15 differences. The replay loop then sees two allocator classes in both modes,
// which costs both the same.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { Allocator } from "../src/core/allocator.js";
import { TraceOps } from "../src/trace/format.js";
import { parseTraceText } from "../src/trace/parse.js";
import { record } from "../src/trace/record.js";
import { replay } from "../src/trace/replay.js";
import { dominantSizeTrace } from "../src/trace/synthetic.js";
import { ToyAllocator } from "../test/support/toy-allocator.js";

const MODES = ["plain", "record", "record+timestamps", "record+sizesOnly"] as const;
type Mode = (typeof MODES)[number];

const DEFAULT_TRACE = fileURLToPath(new URL("../../../shared/traces/real/python-json.trace", import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function load(path: string | undefined): { name: string; trace: TraceOps } {
  const file = path ?? (existsSync(DEFAULT_TRACE) ? DEFAULT_TRACE : undefined);
  if (file === undefined) return { name: "synthetic dominant-size (200k ops)", trace: dominantSizeTrace({ ops: 200_000 }) };
  return { name: file.split("/").pop()!, trace: parseTraceText(readFileSync(file)) };
}

let chars = 0;
const sink = (chunk: string): void => {
  chars += chunk.length;
};

/** One replay of `trace` in `mode` on a fresh allocator: [wall ms, CPU ms]. */
function runOnce(trace: TraceOps, mode: Mode): [number, number] {
  const toy = new ToyAllocator({ initial: 64 << 20 });
  let a: Allocator = toy;
  let end = (): void => {};
  if (mode !== "plain") {
    const rec = record(toy, sink, { timestamps: mode === "record+timestamps", sizesOnly: mode === "record+sizesOnly" });
    a = rec;
    end = () => rec.end();
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  replay(trace, a);
  end();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}

/** Prints one JSON line: the median CPU and wall time of five replays in `mode`, after two to warm up. */
function one(mode: Mode, trace: TraceOps): void {
  runOnce(trace, mode);
  runOnce(trace, mode);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [w, c] = runOnce(trace, mode);
    wall.push(w);
    cpu.push(c);
  }
  console.log(JSON.stringify({ mode, ops: trace.length, wallMs: median(wall), cpuMs: median(cpu), charsPerRun: chars / 7 }));
}

/** Prints one JSON line: the median CPU time of unwrapped replays, and the median extra CPU time of `mode`, over 15 pairs. */
function paired(mode: Mode, trace: TraceOps): void {
  runOnce(trace, "plain");
  runOnce(trace, mode);
  const plain: number[] = [];
  const diffs: number[] = [];
  for (let i = 0; i < 15; i++) {
    // Alternate which goes first, so that a drift in the machine's speed cancels out.
    const first = i % 2 === 0 ? "plain" : mode;
    const a = runOnce(trace, first)[1];
    const b = runOnce(trace, first === "plain" ? mode : "plain")[1];
    const [p, r] = first === "plain" ? [a, b] : [b, a];
    plain.push(p);
    diffs.push(r - p);
  }
  console.log(JSON.stringify({ mode, ops: trace.length, plainCpuMs: median(plain), extraCpuMs: median(diffs) }));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function child(flag: string, mode: Mode, tracePath: string | undefined): Record<string, number> {
  const args = [fileURLToPath(import.meta.url), flag, mode, ...(tracePath ? ["--trace", tracePath] : [])];
  const out = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`${mode}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

function main(): void {
  const tracePath = arg("--trace");
  const oneMode = arg("--one");
  const pairedMode = arg("--paired");
  if (oneMode !== undefined) return one(oneMode as Mode, load(tracePath).trace);
  if (pairedMode !== undefined) return paired(pairedMode as Mode, load(tracePath).trace);
  const reps = Number(arg("--reps") ?? 7);
  const cpu = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  const wall = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  const extra = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  let ops = 0;
  let textChars = 0;
  for (let r = 0; r < reps; r++) {
    for (const m of MODES) {
      const line = child("--one", m, tracePath);
      cpu.get(m)!.push(line.cpuMs);
      wall.get(m)!.push(line.wallMs);
      ops = line.ops;
      if (m === "record") textChars = line.charsPerRun;
    }
  }
  for (let r = 0; r < Math.max(1, reps >> 1); r++) {
    for (const m of MODES) if (m !== "plain") extra.get(m)!.push(child("--paired", m, tracePath).extraCpuMs);
  }
  const base = median(cpu.get("plain")!);
  const ns = (ms: number): string => `${ms >= 0 ? "+" : ""}${((ms * 1e6) / ops).toFixed(0)} ns/op`;
  const pct = (ms: number): string => `${ms >= 0 ? "+" : ""}${((ms / base) * 100).toFixed(0)} %`;
  console.log(`trace: ${load(tracePath).name}, ${ops} ops, ${(textChars / 1024).toFixed(0)} KiB of trace text per recorded run`);
  console.log(`machine: ${cpus()[0]?.model ?? "unknown"} (${cpus().length} cores), node ${process.version}`);
  console.log(`separate: ${reps} processes per mode, median of 5 replays each; paired: ${Math.max(1, reps >> 1)} processes per mode, median of 15 pairs each`);
  console.log("| mode | CPU ms per replay | ns per op | extra, separate processes | extra, paired in one process | wall ms |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const m of MODES) {
    const ms = median(cpu.get(m)!);
    const sep = m === "plain" ? "" : `${pct(ms - base)} (${ns(ms - base)})`;
    const pair = m === "plain" ? "" : `${pct(median(extra.get(m)!))} (${ns(median(extra.get(m)!))})`;
    console.log(`| ${m} | ${ms.toFixed(1)} | ${((ms * 1e6) / ops).toFixed(0)} | ${sep} | ${pair} | ${median(wall.get(m)!).toFixed(1)} |`);
  }
}

main();
