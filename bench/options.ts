// Command-line options of bench/run.ts.
import { resolve } from "node:path";

export const QUICK_REPS = 3;
export const QUICK_SCALE = 0.005;

export const USAGE = `usage: npm run bench -- [options]      (or: node build/bench/run.js [options])

  --quick            a short run (under a minute): ${QUICK_REPS} repetitions, workloads scaled down
  --suite a,b        suites to run (default: all): pool, pages, traces, views
  --subject a,b      only these subjects (peers included: name them too to keep the ratios)
  --workload x,y     only these workloads (trace workloads are named like malloclab/binary-bal.rep)
  --reps N           repetitions per pair, each in a fresh process (default 5, --quick 3)
  --scale X          workload size as a fraction of the full benchmark (default 1, --quick ${QUICK_SCALE})
  --traces DIR       folder with malloclab/ and real/ (default: ../shared/traces beside the repository)
  --timeout S        seconds before a pair's process is killed and the pair reported failed (default 600, --quick 60)
  --cpu N            pin every pair's process to CPU N (Linux, with taskset): on a shared or
                     virtual machine the CPUs can differ in speed, which scatters the figures
  --no-write         print only: leave BENCHMARKS.md and bench/results/ alone
  --help             this text`;

export interface RunOptions {
  readonly quick: boolean;
  readonly suites: readonly string[] | null;
  readonly subjects: readonly string[] | null;
  readonly workloads: readonly string[] | null;
  readonly reps: number;
  readonly scale: number;
  readonly tracesDir: string;
  readonly timeoutSec: number;
  /** The CPU every pair is pinned to, or null. */
  readonly cpu: number | null;
  readonly write: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {}

/** Parses `argv` (the arguments after the script). `repoRoot` anchors the default traces folder. */
export function parseOptions(argv: readonly string[], repoRoot: string): RunOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf("=");
    const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (["quick", "no-write", "help"].includes(key)) {
      if (eq !== -1) throw new UsageError(`--${key} takes no value`);
      flags.set(key, true);
      continue;
    }
    if (!["suite", "subject", "workload", "reps", "scale", "traces", "timeout", "cpu"].includes(key)) {
      throw new UsageError(`unknown option --${key}`);
    }
    const value = eq === -1 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined || value === "") throw new UsageError(`--${key} needs a value`);
    flags.set(key, value);
  }
  const quick = flags.has("quick");
  const list = (key: string): string[] | null => {
    const v = flags.get(key);
    return typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : null;
  };
  const num = (key: string, fallback: number, ok: (x: number) => boolean, what: string): number => {
    const v = flags.get(key);
    if (typeof v !== "string") return fallback;
    const x = Number(v);
    if (!ok(x)) throw new UsageError(`--${key} must be ${what}, not "${v}"`);
    return x;
  };
  const traces = flags.get("traces");
  return {
    quick,
    suites: list("suite"),
    subjects: list("subject"),
    workloads: list("workload"),
    reps: num("reps", quick ? QUICK_REPS : 5, (x) => Number.isInteger(x) && x >= 1 && x <= 1000, "an integer from 1 to 1000"),
    scale: num("scale", quick ? QUICK_SCALE : 1, (x) => x > 0 && x <= 100, "a number in (0, 100]"),
    tracesDir: typeof traces === "string" ? resolve(traces) : resolve(repoRoot, "..", "shared", "traces"),
    timeoutSec: num("timeout", quick ? 60 : 600, (x) => x > 0, "a positive number of seconds"),
    cpu: flags.has("cpu") ? num("cpu", 0, (x) => Number.isInteger(x) && x >= 0 && x < 4096, "a CPU number") : null,
    write: !flags.has("no-write"),
    help: flags.has("help"),
  };
}
