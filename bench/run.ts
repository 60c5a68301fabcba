// The benchmark harness: `npm run bench -- [options]` (bench/options.ts lists them).
//
// For each suite (bench/suites.ts): every (subject, workload) pair is run `reps` times, each in a
// fresh process (bench/one.ts, or a native subject's own binary) that prints one JSON line. The
// order is rep-major (all pairs once, then all pairs again, …) so that a slow spell of the shared
// machine spreads over every subject instead of landing on one. A pair that fails is reported as
// "failed: reason" and not run again. Then, per suite: a table on stdout, bench/results/NAME.json,
// and the suite's section of BENCHMARKS.md (unless --no-write). Progress goes to stderr.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, type Machine } from "./machine.js";
import { renderSection, renderTable, replaceSection } from "./markdown.js";
import { parseOptions, UsageError, USAGE, type RunOptions } from "./options.js";
import { parsePairLine, summarize, type PairLine, type PairRuns, type SuiteResults } from "./results.js";
import { SUBJECTS } from "./subjects.js";
import { SUITES, type Suite } from "./suites.js";
import type { Workload } from "./workload.js";
import { findWorkload } from "./workloads/index.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ONE = fileURLToPath(new URL("./one.js", import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, "bench", "results");
const BENCHMARKS_MD = join(REPO_ROOT, "BENCHMARKS.md");

const BENCHMARKS_INTRO = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts): each section below is replaced by the run of its
suite, between its markers; text outside the markers is kept. See bench/ for the harness.
`;

interface Pair {
  readonly subject: string;
  readonly workloadName: string;
  readonly workload: Workload;
}

const log = (s: string): void => {
  process.stderr.write(s + "\n");
};

/** The pairs of `suite` that the filters keep. */
function pairsOf(suite: Suite, o: RunOptions): Pair[] {
  const all = suite.workloads({ tracesDir: o.tracesDir, quick: o.quick });
  const workloads = o.workloads === null ? all : o.workloads.filter((w) => (suite.owns ? suite.owns(w) : all.includes(w)));
  const subjects = suite.subjects.filter((s) => o.subjects === null || o.subjects.includes(s));
  const pairs: Pair[] = [];
  for (const w of workloads) {
    const workload = findWorkload(w, o.tracesDir);
    if (workload === undefined) throw new UsageError(`unknown workload "${w}"`);
    for (const s of subjects) pairs.push({ subject: s, workloadName: w, workload });
  }
  return pairs;
}

/** Runs one repetition of `p` in a fresh process, after `warm` untimed runs in it, and returns its JSON line (or why there is none). */
function runPair(p: Pair, o: RunOptions, warm: number): PairLine {
  const entry = SUBJECTS[p.subject];
  let file: string;
  let args: string[];
  if (entry.native !== undefined) {
    if (warm > 0) return { ok: false, skipped: true, error: "a native subject has no warm runs" };
    const cmd = entry.native({ name: p.workloadName, input: p.workload.input, scale: o.scale });
    if ("skip" in cmd) return { ok: false, skipped: true, error: cmd.skip };
    file = cmd.file;
    args = [...cmd.args];
  } else {
    file = process.execPath;
    args = [
      "--expose-gc",
      ...(entry.nodeArgs ?? []),
      ONE,
      "--subject",
      p.subject,
      "--workload",
      p.workloadName,
      "--scale",
      String(o.scale),
      "--traces",
      o.tracesDir,
      ...(warm > 0 ? ["--warm", String(warm)] : []),
    ];
  }
  if (o.cpu !== null) {
    args = ["-c", String(o.cpu), file, ...args];
    file = "taskset";
  }
  const r = spawnSync(file, args, {
    encoding: "utf8",
    timeout: o.timeoutSec * 1000,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const line = parsePairLine(r.stdout ?? "");
  if (line !== undefined) return line;
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    return { ok: false, error: `timed out after ${o.timeoutSec} s` };
  }
  const lastErr = (r.stderr ?? "").trim().split("\n").filter((l) => l.trim() !== "").slice(-1)[0];
  const how = r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.status}`;
  return { ok: false, error: `process died (${how})${lastErr ? ": " + lastErr.trim().slice(0, 200) : ""}` };
}

