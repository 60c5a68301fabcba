// Runs one (subject, workload) pair in this process, once, and prints one JSON line (a PairLine of
// results.ts) on stdout. run.ts starts a fresh process of this for every pair and repetition, so
// no pair inherits another's JIT state, heap or GC debt.
//
//   node build/bench/one.js --subject NAME --workload NAME [--scale X] [--traces DIR] [--warm N]
//
// --warm N: N untimed runs of the workload over the same subject first (a repeatable workload
// only), so that the timed run sees V8's optimized code and memory already in use.
//
// A pair that throws (an allocation that returned 0, a missing member, a trap) prints
// {"ok":false,"error":...} and exits 1; it never crashes the harness. GC time is the sum of the
// durations of the PerformanceObserver "gc" entries that started during the timed run, which
// follows a full collection (gc(), exposed by run.ts) of what start-up and preparation left.
import { PerformanceObserver, performance, type PerformanceEntry } from "node:perf_hooks";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PairLine } from "./results.js";
import { need, type Subject } from "./subject.js";
import { SUBJECTS } from "./subjects.js";
import type { WorkloadResult } from "./workload.js";
import { findWorkload } from "./workloads/index.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const message = (e: unknown): string => (e instanceof Error ? `${e.name === "Error" ? "" : e.name + ": "}${e.message}` : String(e));

function print(line: PairLine): void {
  process.stdout.write(JSON.stringify(line) + "\n");
  process.exitCode = line.ok ? 0 : 1;
}

/** Lets queued PerformanceObserver callbacks run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function main(): Promise<void> {
  const subjectName = arg("subject");
  const workloadName = arg("workload");
  const scale = Number(arg("scale") ?? "1");
  const tracesDir = resolve(arg("traces") ?? resolve(REPO_ROOT, "..", "shared", "traces"));
  const warm = Number(arg("warm") ?? "0");
  if (subjectName === undefined || workloadName === undefined || !(scale > 0) || !Number.isInteger(warm) || warm < 0) {
    return print({ ok: false, error: "usage: one.js --subject NAME --workload NAME [--scale X] [--traces DIR] [--warm N]" });
  }
  const entry = Object.hasOwn(SUBJECTS, subjectName) ? SUBJECTS[subjectName] : undefined;
  if (entry?.make === undefined) return print({ ok: false, error: `no in-process subject "${subjectName}"` });
  const workload = findWorkload(workloadName, tracesDir);
  if (workload === undefined) return print({ ok: false, error: `no workload "${workloadName}"` });
  if (warm > 0 && workload.repeatable !== true) return print({ ok: false, error: `workload "${workloadName}" leaves blocks live: it cannot be run again for --warm` });

  let subject: Subject | undefined;
  let result: WorkloadResult;
  const gc: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gc.push(...list.getEntries()));
  let t0 = 0;
  let t1 = 0;
  let warmOps = 0;
  try {
    const prepared = workload.prepare({ scale, tracesDir });
    subject = await entry.make(prepared.capacity);
    need(subject, workload.needs);
    for (let i = 0; i < warm; i++) warmOps += prepared.run(subject).ops;
    // A full collection first (run.ts starts pairs with --expose-gc), so that the garbage of
    // start-up and preparation is not collected, and timed as GC, during the run.
    (globalThis as { gc?: () => void }).gc?.();
    observer.observe({ entryTypes: ["gc"] });
    t0 = performance.now();
    result = prepared.run(subject);
    t1 = performance.now();
  } catch (e) {
    observer.disconnect();
    return print({ ok: false, error: subject?.explain?.(e) ?? message(e) });
  }
  await settle();
  gc.push(...observer.takeRecords());
  observer.disconnect();
  const during = gc.filter((g) => g.startTime >= t0 && g.startTime <= t1);
  const note = subject.note?.();
  print({
    ok: true,
    ops: result.ops,
    ns: result.ns,
    maxRss: process.resourceUsage().maxRSS * 1024,
    gcMs: during.reduce((sum, g) => sum + g.duration, 0),
    gcCount: during.length,
    ...(warm > 0 ? { warmOps } : {}),
    ...(result.extra !== undefined ? { extra: result.extra } : {}),
    ...(note !== undefined ? { note } : {}),
  });
}

await main();
