// Quick trace replay through Heap, for tuning: `npm run build && node build/bench/heap-traces-quick.js [filter]`.
// One fresh node process per trace and repetition (median of 3). Each process parses the trace,
// replays it once to warm up, then times a replay on a fresh heap, writing every payload byte.
// Reports warm ops/s, peak footprint (the page pool's: every byte the heap took from its memory,
// metadata included), utilization (peak live payload / peak footprint) and internal waste (usable
// bytes not requested, at the payload peak). Timings here are for tuning only; README figures come
// from the project's bench harness.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Heap } from "../src/index.js";
import { OP_ALIGNED, OP_ALLOC, OP_FREE, OP_REALLOC, readTrace, traceFiles, type Trace } from "../test/support/trace-reader.js";

interface Result {
  trace: string;
  ops: number;
  opsPerSec: number;
  peakFootprint: number;
  peakPayload: number;
  utilization: number;
  internalWaste: number;
  trimmedBack: boolean;
}

// HEAPKIT_SMALL=1 turns the slab pages for small sizes on; HEAPKIT_ADAPTIVE=0 turns their adaptive classes off.
// HEAPKIT_SMALL=slab routes them through the Slab layer.
const OPTS = {
  small: process.env.HEAPKIT_SMALL === "slab" ? ("slab" as const) : process.env.HEAPKIT_SMALL === "1",
  adaptiveClasses: process.env.HEAPKIT_ADAPTIVE !== "0",
};

function replay(t: Trace, measure: boolean, h = Heap.create(OPTS)): Result {
  const start = h.stats().footprintBytes.current;
  const ptr = new Float64Array(t.maxId + 1);
  const size = new Float64Array(t.maxId + 1);
  const usable = new Float64Array(t.maxId + 1);
  let liveUsable = 0;
  const ops = t.ops;
  let live = 0;
  let peakPayload = 0;
  let wasteAtPeak = 0;
  const t0 = performance.now();
  for (let i = 0; i < t.count; i++) {
    const op = ops[i * 4];
    const id = ops[i * 4 + 1];
    const n = ops[i * 4 + 2];
    let p = 0;
    if (op === OP_FREE) {
      h.free(ptr[id]);
      live -= size[id];
      liveUsable -= usable[id];
      continue;
    } else if (op === OP_ALLOC) {
      p = h.malloc(n);
      live += n;
    } else if (op === OP_ALIGNED) {
      p = h.alignedAlloc(n, ops[i * 4 + 3]);
      live += n;
    } else if (op === OP_REALLOC) {
      p = h.realloc(ptr[id], n);
      live += n - size[id];
    }
    if (p === 0) throw new Error(`${t.name}: out of memory at op ${i}`);
    ptr[id] = p;
    size[id] = n;
    if (measure) {
      if (op === OP_REALLOC) liveUsable -= usable[id];
      usable[id] = h.usableSize(p);
      liveUsable += usable[id];
    }
    h.memory.u8.fill(id & 255, p, p + n);
    if (measure && live > peakPayload) {
      peakPayload = live;
      wasteAtPeak = 1 - live / liveUsable;
    }
  }
  const elapsed = performance.now() - t0;
  const peakFootprint = h.pool.stats().footprintBytes.peak;
  if (!measure) return { trace: t.name, ops: t.count, opsPerSec: t.count / (elapsed / 1000), peakFootprint, peakPayload, utilization: 0, internalWaste: 0, trimmedBack: false };
  h.trim();
  const trimmedBack = h.stats().footprintBytes.current === start;
  return {
    trace: t.name,
    ops: t.count,
    opsPerSec: t.count / (elapsed / 1000),
    peakFootprint,
    peakPayload,
    utilization: peakPayload / peakFootprint,
    internalWaste: wasteAtPeak,
    trimmedBack,
  };
}

function one(name: string, path: string): void {
  const t = readTrace(name, path);
  // Warm: the JIT has seen every path, and the heap has its memory (the trace frees everything,
  // and nothing is trimmed between the runs, so page faults of fresh memory are not timed).
  const h = Heap.create(OPTS);
  for (let done = 0; done < 400_000; done += t.count) replay(t, false, h); // until the JIT has tiered up
  const timed = replay(t, false, h);
  const measured = replay(t, true); // stats() per payload peak would slow the timed run
  console.log(JSON.stringify({ ...measured, opsPerSec: timed.opsPerSec }));
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function main(): void {
  const filter = process.argv[2] ?? "";
  const self = fileURLToPath(import.meta.url);
  console.log(`# options ${JSON.stringify(OPTS)}`);
  console.log(`# Heap trace replay, node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}, median of 3 fresh processes`);
  console.log("trace".padEnd(32) + "ops/s".padStart(12) + "peak footprint".padStart(16) + "util".padStart(8) + "waste".padStart(8) + "  trim");
  for (const [name, path] of traceFiles()) {
    if (!name.includes(filter)) continue;
    const runs: Result[] = [];
    for (let k = 0; k < 3; k++) {
      const r = spawnSync(process.execPath, [self, "--one", name, path], { encoding: "utf8" });
      if (r.status !== 0) {
        console.log(`${name}: failed\n${r.stderr}`);
        break;
      }
      runs.push(JSON.parse(r.stdout.trim().split("\n").pop()!) as Result);
    }
    if (runs.length < 3) continue;
    const r = runs[0];
    const ops = median(runs.map((x) => x.opsPerSec));
    console.log(
      name.padEnd(32) +
        Math.round(ops).toLocaleString("en").padStart(12) +
        r.peakFootprint.toLocaleString("en").padStart(16) +
        `${(r.utilization * 100).toFixed(1)}%`.padStart(8) +
        `${(r.internalWaste * 100).toFixed(1)}%`.padStart(8) +
        (r.trimmedBack ? "  ok" : "  NOT BACK"),
    );
  }
}

if (process.argv[2] === "--one") one(process.argv[3], process.argv[4]);
else main();