function progress(suite: string, rep: number, reps: number, p: Pair, line: PairLine, ms: number): string {
  const head = `[${suite} ${rep}/${reps}] ${p.workloadName} × ${p.subject}:`;
  if (!line.ok) return `${head} ${line.skipped ? "skipped" : "failed"}: ${line.error}`;
  return `${head} ${(line.ns / line.ops).toFixed(2)} ns/${p.workload.unit} (${(ms / 1000).toFixed(1)} s)`;
}

/** The command as the user typed it, for the report. */
function commandLine(argv: readonly string[]): string {
  const args = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
  const viaNpm = process.env.npm_lifecycle_event === "bench";
  return (viaNpm ? "npm run bench" + (args ? " -- " + args : "") : "node build/bench/run.js " + args).trim();
}

function runSuite(name: string, suite: Suite, pairs: readonly Pair[], o: RunOptions, command: string, machine: Machine): SuiteResults | undefined {
  if (pairs.length === 0) {
    log(`[${name}] no pairs to run${name === "traces" ? ` (no traces under ${o.tracesDir}?)` : ""}: skipped`);
    return undefined;
  }
  const lines = pairs.map((): PairLine[] => []);
  const done = pairs.map(() => false); // failed or skipped: not run again
  for (let rep = 1; rep <= o.reps; rep++) {
    pairs.forEach((p, i) => {
      if (done[i]) return;
      const t0 = Date.now();
      const line = runPair(p, o, suite.warmRuns ?? 0);
      lines[i].push(line);
      if (!line.ok) done[i] = true;
      log(progress(name, rep, o.reps, p, line, Date.now() - t0));
    });
  }
  const runs: PairRuns[] = pairs.map((p, i) => ({ workload: p.workloadName, subject: p.subject, unit: p.workload.unit, lines: lines[i] }));
  const peers = suite.peers.filter((p) => pairs.some((x) => x.subject === p));
  return {
    suite: name,
    title: suite.title,
    command,
    date: new Date().toISOString().slice(0, 10),
    machine,
    reps: o.reps,
    scale: o.scale,
    peers,
    pairs: summarize(runs, peers),
  };
}

/** Writes `text` to `path` through a temporary file, so a crash never leaves half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function write(r: SuiteResults, suite: Suite): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeAtomic(join(RESULTS_DIR, `${r.suite}.json`), JSON.stringify(r, null, 2) + "\n");
  const doc = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, "utf8") : BENCHMARKS_INTRO;
  writeAtomic(BENCHMARKS_MD, replaceSection(doc, r.suite, renderSection(r, suite.about, suite.columns)));
}

function main(): number {
  const argv = process.argv.slice(2);
  let o: RunOptions;
  try {
    o = parseOptions(argv, REPO_ROOT);
    for (const s of o.suites ?? []) if (!Object.hasOwn(SUITES, s)) throw new UsageError(`unknown suite "${s}" (have: ${Object.keys(SUITES).join(", ")})`);
    for (const s of o.subjects ?? []) if (!Object.hasOwn(SUBJECTS, s)) throw new UsageError(`unknown subject "${s}" (have: ${Object.keys(SUBJECTS).join(", ")})`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    log(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    log(USAGE);
    return 0;
  }
  const command = commandLine(argv);
  const m = describeMachine();
  log(`heapkit bench: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}, page touch ${m.pageTouchUs} µs; ${o.reps} reps, scale ${o.scale}`);
  const names = o.suites ?? Object.keys(SUITES);
  // Every filter name must select something, checked before anything runs.
  let plan: Pair[][];
  try {
    plan = names.map((name) => pairsOf(SUITES[name], o));
    const used = plan.flat();
    for (const w of o.workloads ?? []) if (!used.some((p) => p.workloadName === w)) throw new UsageError(`workload "${w}" is in none of the suites run`);
    for (const s of o.subjects ?? []) if (!used.some((p) => p.subject === s)) throw new UsageError(`subject "${s}" is in none of the suites run`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    log(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  names.forEach((name, i) => {
    const suite = SUITES[name];
    const r = runSuite(name, suite, plan[i], o, command, m);
    if (r === undefined) return;
    process.stdout.write(`\n## ${r.title}\n\n${renderTable(r, suite.columns)}\n`);
    if (o.write) write(r, suite);
  });
  return 0;
}

process.exitCode = main();
