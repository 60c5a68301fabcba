// The allocators a report replays a trace through, each with the rule that says whether it can
// serve the trace at all. A candidate makes a fresh allocator over a fresh memory and page pool,
// so that footprints are comparable: every candidate's footprint is its page pool's, which counts
// every byte taken from the memory, metadata included.
import type { Allocator } from "../core/allocator.js";
import { Memory } from "../memory/memory.js";
import { PagePool } from "../pages/page-pool.js";
import type { TraceAnalysis } from "./analyze.js";
import { checked } from "../debug/checked.js";
import { Slab } from "../slab/slab.js";
import { Buddy } from "../buddy/buddy.js";
import { ceilPow2 } from "../core/bits.js";
import { Region } from "../region/region.js";
import { PhaseRegion, PoolBesideHeap } from "./adapters.js";
import { Heap } from "../heap/heap.js";
import { Pool } from "../pool/pool.js";

export interface Made {
  allocator: Allocator;
  pool: PagePool;
}

export interface Candidate {
  /** The name users pass to `--allocator`. */
  name: string;
  /** One line: what it is and when to use it. */
  description: string;
  /** Whether `heapkit report` replays through it without being asked to. */
  byDefault: boolean;
  /** Whether it can serve a trace with this analysis; `why` says why not (or what it assumes). */
  fits(a: TraceAnalysis): { ok: boolean; why: string };
  /** A fresh allocator for a trace with this analysis. */
  make(a: TraceAnalysis): Made;
}

/** Room for a trace's peak several times over: the maximum a candidate's memory may grow to. */
export function memoryFor(a: TraceAnalysis): Memory {
  const want = Math.max(64 << 20, a.peakLiveBytes * 8 + a.sizeMax * 4);
  return Memory.create({ maximum: Math.min(2 ** 32 - 65536, 2 ** Math.ceil(Math.log2(want))) });
}

const pages: Candidate = {
  name: "pages",
  description: "the page pool itself: every block a run of whole 4 KiB pages",
  byDefault: false,
  fits: (a) => (a.sizeMax > 1 << 30 ? { ok: false, why: "blocks larger than 1 GiB" } : { ok: true, why: "" }),
  make: (a) => {
    const pool = PagePool.create(memoryFor(a));
    return { allocator: pool, pool };
  },
};

const SLAB_LIMIT = 4096;

const slab: Candidate = {
  name: "slab",
  description: "size-class slab caches (8 B to 4 KiB), with a class added for each of the trace's common sizes",
  byDefault: true,
  fits: (a) => (a.sizeMax <= SLAB_LIMIT && a.alignedAllocs === 0 ? { ok: true, why: "" } : { ok: false, why: `blocks up to ${a.sizeMax} B: slabs serve up to ${SLAB_LIMIT} B` }),
  make: (a) => {
    const pool = PagePool.create(memoryFor(a));
    const s = Slab.create(pool);
    // The adaptive part: a common size whose class wastes more than 1/32 gets a class of its own.
    for (const t of a.topSizes) {
      if (t.share < 0.01 || t.size === 0) continue;
      const c = s.classFor(t.size);
      if (c >= 0 && s.classSize(c) - t.size > s.classSize(c) / 32) s.addClass(t.size);
    }
    return { allocator: s, pool };
  },
};

const BUDDY_ARENAS = 64;
const BUDDY_MAX_BLOCK = 2 << 20;

const buddy: Candidate = {
  name: "buddy",
  description: "power-of-two blocks, split and coalesced, in arenas of up to 2 MiB",
  byDefault: true,
  fits: (a) =>
    a.sizeMax > BUDDY_MAX_BLOCK
      ? { ok: false, why: `blocks up to ${a.sizeMax} B: buddy blocks are at most ${BUDDY_MAX_BLOCK} B` }
      : a.peakLiveBytes * 2 > BUDDY_ARENAS * BUDDY_MAX_BLOCK
        ? { ok: false, why: `a peak of ${a.peakLiveBytes} B: more than ${BUDDY_ARENAS} arenas` }
        : { ok: true, why: "" },
  make: (a) => {
    const pool = PagePool.create(memoryFor(a));
    const maxBlock = Math.min(BUDDY_MAX_BLOCK, Math.max(1 << 20, ceilPow2(a.sizeMax), ceilPow2(Math.ceil((a.peakLiveBytes * 2) / BUDDY_ARENAS))));
    return { allocator: Buddy.create(pool, { minBlock: 16, maxBlock }), pool };
  },
};

const region: Candidate = {
  name: "region",
  description: "a region (arena) reset whenever every block is freed: per-request or LIFO lifetimes",
  byDefault: true,
  fits: (a) =>
    a.patterns.some((p) => p.pattern === "phases" || p.pattern === "lifo")
      ? { ok: true, why: "" }
      : { ok: false, why: "lifetimes are neither phase-wise nor LIFO, so a region would only grow" },
  make: (a) => {
    const pool = PagePool.create(memoryFor(a));
    return { allocator: new PhaseRegion(Region.create(pool)), pool };
  },
};

const heap: Candidate = {
  name: "heap",
  description: "the general-purpose heap: segregated fit with boundary tags for all sizes, page runs for huge blocks",
  byDefault: true,
  fits: () => ({ ok: true, why: "" }),
  make: (a) => {
    const h = Heap.create({ memory: memoryFor(a) });
    return { allocator: h, pool: h.pool };
  },
};

const dominant = (a: TraceAnalysis) => a.patterns.find((p) => p.pattern === "one-dominant-size");

const pool: Candidate = {
  name: "pool",
  description: "a fixed-size pool for the dominant object size, beside the heap for the rest",
  byDefault: true,
  fits: (a) => (dominant(a) && a.topSizes.length > 0 && a.topSizes[0].size > 0 ? { ok: true, why: "" } : { ok: false, why: "no single size dominates" }),
  make: (a) => {
    const h = Heap.create({ memory: memoryFor(a) });
    const p = Pool.create(h.pool, { size: Math.max(8, a.topSizes[0].size) });
    return { allocator: new PoolBesideHeap(p, h), pool: h.pool };
  },
};

export const CANDIDATES: readonly Candidate[] = [heap, pool, region, slab, buddy, pages];

/** The candidate called `name`; `NAME:checked` is NAME wrapped in checked mode (red zones, poison, quarantine). */
export function candidate(name: string): Candidate | undefined {
  const plain = name.endsWith(":checked") ? name.slice(0, -":checked".length) : name;
  const c = CANDIDATES.find((x) => x.name === plain);
  if (!c || plain === name) return c;
  return {
    ...c,
    name,
    description: `${c.name} in checked mode`,
    byDefault: false,
    make: (a) => {
      const m = c.make(a);
      return { allocator: checked(m.allocator, { sites: false }), pool: m.pool };
    },
  };
}
