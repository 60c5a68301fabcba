// Huge blocks: requests of HUGE_MIN bytes or more, and alignments beyond MEDIUM_MAX_ALIGN, are page
// pool runs of their own, returned to the pool on free. A 32-byte header before the pointer (drawn
// in layout.ts) links them into one list (for check() and stats) and ends in the same guard and
// size word as a medium block, so free() tells the two apart by one bit.
import { gaugeAdd, S_ALLOCS, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED } from "../core/stats.js";
import type { Memory } from "../memory/memory.js";
import type { PagePool } from "../pages/page-pool.js";
import { setHeader } from "./block.js";
import { HEADER_BYTES, HUGE_BIT, HUGE_HEADER_BYTES, HW_NEXT, HW_PREV, HW_REQUESTED, HW_RUN, R_HUGE, DEAD_WORD, FREE_BIT } from "./layout.js";
import type { SegregatedHeap } from "./segregated.js";

export class HugeSpace {
  private readonly memory: Memory;
  private readonly pool: PagePool;
  private readonly core: SegregatedHeap;
  private readonly r: number;
  private readonly s: number;
  private readonly key: number;

  constructor(core: SegregatedHeap) {
    this.core = core;
    this.memory = core.memory;
    this.pool = core.pool;
    this.r = core.r;
    this.s = core.s;
    this.key = core.key;
  }

  /** A run of its own for `req` bytes, aligned to `align` (at most the largest page class); the pointer or 0. */
  alloc(req: number, align: number): number {
    const off = align > HUGE_HEADER_BYTES ? align : HUGE_HEADER_BYTES;
    const bytes = req + off;
    if (bytes > 0xffff_ffff) return 0; // can never fit in a 32-bit memory
    const run = align > this.pool.frameBytes ? this.pool.alignedAlloc(bytes, align) : this.pool.alloc(bytes);
    if (run === 0) return 0;
    const p = run + off;
    const u32 = this.memory.u32;
    const pw = p >>> 2;
    const first = u32[this.r + R_HUGE];
    u32[pw + HW_RUN] = run;
    u32[pw + HW_REQUESTED] = req;
    u32[pw + HW_NEXT] = first;
    u32[pw + HW_PREV] = 0;
    u32[pw - 4] = 0;
    u32[pw - 3] = 0;
    if (first !== 0) u32[(first >>> 2) + HW_PREV] = p;
    u32[this.r + R_HUGE] = p;
    setHeader(u32, p - HEADER_BYTES, HUGE_BIT, this.key);
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BLOCKS, 1);
    gaugeAdd(f64, this.s + S_LIVE_BYTES, this.usableSize(p));
    gaugeAdd(f64, this.s + S_REQUESTED, req);
    f64[this.s + S_ALLOCS] += 1;
    this.core.syncFootprint();
    return p;
  }

  /** Bytes usable at `p`: to the end of its run. */
  usableSize(p: number): number {
    const run = this.memory.u32[(p >>> 2) + HW_RUN];
    return run + this.pool.usableSize(run) - p;
  }

  requested(p: number): number {
    return this.memory.u32[(p >>> 2) + HW_REQUESTED];
  }

  /** Returns the run of the huge block at `p` (header already validated) to the page pool. */
  free(p: number): void {
    const u32 = this.memory.u32;
    const pw = p >>> 2;
    const run = u32[pw + HW_RUN];
    const usable = this.usableSize(p); // throws ERR_HEAP_INVALID_POINTER before any change if the run is not live
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BLOCKS, -1);
    gaugeAdd(f64, this.s + S_LIVE_BYTES, -usable);
    gaugeAdd(f64, this.s + S_REQUESTED, -u32[pw + HW_REQUESTED]);
    f64[this.s + S_FREES] += 1;
    const next = u32[pw + HW_NEXT];
    const prev = u32[pw + HW_PREV];
    if (next !== 0) u32[(next >>> 2) + HW_PREV] = prev;
    if (prev !== 0) u32[(prev >>> 2) + HW_NEXT] = next;
    else u32[this.r + R_HUGE] = next;
    setHeader(u32, p - HEADER_BYTES, DEAD_WORD | HUGE_BIT, this.key); // a second free reads as a double free while the page is untouched
    this.pool.free(run);
    this.core.syncFootprint();
  }

  /** In place only: the run shrinks, or grows at the page pool's top. */
  resize(p: number, req: number): boolean {
    const u32 = this.memory.u32;
    const pw = p >>> 2;
    const run = u32[pw + HW_RUN];
    const before = this.usableSize(p);
    const bytes = req + (p - run);
    if (bytes > 0xffff_ffff || !this.pool.resize(run, bytes)) return false;
    const u = this.memory.u32;
    const f64 = this.memory.f64;
    gaugeAdd(f64, this.s + S_LIVE_BYTES, this.usableSize(p) - before);
    gaugeAdd(f64, this.s + S_REQUESTED, req - u[pw + HW_REQUESTED]);
    u[pw + HW_REQUESTED] = req;
    this.core.syncFootprint();
    return true;
  }

  /** Pointers of the live huge blocks, capped at what the memory could hold. */
  list(): number[] {
    const u32 = this.memory.u32;
    const out: number[] = [];
    const cap = this.memory.byteLength / this.pool.frameBytes + 1;
    for (let p = u32[this.r + R_HUGE]; p !== 0 && out.length <= cap; p = u32[(p >>> 2) + HW_NEXT]) {
      if (p >>> 2 < 8 || p > this.memory.byteLength) break; // check() reports it; the walk just stops
      out.push(p);
    }
    return out;
  }
}

export const isDeadHuge = (sw: number): boolean => sw === ((DEAD_WORD | HUGE_BIT) >>> 0) || sw === FREE_BIT;
