// The allocators a report replays a trace through, each with the rule that says whether it can
// serve the trace at all. A candidate makes a fresh allocator over a fresh memory and page pool,
// so that footprints are comparable: every candidate's footprint is its page pool's, which counts
// every byte taken from the memory, metadata included.
import type { Allocator } from "../core/allocator.js";
import { Memory } from "../memory/memory.js";
import { PagePool } from "../pages/page-pool.js";
import type { TraceAnalysis } from "./analyze.js";
import { checked } from "../debug/checked.js";

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

export const CANDIDATES: readonly Candidate[] = [pages];

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
