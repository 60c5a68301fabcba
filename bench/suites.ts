// Suites: named groups of (subject, workload) pairs, each with its own section of BENCHMARKS.md
// and its own bench/results/<name>.json. A heapkit allocator joins a suite by adding its name
// to `subjects`; `peers` are the subjects every other one is compared with (ratio of medians).
import { isTraceName, listTraces } from "./workloads/traces.js";
import { PAGE_WORKLOADS } from "./workloads/pages.js";
import { POOL_WORKLOADS } from "./workloads/pool.js";
import { VIEW_WORKLOADS } from "./workloads/views.js";
import { MIX_WORKLOADS } from "./workloads/mix.js";

/** A number a suite's table shows besides the timings: a key of the workload's `extra`. */
export interface ExtraColumn {
  readonly key: string;
  readonly label: string;
  readonly format: "int" | "bytes" | "ratio" | "rate";
}

export interface Suite {
  readonly title: string;
  /** What the suite measures and how to read it; printed above its table. */
  readonly about: string;
  readonly subjects: readonly string[];
  /** Subjects (of `subjects`) whose medians every subject is divided by. */
  readonly peers: readonly string[];
  workloads(ctx: { readonly tracesDir: string; readonly quick: boolean }): string[];
  /** Whether --workload may name `workload` for this suite; by default, when workloads() lists it. */
  owns?(workload: string): boolean;
  readonly columns: readonly ExtraColumn[];
  /**
   * Untimed runs of the workload over the same subject, in the pair's process, before the timed
   * one (repeatable workloads only): the steady state of a long-running program, with V8's
   * optimized code and the subject's memory already in use. 0 or absent: a cold start.
   */
  readonly warmRuns?: number;
}

