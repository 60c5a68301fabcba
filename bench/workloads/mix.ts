// Churn over a working set of blocks whose sizes follow a distribution: each step frees one
// block of the set (chosen by a seeded generator) and allocates a new one in its place, with one
// 8-byte write into it. The shape of the slab and buddy comparisons: a steady state of frees and
// allocations across many sizes. ns per step (one free and one allocation).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { need, type Subject } from "../subject.js";
import { allocFailed, now, since, type Workload, type WorkloadContext, type WorkloadResult } from "../workload.js";

/** Blocks live at once. */
const LIVE = 4096;
/** Steps of a full run. */
const FULL_STEPS = 20_000_000;

/** xorshift32: the same sequence of picks and sizes for every subject. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function churn(s: Subject, sizes: Uint32Array, steps: number): WorkloadResult {
  const t = need(s, ["alloc", "write8", "free"]);
  const live = new Float64Array(LIVE);
  const pick = rng(12345);
  for (let i = 0; i < LIVE; i++) {
    const p = t.alloc(sizes[i % sizes.length]);
    if (p === 0) allocFailed("alloc", sizes[i % sizes.length], i);
    live[i] = p;
  }
  const picks = new Uint32Array(steps);
  for (let k = 0; k < steps; k++) picks[k] = Math.floor(pick() * LIVE); // drawn before the clock starts
  const t0 = now();
  for (let k = 0; k < steps; k++) {
    const i = picks[k];
    t.free(live[i]);
    const p = t.alloc(sizes[k % sizes.length]);
    if (p === 0) allocFailed("alloc", sizes[k % sizes.length], k);
    t.write8(p, k);
    live[i] = p;
  }
  const ns = since(t0);
  for (let i = 0; i < LIVE; i++) t.free(live[i]);
  return { ops: steps, ns };
}

/** Requested sizes of the malloc-lab traces' `a` lines up to `max` B, in trace order, or a fallback when the traces are absent. */
function malloclabSizes(tracesDir: string, max: number): Uint32Array {
  const dir = join(tracesDir, "malloclab");
  const out: number[] = [];
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".rep")).sort()) {
      for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
        const m = /^a \d+ (\d+)/.exec(line);
        if (m && Number(m[1]) <= max) out.push(Number(m[1]));
      }
    }
  }
  if (out.length === 0) throw new Error(`no malloc-lab traces under ${dir} (--traces DIR)`);
  return Uint32Array.from(out);
}

/** Powers of two from 16 B to 4 KiB, each taken exactly or a little under (what a buddy system is for). */
function pow2ishSizes(): Uint32Array {
  const r = rng(777);
  const out = new Uint32Array(65536);
  for (let i = 0; i < out.length; i++) {
    const p = 2 ** (4 + Math.floor(r() * 9));
    out[i] = r() < 0.5 ? p : p - Math.floor(r() * (p / 4));
  }
  return out;
}

function mixWorkload(description: string, sizes: (ctx: WorkloadContext) => Uint32Array): Workload {
  return {
    description,
    unit: "step",
    needs: ["alloc", "write8", "free"],
    prepare(ctx) {
      const s = sizes(ctx);
      let maxSize = 0;
      for (const x of s) maxSize = Math.max(maxSize, x);
      return {
        capacity: { liveBytes: LIVE * maxSize * 2, liveBlocks: LIVE },
        run: (subject) => churn(subject, s, Math.max(10_000, Math.round(FULL_STEPS * ctx.scale))),
      };
    },
  };
}

export const MIX_WORKLOADS: Readonly<Record<string, Workload>> = {
  "one-size": mixWorkload(`${LIVE} live blocks of 64 B; each step frees one at random and allocates another`, () => Uint32Array.of(64)),
  "malloclab-mix": mixWorkload(
    `${LIVE} live blocks; sizes (up to 4 KiB) in the order the malloc-lab traces request them; each step frees one at random and allocates the next size`,
    (ctx) => malloclabSizes(ctx.tracesDir, 4096),
  ),
  "pow2-mix": mixWorkload(`${LIVE} live blocks of powers of two from 16 B to 4 KiB, or up to a quarter under; each step frees one and allocates another`, () => pow2ishSizes()),
};
