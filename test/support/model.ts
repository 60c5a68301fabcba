// The model-based property: random operation sequences against a model of what must be live.
// After every operation: every pointer aligned, no two live blocks overlap, check() passes, the
// stats count the live blocks. Each block is filled with a pattern from its own seed, verified
// before it is freed or moved and, for survivors, at the end.
import assert from "node:assert/strict";
import fc from "fast-check";
import { MIN_ALIGN, NULL, realloc, type Allocator, type Ptr } from "../../src/index.js";
import { fill, firstDamaged } from "./fill.js";
import { opsArb, type Op, type OpWeights } from "./arbitraries.js";

export interface ModelOpts {
  maxSize: number;
  edges?: readonly number[];
  weights?: OpWeights;
  maxAlign?: number;
  maxLength?: number;
  /** Sizes the allocator rounds requests to: the model checks usableSize >= size only. */
  checkEvery?: number;
}

interface Block {
  size: number;
  seed: number;
}

export function runModel(a: Allocator, seq: readonly Op[], checkEvery = 1): void {
  const live = new Map<Ptr, Block>();
  const order: Ptr[] = [];
  let seed = 0;
  const verify = (p: Ptr, b: Block, when: string) => {
    const bad = firstDamaged(a.memory.u8, p, b.size, b.seed);
    assert.equal(bad, -1, `contents of block ${p} (size ${b.size}) damaged at byte ${bad} ${when}`);
  };
  const adopt = (p: Ptr, size: number, align: number) => {
    assert.equal(p % align, 0, `pointer ${p} not aligned to ${align}`);
    assert.ok(a.usableSize(p) >= size, `usableSize(${p}) = ${a.usableSize(p)} < ${size}`);
    for (const [q, b] of live) {
      assert.ok(p + Math.max(size, 1) <= q || q + Math.max(b.size, 1) <= p, `new block ${p}+${size} overlaps live ${q}+${b.size}`);
    }
    const b = { size, seed: ++seed };
    fill(a.memory.u8, p, size, b.seed);
    live.set(p, b);
    order.push(p);
  };
  const forget = (p: Ptr) => {
    live.delete(p);
    order.splice(order.indexOf(p), 1);
  };
  let step = 0;
  for (const s of seq) {
    step++;
    switch (s.op) {
      case "alloc": {
        const p = a.alloc(s.size);
        if (p !== NULL) adopt(p, s.size, MIN_ALIGN);
        break;
      }
      case "aligned": {
        const p = a.alignedAlloc(s.size, s.align);
        if (p !== NULL) adopt(p, s.size, s.align);
        break;
      }
      case "free": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        verify(p, live.get(p)!, "before free");
        a.free(p);
        forget(p);
        break;
      }
      case "resize": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        const b = live.get(p)!;
        verify(p, b, "before resize");
        if (a.resize(p, s.size)) {
          const keep = Math.min(b.size, s.size);
          assert.ok(a.usableSize(p) >= s.size, "resize reported success but usableSize is short");
          verify(p, { size: keep, seed: b.seed }, "after resize");
          forget(p);
          adopt(p, s.size, MIN_ALIGN);
        } else {
          verify(p, b, "after a refused resize");
        }
        break;
      }
      case "realloc": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        const b = live.get(p)!;
        verify(p, b, "before realloc");
        const q = realloc(a, p, s.size);
        if (q === NULL) {
          verify(p, b, "after a failed realloc");
          break;
        }
        verify(q, { size: Math.min(b.size, s.size), seed: b.seed }, "after realloc");
        forget(p);
        adopt(q, s.size, MIN_ALIGN);
        break;
      }
    }
    if (step % checkEvery === 0) a.check();
    assert.equal(a.stats().liveBlocks.current, live.size, "stats.liveBlocks disagrees with the model");
  }
  a.check();
  for (const [p, b] of live) verify(p, b, "at the end");
}

/** The property: `make` builds a fresh allocator per run. */
export function matchesModel(make: () => Allocator, o: ModelOpts): fc.IPropertyWithHooks<[Op[]]> {
  return fc.property(opsArb(o.maxSize, o.edges, o.weights, o.maxAlign, o.maxLength), (seq) => runModel(make(), seq, o.checkEvery));
}
