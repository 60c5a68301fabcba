// The "views" workloads: the u32 loads and stores an allocator's fast path makes, run over each
// kind of typed view (the subjects of the views suite), to choose between fixed-length views
// (replaced when the memory grows) and length-tracking views over a resizable buffer (never
// replaced). Both loops re-read the view from a handle at every operation, as heapkit's
// allocators do (`const u32 = this.memory.u32`), so the figure includes that load too. Each loop
// runs once untimed first (warmOps), then timed.
//
// Layout inside the view, in bytes (u32 word index = byte >>> 2):
//   0        W_TOP / W_HEAD   bump top, or free-list head (a byte offset; 0 = empty)
//   64 …     ARENA_BYTES of 16-byte blocks
//   then     the free-list workload's stack of popped blocks (STACK_WORDS words)
// The arena is small (64 KiB) so the loops measure view access, not cache misses.
import { need, type Subject } from "../subject.js";
import { now, since, type Workload, type WorkloadContext, type WorkloadResult } from "../workload.js";

const W_TOP = 0;
const ARENA = 64;
const BLOCK_BYTES = 16;
const ARENA_BYTES = 64 * 1024;
const BLOCKS = ARENA_BYTES / BLOCK_BYTES;
const STACK = ARENA + ARENA_BYTES;

/** Bytes a views-suite subject's view must cover. */
export const VIEW_BYTES = STACK + BLOCKS * 4;

/** Operations of a full run. */
const FULL_OPS = 400_000_000;

/**
 * Untimed operations run first, so that the timed loop runs optimised code: these workloads measure
 * the steady-state cost of a view access, not how soon V8 optimises the loop (the allocator
 * workloads, which have no warm-up, include that).
 */
const warmOps = (n: number): number => Math.min(n, 500_000);

const opsAt = (ctx: WorkloadContext): number => Math.max(BLOCKS * 4, Math.round((FULL_OPS * ctx.scale) / BLOCKS) * BLOCKS);

/** A handle over a view, as an allocator is: the view is a field, loaded at each operation. */
class Handle {
  constructor(readonly u32: Uint32Array) {}
}

/** Bump allocation of 16-byte blocks, one word written into each; back to the start when the arena is full. */
function bumpAlloc(h: Handle, value: number): number {
  const u32 = h.u32;
  let p = u32[W_TOP];
  if (p + BLOCK_BYTES > ARENA + ARENA_BYTES) p = ARENA;
  u32[W_TOP] = p + BLOCK_BYTES;
  u32[p >>> 2] = value;
  return p;
}

function bumpLoop(h: Handle, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum ^= bumpAlloc(h, i); // int32: no heap numbers in the loop
  return sum; // returned, so the loop's work is not dead
}

function bump(s: Subject, n: number): WorkloadResult {
  const h = new Handle(need(s, ["view"]).view());
  h.u32[W_TOP] = ARENA;
  bumpLoop(h, warmOps(n));
  const t0 = now();
  const sum = bumpLoop(h, n);
  const ns = since(t0);
  return { ops: n, ns, extra: { check: sum & 0xff } };
}

/** Pops the free list's head: load head, load its next word, store head. */
function pop(h: Handle): number {
  const u32 = h.u32;
  const b = u32[W_TOP];
  u32[W_TOP] = u32[b >>> 2];
  return b;
}

/** Pushes `b`: store its next word, store head. */
function push(h: Handle, b: number): void {
  const u32 = h.u32;
  u32[b >>> 2] = u32[W_TOP];
  u32[W_TOP] = b;
}

/** `rounds` rounds of: pop every block (one word written into each, the block noted on a stack in the view), push them all back. */
function freeListLoop(h: Handle, rounds: number): void {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < BLOCKS; i++) {
      const b = pop(h);
      h.u32[(b >>> 2) + 1] = r;
      h.u32[(STACK >>> 2) + i] = b;
    }
    for (let i = BLOCKS - 1; i >= 0; i--) push(h, h.u32[(STACK >>> 2) + i]);
  }
}

function freeList(s: Subject, n: number): WorkloadResult {
  const h = new Handle(need(s, ["view"]).view());
  for (let i = BLOCKS - 1; i >= 0; i--) push(h, ARENA + i * BLOCK_BYTES); // thread the list
  const rounds = Math.max(1, Math.floor(n / (2 * BLOCKS))); // a round is BLOCKS pops and BLOCKS pushes
  freeListLoop(h, Math.max(1, Math.floor(warmOps(n) / (2 * BLOCKS))));
  const t0 = now();
  freeListLoop(h, rounds);
  const ns = since(t0);
  return { ops: rounds * BLOCKS * 2, ns, extra: { check: h.u32[W_TOP] === ARENA ? 1 : 0 } };
}

export const VIEW_WORKLOADS: Readonly<Record<string, Workload>> = {
  "views-bump": {
    description: "bump allocation of 16 B blocks with one u32 store into each (1 load, 2 stores per op)",
    unit: "op",
    needs: ["view"],
    prepare(ctx) {
      const n = opsAt(ctx);
      return { capacity: { liveBytes: VIEW_BYTES, liveBlocks: 1 }, run: (s) => bump(s, n) };
    },
  },
  "views-freelist": {
    description: "free-list pop (2 loads, 1 store, +1 store into the block) and push (1 load, 2 stores)",
    unit: "op",
    needs: ["view"],
    prepare(ctx) {
      const n = opsAt(ctx);
      return { capacity: { liveBytes: VIEW_BYTES, liveBlocks: 1 }, run: (s) => freeList(s, n) };
    },
  },
};