export const SUITES: Readonly<Record<string, Suite>> = {
  pool: {
    title: "pool: the reference pool benchmark",
    about:
      "The Tempesta / boost::pool / nginx comparison. Small = 24 B, Big = 240 B, Huge = 8305 B; N = 20,000,000 " +
      "in a full run; every allocation writes one 8-byte word into the object. small: N allocations, none freed. " +
      "small-free: the same, every 4th freed right after it is made. big / big-free: N·24/240 allocations of 240 B. " +
      "mix: N steps, every 4th Big, every 4096th Huge (freed at once), the rest Small. create-destroy: N/100 " +
      "rounds of create a region, 100 allocations (Big every 4th round), destroy. Time per allocation; the final " +
      "release is not timed (GC-backed peers pay for theirs in GC time).",
    subjects: ["heapkit-region", "heapkit-pool", "heapkit-slab", "heapkit-buddy", "heapkit-heap", "js-bump", "js-objects", "u8array", "thing-malloc", "as-tlsf"],
    peers: ["js-bump", "js-objects", "u8array", "thing-malloc", "as-tlsf"],
    workloads: () => Object.keys(POOL_WORKLOADS),
    columns: [],
  },
  "pool-warm": {
    title: "pool-warm: create & destroy in steady state",
    about:
      "The pool suite's create & destroy workload (N/100 rounds of create a region, 100 allocations, destroy), " +
      "timed after 3 untimed runs of it over the same subject in the same process: V8 has optimized the loop and " +
      "the regions' memory has been touched, as in a server that has run for a while. The pool suite's row is the " +
      "cold start of the same workload. Time per allocation. (u8array is left out: 4 runs of it take a minute.)",
    subjects: ["heapkit-region", "heapkit-pool", "js-bump", "js-objects", "thing-malloc", "as-tlsf"],
    peers: ["js-bump", "js-objects", "thing-malloc", "as-tlsf"],
    workloads: () => ["create-destroy"],
    columns: [],
    warmRuns: 3,
  },
  growth: {
    title: "growth: Region chunks, exponential vs fixed",
    about:
      "The pool suite's workloads (above) through two Regions that differ only in how their chunks grow: " +
      "heapkit-region is the default (4 KiB, then each chunk the next page class up to 64 KiB), heapkit-region-fixed " +
      "takes `growth: \"fixed\"` (every chunk the first chunk's 4 KiB, larger only for one request that needs it). " +
      "Time per allocation, with the JS bump pointer as the yardstick.",
    subjects: ["heapkit-region", "heapkit-region-fixed", "js-bump"],
    peers: ["js-bump"],
    workloads: () => Object.keys(POOL_WORKLOADS),
    columns: [],
  },
  pages: {
    title: "pages: page allocation per class",
    about:
      "Rounds of: allocate 16 MiB worth of pages of one class (4 KiB, 64 KiB, 2 MiB), write one 8-byte word into " +
      "each, free them all; 8 GiB allocated per class in a full run. Time per page (its alloc, write and free). " +
      "The peers get a fresh GC-managed buffer per page: watch GC time and peak RSS.",
    subjects: ["heapkit-pages", "array-buffer", "u8array"],
    peers: ["array-buffer", "u8array"],
    workloads: () => Object.keys(PAGE_WORKLOADS),
    columns: [],
  },
  traces: {
    title: "traces: replay of recorded allocation traces",
    about:
      "Each trace of ../shared/traces (malloclab/*.rep, real/*.trace) parsed once, untimed, then replayed with " +
      "every payload byte written (the whole block on alloc, the grown tail on realloc). Time per trace op of " +
      "the timed pass, which follows untimed warm-up passes over the same allocator (about a million ops, at most " +
      "100 passes or one second; the C replayer the same), so that the JS subjects run V8's optimized code. " +
      "Footprint is what each subject reports: thing-malloc its top pointer, as-tlsf its wasm memory size, js-bump " +
      "the bytes it bumped, native-glibc mallinfo2 arena + hblkhd (sampled wherever it can rise), native-mimalloc " +
      "the RSS its replay added (its commit counter reads a whole 32 MiB segment). Utilization = peak live payload / " +
      "peak footprint. u8array reports no footprint of its own.",
    subjects: ["js-bump", "u8array", "thing-malloc", "as-tlsf", "native-glibc", "native-mimalloc", "heapkit-buddy", "heapkit-heap"],
    peers: ["js-bump", "u8array", "thing-malloc", "as-tlsf", "native-glibc", "native-mimalloc"],
    workloads: (ctx) => listTraces(ctx.tracesDir, ctx.quick),
    owns: isTraceName,
    columns: [
      { key: "opsPerSec", label: "ops/s", format: "rate" },
      { key: "peakFootprint", label: "peak footprint", format: "bytes" },
      { key: "peakLive", label: "peak live", format: "bytes" },
      { key: "utilization", label: "utilization", format: "ratio" },
    ],
  },
  sizes: {
    title: "sizes: slab, buddy and pool on steady churn",
    about:
      "4096 blocks live; each step frees one (picked by a seeded generator, the same for every subject) and allocates " +
      "another, with one 8-byte write into it. one-size: 64 B blocks (heapkit-pool is a Pool of 64 B here). " +
      "malloclab-mix: the sizes up to 4 KiB that the malloc-lab traces request, in their order. pow2-mix: powers of " +
      "two from 16 B to 4 KiB or up to a quarter under. 20,000,000 steps in a full run; ns per step (a free and an alloc).",
    subjects: ["heapkit-slab", "heapkit-buddy", "heapkit-heap", "heapkit-pool64", "thing-malloc", "as-tlsf", "js-objects"],
    peers: ["thing-malloc", "as-tlsf", "js-objects"],
    workloads: () => Object.keys(MIX_WORKLOADS),
    columns: [],
  },
  views: {
    title: "views: fixed-length vs length-tracking typed views",
    about:
      "The u32 loads and stores of an allocator fast path, through a view re-read from a handle at every " +
      "operation. views-bump: bump allocation of 16 B blocks with one store into each. views-freelist: pop and " +
      "push on a free list threaded through 4096 blocks. Same bytes, same loop; only the kind of view differs.",
    subjects: ["view-ab", "view-rab-fixed", "view-rab-tracking", "view-gsab-fixed", "view-gsab-tracking", "view-wasm"],
    peers: ["view-ab", "view-rab-fixed", "view-rab-tracking"],
    workloads: () => Object.keys(VIEW_WORKLOADS),
    columns: [],
  },
};
