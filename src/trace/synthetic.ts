// Synthetic traces: deterministic generators (seeded PRNG, same seed → same trace on every
// engine) for the allocation patterns an engineer wants to see side by side, bundled by the CLI as
// default inputs. Every trace is valid and balanced (every block is freed by the end) and numbers
// its ids the way the recorder does (a new block takes the most recently freed id).
//
// Each generator is written to show one pattern of analyze.ts and not the others, so that the
// analysis can be tested on them:
//   dominantSize     one size is most of the requests, the rest spread; random frees
//   requestPhases    per request a burst of allocations, then all of them freed (region-like)
//   growingBuffer    one buffer realloc'd larger step by step, small blocks allocated between
//   slabMix          a handful of small sizes, random lifetimes (slab / pool friendly)
//   stack            frees in reverse order of allocation (stack / arena with marks)
//   longLivedMixed   sizes from 8 B to 64 KiB, a third of the blocks kept to the end
import { OP_ALLOC, OP_FREE, OP_REALLOC, TraceOps } from "./format.js";
import { growU32 } from "./internal.js";

/** Small, fast, seeded PRNG (mulberry32): u32 output, period 2^32, good enough for workloads. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The next u32. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Log-uniform integer in [lo, hi]: as many sizes from 8 to 16 as from 4096 to 8192. */
  logUniform(lo: number, hi: number): number {
    return Math.min(hi, Math.floor(lo * (hi / lo) ** this.float()));
  }
}

/** A set of ids with O(1) add, remove and random pick: an array with swap-remove, and each id's place in it. */
class IdSet {
  private ids = new Uint32Array(256);
  private at = new Uint32Array(256); // id → index in `ids`
  count = 0;

  add(id: number): void {
    if (id >= this.at.length) this.at = growU32(this.at, id + 1);
    if (this.count === this.ids.length) this.ids = growU32(this.ids, this.count + 1);
    this.at[id] = this.count;
    this.ids[this.count++] = id;
  }

  remove(id: number): void {
    const i = this.at[id];
    const last = this.ids[--this.count];
    this.ids[i] = last;
    this.at[last] = i;
  }

  /** A member chosen at random. Needs count > 0. */
  pick(rng: Rng): number {
    return this.ids[rng.int(this.count)];
  }
}

/** Builds a trace with recorder-style ids, keeping the set of live ids. */
class Builder {
  readonly ops = new TraceOps(4096);
  readonly live = new IdSet();
  private freeIds = new Uint32Array(256);
  private top = 0;
  private next = 0;
  private size = new Uint32Array(256); // id → current size

  get count(): number {
    return this.live.count;
  }

  alloc(size: number): number {
    const id = this.top > 0 ? this.freeIds[--this.top] : this.next++;
    if (id >= this.size.length) this.size = growU32(this.size, id + 1);
    this.live.add(id);
    this.size[id] = size;
    this.ops.push(OP_ALLOC, id, size);
    return id;
  }

  realloc(id: number, size: number): void {
    this.size[id] = size;
    this.ops.push(OP_REALLOC, id, size);
  }

  sizeOf(id: number): number {
    return this.size[id];
  }

  free(id: number): void {
    this.live.remove(id);
    if (this.top === this.freeIds.length) this.freeIds = growU32(this.freeIds, this.top + 1);
    this.freeIds[this.top++] = id;
    this.ops.push(OP_FREE, id, 0);
  }

  /** A live id chosen at random. Needs count > 0. */
  pick(rng: Rng): number {
    return this.live.pick(rng);
  }

  /** Frees every live block, in random order. */
  freeAll(rng: Rng): void {
    while (this.count > 0) this.free(this.pick(rng));
  }
}

export interface DominantSizeOptions {
  seed?: number;
  /** Approximate number of operations. @defaultValue 100000 */
  ops?: number;
  /** @defaultValue 48 */
  size?: number;
  /** Share of allocations of `size`; the rest are log-uniform in [8, 4096]. @defaultValue 0.8 */
  share?: number;
  /** Blocks live in the steady state. @defaultValue 2000 */
  live?: number;
}

export function dominantSizeTrace(o: DominantSizeOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 1);
  const ops = o.ops ?? 100_000;
  const size = o.size ?? 48;
  const share = o.share ?? 0.8;
  const live = o.live ?? 2000;
  const b = new Builder();
  while (b.ops.length < ops - b.count) {
    // A random walk that leans toward `live` blocks.
    const allocate = b.count === 0 || rng.float() < (b.count < live ? 0.6 : 0.4);
    if (allocate) b.alloc(rng.float() < share ? size : rng.logUniform(8, 4096));
    else b.free(b.pick(rng));
  }
  b.freeAll(rng);
  return b.ops;
}

export interface RequestPhasesOptions {
  seed?: number;
  /** @defaultValue 300 */
  requests?: number;
  /** Allocations per request: uniform in [min, max]. @defaultValue [50, 400] */
  perRequest?: readonly [number, number];
  /** Long-lived blocks allocated before the first request and freed after the last. @defaultValue 4 */
  base?: number;
}

export function requestPhasesTrace(o: RequestPhasesOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 2);
  const [lo, hi] = o.perRequest ?? [50, 400];
  const b = new Builder();
  const base: number[] = [];
  for (let i = 0; i < (o.base ?? 4); i++) base.push(b.alloc(rng.logUniform(1024, 65536)));
  const scratch = new Uint32Array(hi);
  for (let r = 0; r < (o.requests ?? 300); r++) {
    const n = lo + rng.int(hi - lo + 1);
    for (let i = 0; i < n; i++) scratch[i] = b.alloc(rng.logUniform(16, 2048));
    // End of request: everything it allocated dies, in no particular order.
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = scratch[i];
      scratch[i] = scratch[j];
      scratch[j] = t;
    }
    for (let i = 0; i < n; i++) b.free(scratch[i]);
  }
  for (const id of base) b.free(id);
  return b.ops;
}

