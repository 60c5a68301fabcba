// What recording costs: replays one trace through the toy allocator of the tests, unwrapped and
// wrapped in record() (plain, with timestamps, sizes only), in a fresh process per (mode,
// repetition), interleaved, and prints medians. The sink counts characters and drops them, so
// this measures the recorder, not a file system.
//
//   npm run build && node build/bench/record-overhead.js [--reps 7] [--trace FILE]
//
// Default trace: ../shared/traces/real/python-json.trace (429,751 ops), else the synthetic
// dominant-size trace. A child process (`--one MODE`) parses the trace untimed, warms up with two
// replays, then times five replays, each on a fresh allocator, and prints one JSON line with the
// median wall time and the median CPU time (user + system) of the five. The table compares CPU
// time: on a shared machine a process that waits for a core loses wall time, not CPU time.
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

function one(mode: Mode, tracePath: string | undefined): void {
  const { trace } = load(tracePath);
  let chars = 0;
  const sink = (chunk: string): void => {
    chars += chunk.length;
  };
  const make = (): { a: Allocator; end(): void } => {
    const toy = new ToyAllocator({ initial: 64 << 20 });
    if (mode === "plain") return { a: toy, end() {} };
    const rec = record(toy, sink, { timestamps: mode === "record+timestamps", sizesOnly: mode === "record+sizesOnly" });
    return { a: rec, end: () => rec.end() };
  };
  const run = (): [number, number] => {
    const { a, end } = make();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    replay(trace, a);
    end();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return [wall, (c.user + c.system) / 1000];
  };
  run();
  run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [w, c] = run();
    wall.push(w);
    cpu.push(c);
  }
  const mid = (xs: number[]): number => xs.sort((x, y) => x - y)[2];
  console.log(JSON.stringify({ mode, ops: trace.length, wallMs: mid(wall), cpuMs: mid(cpu), charsPerRun: chars / 7 }));
}

function main(): void {
  const tracePath = arg("--trace");
  const mode = arg("--one");
  if (mode !== undefined) return one(mode as Mode, tracePath);
  const reps = Number(arg("--reps") ?? 7);
  const self = fileURLToPath(import.meta.url);
  const cpu = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  const wall = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  let ops = 0;
  let chars = 0;
  for (let r = 0; r < reps; r++) {
    for (const m of MODES) {
      const args = [self, "--one", m, ...(tracePath ? ["--trace", tracePath] : [])];
      const out = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${m}: ${out.stderr}`);
      const line = JSON.parse(out.stdout.trim().split("\n").pop()!);
      cpu.get(m)!.push(line.cpuMs);
      wall.get(m)!.push(line.wallMs);
      ops = line.ops;
      if (m === "record") chars = line.charsPerRun;
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const base = median(cpu.get("plain")!);
  console.log(`trace: ${load(tracePath).name}, ${ops} ops, ${(chars / 1024).toFixed(0)} KiB of trace text per recorded run`);
  console.log(`machine: ${cpus()[0]?.model ?? "unknown"} (${cpus().length} cores), node ${process.version}; ${reps} processes per mode, median of 5 runs each`);
  console.log("| mode | CPU ms per replay | ns per op | overhead vs plain | wall ms |");
  console.log("|---|---:|---:|---:|---:|");
  for (const m of MODES) {
    const ms = median(cpu.get(m)!);
    const extra = m === "plain" ? "" : `${ms >= base ? "+" : ""}${(((ms - base) / base) * 100).toFixed(0)} % (${ms >= base ? "+" : ""}${(((ms - base) * 1e6) / ops).toFixed(0)} ns/op)`;
    console.log(`| ${m} | ${ms.toFixed(1)} | ${((ms * 1e6) / ops).toFixed(0)} | ${extra} | ${median(wall.get(m)!).toFixed(1)} |`);
  }
}

main();
