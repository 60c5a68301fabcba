// The one stats shape, declared once. Each entry becomes a field of AllocatorStats, one f64 slot
// (two for a gauge: current, then peak) in the stats block that every allocator keeps inside its
// memory, and a Prometheus metric with this help text. f64 slots, because byte and operation
// totals pass 2^32 in long runs, and an f64 counts exactly up to 2^53.
//
// Append only: reordering or removing an entry changes the memory layout (bump LAYOUT_VERSION).

import { clearDoubles } from "./clear.js";

export const STAT_FIELDS = {
  liveBlocks: { kind: "gauge", help: "Blocks currently allocated." },
  liveBytes: { kind: "gauge", help: "Usable bytes in allocated blocks (what the caller may use)." },
  requestedBytes: { kind: "gauge", help: "Bytes the callers asked for, in allocated blocks." },
  footprintBytes: { kind: "gauge", help: "Bytes this allocator has taken from its parent, metadata included." },
  allocs: { kind: "counter", help: "Successful allocations." },
  frees: { kind: "counter", help: "Successful frees." },
  failedAllocs: { kind: "counter", help: "Allocations that returned 0 (out of memory)." },
} as const;

export type StatName = keyof typeof STAT_FIELDS;

/** A gauge moves both ways and remembers its peak; a counter only increases. */
export interface Gauge {
  current: number;
  peak: number;
}

/** Counts of one size class (or page class) of an allocator that has classes. */
export interface ClassStats {
  /** Block size of the class in bytes. */
  size: number;
  liveBlocks: number;
  freeBlocks: number;
}

export type AllocatorStats = {
  -readonly [K in StatName]: (typeof STAT_FIELDS)[K]["kind"] extends "gauge" ? Gauge : number;
} & {
  /**
   * 1 - requestedBytes / footprintBytes (current values): the share of what the allocator took
   * from its parent that holds no caller bytes — internal waste, free memory and metadata
   * together. 0 when the footprint is 0.
   */
  fragmentation: number;
  /** One entry per size class, for kinds that have classes; empty otherwise. */
  classes: ClassStats[];
};

/** f64 slot of each stat inside a stats block, derived from the order above. */
export const STAT_SLOT = {} as Record<StatName, number>;
let slots = 0;
for (const name of Object.keys(STAT_FIELDS) as StatName[]) {
  STAT_SLOT[name] = slots;
  slots += STAT_FIELDS[name].kind === "gauge" ? 2 : 1;
}
/** f64 slots in a stats block. */
export const STAT_SLOTS = slots;
/** Bytes in a stats block. */
export const STATS_BYTES = STAT_SLOTS * 8;

// Slot indexes as plain constants, for hot paths (`f64[s + S_ALLOCS] += 1`).
export const S_LIVE_BLOCKS = STAT_SLOT.liveBlocks;
export const S_LIVE_BYTES = STAT_SLOT.liveBytes;
export const S_REQUESTED = STAT_SLOT.requestedBytes;
export const S_FOOTPRINT = STAT_SLOT.footprintBytes;
export const S_ALLOCS = STAT_SLOT.allocs;
export const S_FREES = STAT_SLOT.frees;
export const S_FAILED = STAT_SLOT.failedAllocs;

/** Adds `delta` to the gauge at f64 index `g` (its current value) and raises its peak. */
export function gaugeAdd(f64: Float64Array, g: number, delta: number): void {
  const v = f64[g] + delta;
  f64[g] = v;
  if (v > f64[g + 1]) f64[g + 1] = v;
}

/**
 * The hot-path form of the per-operation counts, for allocators that keep no requested sizes:
 * `bytes` > 0 counts an allocation of that many usable bytes (live blocks and bytes up, with
 * their peaks, and allocs); `bytes` < 0 a free (a return cannot raise a peak, so it skips the
 * peak tests). Written out rather than through gaugeAdd: measured on the slab fast path (batches
 * of 4096 alloc + free of 64 B, bench/results/slab-buddy-quick.md), gaugeAdd calls cost 40–60 %
 * of the path, this form about 10 %.
 */
export function countLive(f64: Float64Array, s: number, bytes: number): void {
  if (bytes > 0) {
    const blocks = f64[s + S_LIVE_BLOCKS] + 1;
    f64[s + S_LIVE_BLOCKS] = blocks;
    if (blocks > f64[s + S_LIVE_BLOCKS + 1]) f64[s + S_LIVE_BLOCKS + 1] = blocks;
    const live = f64[s + S_LIVE_BYTES] + bytes;
    f64[s + S_LIVE_BYTES] = live;
    if (live > f64[s + S_LIVE_BYTES + 1]) f64[s + S_LIVE_BYTES + 1] = live;
    f64[s + S_ALLOCS] += 1;
  } else {
    f64[s + S_LIVE_BLOCKS] -= 1;
    f64[s + S_LIVE_BYTES] += bytes;
    f64[s + S_FREES] += 1;
  }
}

/** Zeroes the stats block at f64 index `s`. */
export function statsClear(f64: Float64Array, s: number): void {
  clearDoubles(f64, s, s + STAT_SLOTS);
}

/** Reads the stats block at f64 index `s` into the one stats shape. */
export function statsRead(f64: Float64Array, s: number, classes: ClassStats[] = []): AllocatorStats {
  const out = { classes } as unknown as AllocatorStats;
  const o = out as unknown as Record<string, number | Gauge>;
  for (const name of Object.keys(STAT_FIELDS) as StatName[]) {
    const i = s + STAT_SLOT[name];
    o[name] = STAT_FIELDS[name].kind === "gauge" ? { current: f64[i], peak: f64[i + 1] } : f64[i];
  }
  const fp = out.footprintBytes.current;
  out.fragmentation = fp > 0 ? 1 - out.requestedBytes.current / fp : 0;
  return out;
}

/**
 * statsRead for allocators that keep no request sizes (slab, buddy): requestedBytes is taken to
 * be liveBytes, copied into the block when read rather than kept per operation.
 */
export function statsReadNoRequests(f64: Float64Array, s: number, classes: ClassStats[] = []): AllocatorStats {
  f64[s + S_REQUESTED] = f64[s + S_LIVE_BYTES];
  f64[s + S_REQUESTED + 1] = f64[s + S_LIVE_BYTES + 1];
  return statsRead(f64, s, classes);
}

/** An all-zero stats value (for a destroyed or empty allocator). */
export const emptyStats = (): AllocatorStats => statsRead(new Float64Array(STAT_SLOTS), 0);
