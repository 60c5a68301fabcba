// The `heapkit` command. Exit codes: 0 done; 1 an allocator failed (an error during a replay, a
// failed check); 2 bad usage; 3 a missing, unreadable or malformed input file.
import { parseArgs } from "node:util";
import { writeFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { HeapError } from "../core/errors.js";
import { CANDIDATES, candidate } from "../trace/candidates.js";
import { replay } from "../trace/replay.js";
import { analyzeTrace } from "../trace/analyze.js";
import { heapMap, heapMapSvg } from "../trace/heap-map.js";
import { report } from "./report.js";
import { renderHtml } from "./html.js";
import { InputError, bundledInputs, inputName, parseInput, readWhole, type TraceInput } from "./trace-input.js";
import { fmtBytes, fmtPct, fmtRate, table } from "./table.js";

const USAGE: Record<string, string> = {
  main: `heapkit — record, replay, compare and choose allocators

usage: heapkit <command> [options]

commands:
  report [trace...]   replay traces through every allocator, compare, recommend (default: bundled traces)
  replay <trace>      one replay through one allocator, with its stats
  map <trace>         draw the heap map at one moment of a replay
  bench [...]         run the benchmark harness (from a source checkout)

A trace is a file (heapkit .trace or malloc-lab .rep, optionally .gz) or synthetic:NAME.
Every command takes --json and --help.`,
  report: `usage: heapkit report [trace...] [options]

Replays each trace through each allocator that can serve it (each pair in a fresh worker thread),
measures ops/s, peak footprint and utilization, and recommends one allocator per trace, with the
reason. With no trace, uses the traces bundled with heapkit and the synthetic ones.

options:
  --allocator a,b   only these allocators (${CANDIDATES.map((c) => c.name).join(", ")})
  --html FILE       also write a self-contained HTML report with charts and heap maps
  --no-maps         skip the heap maps (faster)
  --json            print the results as JSON`,
  replay: `usage: heapkit replay <trace> --allocator NAME [--check [N]] [--json]

  --allocator NAME  ${CANDIDATES.map((c) => c.name).join(", ")} (default: heap); NAME:checked for checked mode
  --check N         run in checked mode (red zones, poisoning, quarantine), verify every block's
                    contents, and validate the allocator every N operations (default 1000)`,
  map: `usage: heapkit map <trace> --at <op|percent%> [--allocator NAME] [--svg FILE] [--json]

Replays the trace up to the given operation (or share of it, such as 50%) and draws the memory
as a strip of cells coloured by state and allocator structure.`,
  bench: `usage: heapkit bench [harness options]   (runs node build/bench/run.js from a source checkout)`,
};

class UsageError extends Error {}

function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? "unknown CPU"}, ${c.length} cores, ${fmtBytes(totalmem())}, node ${process.version}, V8 ${process.versions.v8}`;
}

function allocatorArg(v: string | undefined): string {
  const name = v ?? "heap";
  if (!candidate(name)) throw new UsageError(`no allocator "${name}"; there are: ${CANDIDATES.map((c) => c.name).join(", ")}`);
  return name;
}

async function cmdReport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { allocator: { type: "string" }, html: { type: "string" }, "no-maps": { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) return help("report");
  const inputs: TraceInput[] = positionals.length > 0 ? positionals.map(parseInput) : bundledInputs();
  const allocators = values.allocator?.split(",").map((s) => allocatorArg(s.trim()));
  const started = Date.now();
  const reports = await report(inputs, { allocators, maps: !values["no-maps"] && values.html !== undefined, progress: !values.json });
  const command = `heapkit report ${args.join(" ")}`.trim();
  if (values.json) {
    const slim = reports.map((r) => ({ ...r, results: r.results.map(({ samples: _s, maps: _m, ...rest }) => rest) }));
    console.log(JSON.stringify({ machine: machine(), command, reports: slim }, null, 2));
  } else {
    for (const r of reports) {
      const a = r.analysis;
      console.log(`\n${r.name}: ${a.ops} ops, peak ${fmtBytes(a.peakLiveBytes)} live in ${a.peakLiveBlocks} blocks, sizes ${a.sizeMin}–${a.sizeMax} B (median ${a.sizeMedian} B)`);
      for (const p of a.patterns) console.log(`  · ${p.pattern}: ${p.evidence}`);
      const rows = r.results.map((x) => [x.allocator, fmtRate(x.opsPerSec), fmtBytes(x.peakFootprint), fmtPct(x.utilization)]);
      for (const f of r.failures) rows.push([f.allocator, "–", "–", "–"]);
      console.log(table(["allocator", "ops/s", "peak footprint", "utilization"], rows));
      for (const f of r.failures) console.log(`  ${f.allocator}: ${f.error}`);
      console.log(r.recommendation ? `→ use ${r.recommendation.allocator}: ${r.recommendation.reason}` : "→ no allocator completed this trace");
    }
    console.log(`\n${reports.length} trace(s) in ${((Date.now() - started) / 1000).toFixed(1)} s on ${machine()}`);
  }
  if (values.html) {
    writeFileSync(values.html, renderHtml(reports, { machine: machine(), command, date: new Date().toISOString() }));
    if (!values.json) console.log(`HTML report written to ${values.html}`);
  }
  const broken = reports.some((r) => r.failures.some((f) => !f.error.startsWith("not run")));
  return broken ? 1 : 0;
}

async function cmdReplay(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { allocator: { type: "string" }, check: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) return help("replay");
  if (positionals.length !== 1) throw new UsageError("replay takes exactly one trace");
  const input = parseInput(positionals[0]);
  const name = allocatorArg(values.allocator);
  const checkEvery = values.check === undefined ? 0 : values.check === "" ? 1000 : Number(values.check);
  if (!Number.isInteger(checkEvery) || checkEvery < 0) throw new UsageError(`--check takes a whole number, not "${values.check}"`);
  const trace = await readWhole(input);
  const analysis = analyzeTrace(trace);
  const made = candidate(checkEvery > 0 && !name.endsWith(":checked") ? `${name}:checked` : name)!.make(analysis);
  const t0 = performance.now();
  const r = replay(trace, made.allocator, { checkEvery, verify: checkEvery > 0 });
  const seconds = (performance.now() - t0) / 1000;
  const pool = made.pool.stats();
  const out = {
    trace: inputName(input),
    allocator: name,
    ops: r.ops,
    seconds,
    opsPerSec: r.ops / seconds,
    failures: r.failures,
    peakRequested: r.peakRequestedBytes,
    peakFootprint: pool.footprintBytes.peak,
    utilization: r.peakRequestedBytes / pool.footprintBytes.peak,
    checked: checkEvery > 0,
    stats: r.stats,
  };
  if (values.json) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`${out.trace} through ${name}${out.checked ? ` (checked every ${checkEvery} ops, contents verified)` : ""}`);
    console.log(table(["ops", "ops/s", "failed allocs", "peak payload", "peak footprint", "utilization"], [[String(out.ops), fmtRate(out.opsPerSec), String(out.failures), fmtBytes(out.peakRequested), fmtBytes(out.peakFootprint), fmtPct(out.utilization)]]));
  }
  return r.failures > 0 ? 1 : 0;
}

async function cmdMap(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { at: { type: "string" }, allocator: { type: "string" }, svg: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) return help("map");
  if (positionals.length !== 1) throw new UsageError("map takes exactly one trace");
  if (values.at === undefined) throw new UsageError("map needs --at <op|percent%>");
  const input = parseInput(positionals[0]);
  const name = allocatorArg(values.allocator);
  const trace = await readWhole(input);
  const m = /^(\d+(?:\.\d+)?)%$/.exec(values.at);
  const op = m ? Math.round((Number(m[1]) / 100) * trace.length) : Number(values.at);
  if (!Number.isInteger(op) || op < 0 || op > trace.length) throw new UsageError(`--at must be an operation in [0, ${trace.length}] or a percentage, not "${values.at}"`);
  const made = candidate(name)!.make(analyzeTrace(trace));
  replay(trace, made.allocator, { stopAt: op });
  const map = heapMap(made.pool, made.allocator, 2048);
  const title = `${inputName(input)} through ${name} at op ${op}`;
  if (values.svg) writeFileSync(values.svg, heapMapSvg(map, { title }));
  if (values.json) console.log(JSON.stringify({ trace: inputName(input), allocator: name, op, ...map, cells: [...map.cells], fill: [...map.fill] }));
  else {
    const counts = map.legend.map((role, i) => `${role}: ${map.cells.filter((c) => c === i).length}`).join(", ");
    console.log(`${title}: ${map.cells.length} cells of ${fmtBytes(map.cellBytes)} (${counts})${values.svg ? `; SVG written to ${values.svg}` : ""}`);
  }
  return 0;
}

function cmdBench(args: string[]): number {
  if (args.includes("--help")) return help("bench");
  const run = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "bench", "run.js");
  if (!existsSync(run)) {
    console.error("heapkit bench runs the benchmark harness of a source checkout: run `npm run build` there first (build/bench/run.js is missing)");
    return 3;
  }
  return spawnSync(process.execPath, [run, ...args], { stdio: "inherit" }).status ?? 1;
}

function help(topic: string): number {
  console.log(USAGE[topic] ?? USAGE.main);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "report":
        return await cmdReport(rest);
      case "replay":
        return await cmdReplay(rest);
      case "map":
        return await cmdMap(rest);
      case "bench":
        return cmdBench(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        return help(rest[0] ?? "main");
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || (e as { code?: string }).code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" || (e as { code?: string }).code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      console.error(`heapkit: ${(e as Error).message}\n\n${USAGE[command ?? "main"] ?? USAGE.main}`);
      return 2;
    }
    if (e instanceof InputError || (e instanceof HeapError && e.code === "ERR_HEAP_BAD_TRACE") || (e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "EACCES" || (e as { code?: string }).code === "Z_DATA_ERROR") {
      console.error(`heapkit: ${(e as Error).message}`);
      return 3;
    }
    if (e instanceof HeapError) {
      console.error(`heapkit: ${e.name} ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