export interface GrowingBufferOptions {
  seed?: number;
  /** Reallocs of the buffer. @defaultValue 2000 */
  steps?: number;
  /** @defaultValue 512 */
  start?: number;
  /** Bytes added per step. @defaultValue 128 */
  step?: number;
  /** Small blocks kept live between steps (the oldest is freed first). @defaultValue 16 */
  smalls?: number;
}

export function growingBufferTrace(o: GrowingBufferOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 3);
  const steps = o.steps ?? 2000;
  const step = o.step ?? 128;
  const keep = o.smalls ?? 16;
  const b = new Builder();
  const buf = b.alloc(o.start ?? 512);
  const ring = new Uint32Array(keep + 2); // holds keep + 1 ids: one slot stays empty to tell full from empty
  let head = 0;
  let tail = 0;
  for (let i = 0; i < steps; i++) {
    b.realloc(buf, b.sizeOf(buf) + step);
    ring[tail] = b.alloc(16 + rng.int(113));
    tail = (tail + 1) % ring.length;
    if ((tail - head + ring.length) % ring.length > keep) {
      b.free(ring[head]);
      head = (head + 1) % ring.length;
    }
  }
  for (; head !== tail; head = (head + 1) % ring.length) b.free(ring[head]);
  b.free(buf);
  return b.ops;
}

export interface SlabMixOptions {
  seed?: number;
  /** @defaultValue 100000 */
  ops?: number;
  /** The sizes, drawn uniformly. @defaultValue [16, 24, 32, 48, 64, 96, 128] */
  sizes?: readonly number[];
  /** @defaultValue 5000 */
  live?: number;
}

export function slabMixTrace(o: SlabMixOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 4);
  const ops = o.ops ?? 100_000;
  const sizes = o.sizes ?? [16, 24, 32, 48, 64, 96, 128];
  const live = o.live ?? 5000;
  const b = new Builder();
  while (b.ops.length < ops - b.count) {
    const allocate = b.count === 0 || rng.float() < (b.count < live ? 0.6 : 0.4);
    if (allocate) b.alloc(sizes[rng.int(sizes.length)]);
    else b.free(b.pick(rng));
  }
  b.freeAll(rng);
  return b.ops;
}

export interface StackOptions {
  seed?: number;
  /** @defaultValue 100000 */
  ops?: number;
  /** Depth the stack hovers around. @defaultValue 200 */
  depth?: number;
}

export function stackTrace(o: StackOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 5);
  const ops = o.ops ?? 100_000;
  const depth = o.depth ?? 200;
  const b = new Builder();
  const stack: number[] = [];
  while (b.ops.length < ops - stack.length) {
    const push = stack.length === 0 || rng.float() < (stack.length < depth ? 0.55 : 0.45);
    if (push) stack.push(b.alloc(rng.logUniform(8, 8192)));
    else b.free(stack.pop()!);
  }
  while (stack.length > 0) b.free(stack.pop()!);
  return b.ops;
}

export interface LongLivedMixedOptions {
  seed?: number;
  /** @defaultValue 100000 */
  ops?: number;
  /** Share of blocks kept until the end. @defaultValue 0.3 */
  keep?: number;
  /** Short-lived blocks live at once. @defaultValue 500 */
  live?: number;
}

export function longLivedMixedTrace(o: LongLivedMixedOptions = {}): TraceOps {
  const rng = new Rng(o.seed ?? 6);
  const ops = o.ops ?? 100_000;
  const keep = o.keep ?? 0.3;
  const live = o.live ?? 500;
  const b = new Builder();
  const short = new IdSet(); // the live blocks that are not kept
  while (b.ops.length < ops - b.count) {
    if (short.count === 0 || rng.float() < (short.count < live ? 0.6 : 0.4)) {
      const id = b.alloc(rng.logUniform(8, 65536));
      if (rng.float() >= keep) short.add(id);
    } else {
      const id = short.pick(rng);
      short.remove(id);
      b.free(id);
    }
  }
  b.freeAll(rng);
  return b.ops;
}

/** The generators with their defaults, by name: what the CLI offers when no trace is given. */
export const SYNTHETIC_TRACES: Readonly<Record<string, { description: string; generate: (seed?: number) => TraceOps }>> = {
  "dominant-size": {
    description: "80 % of allocations are 48 B, the rest 8 B to 4 KiB; random frees, ~2000 live",
    generate: (seed) => dominantSizeTrace({ seed }),
  },
  "request-phases": {
    description: "300 requests, each allocating 50 to 400 blocks of 16 B to 2 KiB and then freeing them all",
    generate: (seed) => requestPhasesTrace({ seed }),
  },
  "growing-buffer": {
    description: "one buffer realloc'd from 512 B up by 128 B 2000 times, a small block allocated after each step",
    generate: (seed) => growingBufferTrace({ seed }),
  },
  "slab-mix": {
    description: "seven sizes from 16 B to 128 B, random lifetimes, ~5000 live",
    generate: (seed) => slabMixTrace({ seed }),
  },
  stack: {
    description: "blocks of 8 B to 8 KiB freed in reverse order of allocation, ~200 deep",
    generate: (seed) => stackTrace({ seed }),
  },
  "long-lived-mixed": {
    description: "sizes from 8 B to 64 KiB; 30 % of blocks kept to the end, the rest short-lived",
    generate: (seed) => longLivedMixedTrace({ seed }),
  },
};
