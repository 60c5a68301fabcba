// Quick side-by-side timing of Region and Pool against a minimal JS bump pointer over one
// ArrayBuffer. One fresh node process per (subject, workload, repetition); the median of REPS
// is reported, and each subject's ratio to the JS bump pointer of the same run.
//
//   npm run build && node build/bench/region-pool-quick.js [--n 10000000] [--reps 5] [--only region,pool]
//
// Every allocation writes one word into its block (as a user would), so first-touch page
// faults are part of the cost, as they are in real use.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Memory, PagePool, Pool, Region } from "../src/index.js";

type Workload = "small" | "small-free" | "big" | "mix-free" | "create-destroy";
const WORKLOADS: Workload[] = ["small", "small-free", "big", "mix-free", "create-destroy"];
const SUBJECTS = ["js-bump", "region", "region-fixed", "pool"] as const;
type SubjectName = (typeof SUBJECTS)[number];

const MIX = [16, 24, 48, 96, 240, 24, 1000, 24];
/** N is scaled per workload so that each run touches at most a few hundred MiB. */
const SCALE: Record<Workload, number> = { small: 1, "small-free": 1, big: 0.2, "mix-free": 0.5, "create-destroy": 1 };
const sizeOf = (w: Workload): number => (w === "big" ? 240 : w === "mix-free" ? 1000 : 24);

/** Returns nanoseconds per allocation for one (subject, workload) in this process. */
function runOne(subject: SubjectName, w: Workload, n: number): number {
  const maxBytes = Math.min(2 ** 32 - 2 ** 16, Math.ceil((n * (w === "mix-free" ? 200 : sizeOf(w)) * 1.6) / 65536) * 65536 + (64 << 20));
  if (subject === "js-bump") {
    // The baseline: one ArrayBuffer, a top offset, free is a no-op.
    const buf = new ArrayBuffer(w === "create-destroy" ? 1 << 20 : maxBytes);
    const u32 = new Uint32Array(buf);
    let top = 8;
    const t0 = process.hrtime.bigint();
    if (w === "create-destroy") {
      for (let round = 0; round < n / 100; round++) {
        top = 8;
        for (let i = 0; i < 100; i++) {
          const p = top;
          top += 24;
          u32[p >>> 2] = i;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const size = w === "mix-free" ? MIX[i & 7] : sizeOf(w);
        const p = top;
        top += (size + 7) & -8;
        u32[p >>> 2] = i;
      }
    }
    const t1 = process.hrtime.bigint();
    if (u32[2] !== 0) process.stdout.write(""); // keep the stores observable
    return Number(t1 - t0) / n;
  }
  const memory = Memory.create({ initial: 1 << 20, maximum: maxBytes });
  const pages = PagePool.create(memory);
  if (subject === "pool") {
    if (w === "create-destroy") {
      const t0 = process.hrtime.bigint();
      for (let round = 0; round < n / 100; round++) {
        const pool = Pool.create(pages, { size: 24 });
        for (let i = 0; i < 100; i++) {
          const p = pool.alloc(24);
          memory.u32[p >>> 2] = i;
        }
        pool.destroy();
      }
      return Number(process.hrtime.bigint() - t0) / n;
    }
    const pool = Pool.create(pages, { size: sizeOf(w) });
    const t0 = process.hrtime.bigint();
    const free = w === "small-free" || w === "mix-free";
    for (let i = 0; i < n; i++) {
      const p = pool.alloc(w === "mix-free" ? MIX[i & 7] : sizeOf(w));
      memory.u32[p >>> 2] = i;
      if (free && (i & 3) === 3) pool.free(p);
    }
    return Number(process.hrtime.bigint() - t0) / n;
  }
  const opts = subject === "region-fixed" ? ({ growth: "fixed", chunkSize: 64 << 10 } as const) : {};
  const region = Region.create(pages, opts);
  if (w === "create-destroy") {
    const t0 = process.hrtime.bigint();
    for (let round = 0; round < n / 100; round++) {
      const child = region.child();
      for (let i = 0; i < 100; i++) {
        const p = child.alloc(24);
        memory.u32[p >>> 2] = i;
      }
      child.destroy();
    }
    return Number(process.hrtime.bigint() - t0) / n;
  }
  const free = w === "small-free" || w === "mix-free";
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const p = region.alloc(w === "mix-free" ? MIX[i & 7] : sizeOf(w));
    memory.u32[p >>> 2] = i;
    if (free && (i & 3) === 3) region.free(p);
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const args = process.argv.slice(2);
  const get = (k: string, d: string): string => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : d;
  };
  if (args[0] === "--one") {
    const ns = runOne(args[1] as SubjectName, args[2] as Workload, Number(args[3]));
    process.stdout.write(JSON.stringify({ ns }) + "\n");
    return;
  }
  const n = Number(get("--n", "10000000"));
  const reps = Number(get("--reps", "5"));
  const only = get("--only", SUBJECTS.join(",")).split(",");
  const self = fileURLToPath(import.meta.url);
  console.log(`# region-pool-quick: ns per allocation, median of ${reps} fresh processes; node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}`);
  console.log(`| workload | ${SUBJECTS.filter((s) => s === "js-bump" || only.includes(s)).join(" | ")} |`);
  console.log(`|---|${SUBJECTS.filter((s) => s === "js-bump" || only.includes(s)).map(() => "---").join("|")}|`);
  const subjects = SUBJECTS.filter((s) => s === "js-bump" || only.includes(s));
  for (const w of WORKLOADS) {
    const nw = Math.round(n * SCALE[w]);
    // Repetitions interleave the subjects (rotating the order), so that each repetition compares
    // them under the same machine load; the ratio is the median of the per-repetition ratios.
    const times = new Map<SubjectName, number[]>(subjects.map((s) => [s, []]));
    const ratios = new Map<SubjectName, number[]>(subjects.map((s) => [s, []]));
    for (let k = 0; k < reps; k++) {
      const order = subjects.map((_, i) => subjects[(i + k) % subjects.length]);
      const got = new Map<SubjectName, number>();
      for (const s of order) {
        const r = spawnSync(process.execPath, [self, "--one", s, w, String(nw)], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`${s} ${w}: ${r.stderr}`);
        got.set(s, JSON.parse(r.stdout.trim().split("\n").pop()!).ns);
      }
      for (const s of subjects) {
        times.get(s)!.push(got.get(s)!);
        ratios.get(s)!.push(got.get(s)! / got.get("js-bump")!);
      }
    }
    const cells = subjects.map((s) =>
      s === "js-bump" ? `${median(times.get(s)!).toFixed(1)} ns` : `${median(times.get(s)!).toFixed(1)} ns (${median(ratios.get(s)!).toFixed(2)}×)`,
    );
    console.log(`| ${w} (N = ${nw}) | ${cells.join(" | ")} |`);
  }
}

main();
