// The reference pool benchmark (the Tempesta TfwPool / boost::pool / nginx ngx_pool comparison):
// six allocation patterns over three object sizes, every allocation followed by one 8-byte write
// into the object. The timed part is the allocation loop; what is left live at its end is
// released untimed (region-like subjects pay for it at destroy, GC-backed ones whenever the GC
// runs, which the harness reports as GC time). ns per allocation.
import { need, type Subject } from "../subject.js";
import { allocFailed, now, since, type Workload, type WorkloadContext, type WorkloadResult } from "../workload.js";

export const SMALL = 24;
export const BIG = 240;
export const HUGE = 8305;

/** N of the full benchmark: the number of Small allocations; the other patterns derive theirs from it. */
export const FULL_N = 20_000_000;

/** Allocations per round of create & destroy. */
const ROUND_ALLOCS = 100;

/** N at `scale`, at least 1000 so that even a tiny run does some work. */
export const poolN = (ctx: WorkloadContext): number => Math.max(1000, Math.round(FULL_N * ctx.scale));

// Step numbers k run from 1, so "every 4th" is k % 4 === 0, as in the reference's description.

/** 1. Small: N allocations of 24 B, nothing freed. */
function small(s: Subject, n: number): WorkloadResult {
  const t = need(s, ["alloc", "write8"]);
  const t0 = now();
  for (let k = 1; k <= n; k++) {
    const p = t.alloc(SMALL);
    if (p === 0) allocFailed("alloc", SMALL, k);
    t.write8(p, k);
  }
  return { ops: n, ns: since(t0) };
}

/** 2 and 4. N allocations of `size`, every 4th freed right after it was made. */
function withFree(s: Subject, n: number, size: number): WorkloadResult {
  const t = need(s, ["alloc", "write8", "free"]);
  const t0 = now();
  for (let k = 1; k <= n; k++) {
    const p = t.alloc(size);
    if (p === 0) allocFailed("alloc", size, k);
    t.write8(p, k);
    if (k % 4 === 0) t.free(p);
  }
  return { ops: n, ns: since(t0) };
}

/** 3. Big: N·24/240 allocations of 240 B, nothing freed. */
function big(s: Subject, n: number): WorkloadResult {
  const t = need(s, ["alloc", "write8"]);
  const t0 = now();
  for (let k = 1; k <= n; k++) {
    const p = t.alloc(BIG);
    if (p === 0) allocFailed("alloc", BIG, k);
    t.write8(p, k);
  }
  return { ops: n, ns: since(t0) };
}

/** 5. Mix: N steps; every 4th allocates Big, except every 4096th, which allocates Huge and frees it at once; the rest Small. */
function mix(s: Subject, n: number): WorkloadResult {
  const t = need(s, ["alloc", "write8", "free"]);
  const t0 = now();
  for (let k = 1; k <= n; k++) {
    const size = k % 4096 === 0 ? HUGE : k % 4 === 0 ? BIG : SMALL;
    const p = t.alloc(size);
    if (p === 0) allocFailed("alloc", size, k);
    t.write8(p, k);
    if (size === HUGE) t.free(p);
  }
  return { ops: n, ns: since(t0) };
}

/** 6. Create & destroy: N/100 rounds of: a new region, 100 allocations (Big when the round is a multiple of 4, else Small), destroy. */
function createDestroy(s: Subject, n: number): WorkloadResult {
  const t = need(s, ["region"]);
  const rounds = Math.max(1, Math.floor(n / ROUND_ALLOCS));
  const t0 = now();
  for (let round = 0; round < rounds; round++) {
    const size = round % 4 === 0 ? BIG : SMALL;
    const r = t.region();
    for (let i = 1; i <= ROUND_ALLOCS; i++) {
      const p = r.alloc(size);
      if (p === 0) allocFailed("region alloc", size, round * ROUND_ALLOCS + i);
      r.write8(p, i);
    }
    r.destroy();
  }
  return { ops: rounds * ROUND_ALLOCS, ns: since(t0) };
}

export const POOL_WORKLOADS: Readonly<Record<string, Workload>> = {
  small: {
    description: "N allocations of 24 B, nothing freed",
    unit: "alloc",
    needs: ["alloc", "write8"],
    prepare(ctx) {
      const n = poolN(ctx);
      return { capacity: { liveBytes: n * SMALL, liveBlocks: n }, run: (s) => small(s, n) };
    },
  },
  "small-free": {
    description: "N allocations of 24 B, every 4th freed right after it was made",
    unit: "alloc",
    needs: ["alloc", "write8", "free"],
    prepare(ctx) {
      const n = poolN(ctx);
      return { capacity: { liveBytes: n * SMALL, liveBlocks: n }, run: (s) => withFree(s, n, SMALL) };
    },
  },
  big: {
    description: "N·24/240 allocations of 240 B, nothing freed",
    unit: "alloc",
    needs: ["alloc", "write8"],
    prepare(ctx) {
      const n = Math.round((poolN(ctx) * SMALL) / BIG);
      return { capacity: { liveBytes: n * BIG, liveBlocks: n }, run: (s) => big(s, n) };
    },
  },
  "big-free": {
    description: "N·24/240 allocations of 240 B, every 4th freed right after it was made",
    unit: "alloc",
    needs: ["alloc", "write8", "free"],
    prepare(ctx) {
      const n = Math.round((poolN(ctx) * SMALL) / BIG);
      return { capacity: { liveBytes: n * BIG, liveBlocks: n }, run: (s) => withFree(s, n, BIG) };
    },
  },
  mix: {
    description: "N steps: every 4th Big, every 4096th Huge (8305 B, freed at once), the rest Small",
    unit: "alloc",
    needs: ["alloc", "write8", "free"],
    prepare(ctx) {
      const n = poolN(ctx);
      const bigs = Math.ceil(n / 4);
      return {
        capacity: { liveBytes: bigs * BIG + (n - bigs) * SMALL + HUGE, liveBlocks: n },
        run: (s) => mix(s, n),
      };
    },
  },
  "create-destroy": {
    description: "N/100 rounds: create a region, 100 allocations (Big every 4th round, else Small), destroy",
    unit: "alloc",
    needs: ["region"],
    repeatable: true,
    prepare(ctx) {
      const n = poolN(ctx);
      return { capacity: { liveBytes: ROUND_ALLOCS * BIG, liveBlocks: ROUND_ALLOCS }, run: (s) => createDestroy(s, n) };
    },
  },
};
