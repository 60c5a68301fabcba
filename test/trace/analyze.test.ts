import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { TraceAnalyzer, analyzeTrace, type TracePattern } from "../../src/trace/analyze.js";
import { OP_ALLOC, OP_FREE, OP_REALLOC, TraceOps, serializeTrace } from "../../src/trace/format.js";
import { parseTrace, parseTraceText } from "../../src/trace/parse.js";
import {
  dominantSizeTrace,
  growingBufferTrace,
  longLivedMixedTrace,
  requestPhasesTrace,
  slabMixTrace,
  stackTrace,
} from "../../src/trace/synthetic.js";
import { traceArb } from "../support/trace-arb.js";

const bucketOf = (v: number): number => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1);

/** The analysis's numbers computed the obvious way: arrays, Maps, quadratic where it is simplest. */
function naive(t: TraceOps) {
  const order: number[] = []; // live ids in allocation order
  const size = new Map<number, number>();
  const born = new Map<number, number>();
  const grows = new Map<number, number>();
  const counts = new Map<number, number>();
  const sizeHist = new Map<number, number>();
  const lifeHist = new Map<number, number>();
  let bytes = 0;
  const r = { allocs: 0, aligned: 0, reallocs: 0, frees: 0, peakBytes: 0, peakBlocks: 0, lifo: 0, growing: 0, maxGrow: 0 };
  const all: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const [op, id, s] = [t.op[i], t.id[i], t.size[i]];
    if (op === OP_FREE) {
      r.frees++;
      if (order[order.length - 1] === id) r.lifo++;
      order.splice(order.indexOf(id), 1);
      bytes -= size.get(id)!;
      size.delete(id);
      const life = bucketOf(i - born.get(id)!);
      lifeHist.set(life, (lifeHist.get(life) ?? 0) + 1);
    } else {
      all.push(s);
      counts.set(s, (counts.get(s) ?? 0) + 1);
      sizeHist.set(bucketOf(s), (sizeHist.get(bucketOf(s)) ?? 0) + 1);
      if (op === OP_REALLOC) {
        r.reallocs++;
        if (s > size.get(id)!) {
          r.growing++;
          grows.set(id, grows.get(id)! + 1);
          r.maxGrow = Math.max(r.maxGrow, grows.get(id)!);
        }
        bytes += s - size.get(id)!;
      } else {
        if (op === OP_ALLOC) r.allocs++;
        else r.aligned++;
        order.push(id);
        born.set(id, i);
        grows.set(id, 0);
        bytes += s;
      }
      size.set(id, s);
    }
    r.peakBytes = Math.max(r.peakBytes, bytes);
    r.peakBlocks = Math.max(r.peakBlocks, size.size);
  }
  all.sort((a, b) => a - b);
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return { ...r, liveAtEnd: size.size, bytesAtEnd: bytes, all, top, distinct: counts.size, sizeHist, lifeHist };
}

const histMap = (h: { min: number; count: number }[]) => new Map(h.filter((b) => b.count > 0).map((b) => [bucketOf(b.min), b.count]));

describe("analyzeTrace numbers", () => {
  test("agree with a naive computation on any valid trace (property)", () => {
    fc.assert(
      fc.property(traceArb({ maxSteps: 200, idSpace: 30 }), (t) => {
        const a = analyzeTrace(t);
        const n = naive(t);
        assert.equal(a.ops, t.length);
        assert.deepEqual(
          [a.allocs, a.alignedAllocs, a.reallocs, a.frees, a.peakLiveBytes, a.peakLiveBlocks, a.liveBlocksAtEnd, a.liveBytesAtEnd, a.neverFreed],
          [n.allocs, n.aligned, n.reallocs, n.frees, n.peakBytes, n.peakBlocks, n.liveAtEnd, n.bytesAtEnd, n.liveAtEnd],
        );
        assert.deepEqual([a.lifoFrees, a.growingReallocs, a.maxGrowChain], [n.lifo, n.growing, n.maxGrow]);
        assert.equal(a.distinctSizes, n.distinct);
        const k = n.all.length;
        assert.deepEqual([a.sizeMin, a.sizeMedian, a.sizeMax], k > 0 ? [n.all[0], n.all[(k - 1) >> 1], n.all[k - 1]] : [0, 0, 0]);
        assert.deepEqual(
          a.topSizes.map((s) => [s.size, s.count]),
          n.top.slice(0, 10),
        );
        assert.deepEqual(histMap(a.sizeHistogram), n.sizeHist);
        assert.deepEqual(histMap(a.lifetimeHistogram), n.lifeHist);
        assert.equal(a.invalidOps, 0);
      }),
      { numRuns: 300 },
    );
  });

  test("streamed in batches gives the same analysis as the whole trace", () => {
    const t = requestPhasesTrace({ requests: 30 });
    const an = new TraceAnalyzer();
    for (const b of parseTrace(serializeTrace(t), { batchSize: 100 })) an.add(b);
    assert.deepEqual(an.finish(), analyzeTrace(t));
  });

  test("histogram buckets are powers of two, contiguous from the first non-empty to the last", () => {
    const a = analyzeTrace(parseTraceText("a 0 0\na 1 3\na 2 4\na 3 100\nf 0\nf 1\nf 2\nf 3\n"));
    assert.deepEqual(a.sizeHistogram, [
      { min: 0, max: 0, count: 1 },
      { min: 1, max: 1, count: 0 },
      { min: 2, max: 3, count: 1 },
      { min: 4, max: 7, count: 1 },
      { min: 8, max: 15, count: 0 },
      { min: 16, max: 31, count: 0 },
      { min: 32, max: 63, count: 0 },
      { min: 64, max: 127, count: 1 },
    ]);
    assert.deepEqual(a.lifetimeHistogram, [{ min: 4, max: 7, count: 4 }]);
    assert.equal(a.opsPerAlloc, 2);
    assert.equal(a.allocShare, 0.5);
  });

  test("ops that no valid trace holds are counted and skipped", () => {
    const t = new TraceOps();
    t.push(OP_FREE, 3, 0);
    t.push(OP_REALLOC, 3, 9);
    t.push(OP_ALLOC, 1, 8);
    t.push(OP_ALLOC, 1, 8);
    const a = analyzeTrace(t);
    assert.equal(a.invalidOps, 3);
    assert.equal(a.liveBlocksAtEnd, 1);
    assert.deepEqual([a.allocs, a.reallocs, a.frees, a.distinctSizes, a.totalRequestedBytes], [1, 0, 0, 1, 8]);
  });

  test("an empty trace", () => {
    const a = analyzeTrace(new TraceOps());
    assert.equal(a.ops, 0);
    assert.deepEqual(a.patterns, []);
    assert.deepEqual(a.sizeHistogram, []);
  });
});

describe("phases", () => {
  /** Bursts of `sizes[i]` allocations, each freed together, on top of `base` long-lived blocks. */
  function bursts(counts: number[], base = 0): TraceOps {
    const lines: string[] = [];
    for (let b = 0; b < base; b++) lines.push(`a ${1000 + b} 64`);
    for (const n of counts) {
      for (let i = 0; i < n; i++) lines.push(`a ${i} 16`);
      for (let i = 0; i < n; i++) lines.push(`f ${i}`);
    }
    for (let b = 0; b < base; b++) lines.push(`f ${1000 + b}`);
    return parseTraceText(lines.join("\n"));
  }

  test("every burst that dies together is one phase; the frees after a trough are not more phases", () => {
    const a = analyzeTrace(bursts([100, 100, 100, 100, 100]));
    assert.equal(a.phases, 5);
    assert.equal(a.meanPhaseOps, 199); // a phase ends once 5 % of its peak is left: the first one 5 frees early
    assert.equal(a.meanPhasePeakBlocks, 100);
    assert.ok(a.patterns.some((p) => p.pattern === "phases"));
    assert.equal(analyzeTrace(bursts([1000])).phases, 1);
  });

  test("a few long-lived blocks under the bursts do not hide them; bursts far below the peak do not count", () => {
    assert.equal(analyzeTrace(bursts([100, 100, 100], 3)).phases, 3);
    assert.equal(analyzeTrace(bursts([100, 5, 5, 5, 100])).phases, 2);
  });
});

describe("patterns of the synthetic traces", () => {
  const expected: [string, (seed: number) => TraceOps, TracePattern[]][] = [
    ["dominantSizeTrace", (seed) => dominantSizeTrace({ seed, ops: 40_000 }), ["one-dominant-size"]],
    ["requestPhasesTrace", (seed) => requestPhasesTrace({ seed, requests: 100 }), ["phases"]],
    ["growingBufferTrace", (seed) => growingBufferTrace({ seed, steps: 500 }), ["growing-buffer"]],
    ["slabMixTrace", (seed) => slabMixTrace({ seed, ops: 40_000 }), ["few-sizes"]],
    ["stackTrace", (seed) => stackTrace({ seed, ops: 40_000 }), ["lifo"]],
    ["longLivedMixedTrace", (seed) => longLivedMixedTrace({ seed, ops: 40_000 }), ["long-lived-mixed"]],
  ];
  for (const [name, make, patterns] of expected) {
    test(`${name} shows ${patterns.join(", ")} and nothing else, for several seeds`, () => {
      for (const seed of [1, 2, 3]) {
        const a = analyzeTrace(make(seed));
        assert.deepEqual(
          a.patterns.map((p) => p.pattern),
          patterns,
          `seed ${seed}: ${a.patterns.map((p) => p.evidence).join("; ")}`,
        );
        for (const p of a.patterns) {
          assert.match(p.evidence, /\d/);
          assert.ok(Object.values(p.numbers).every(Number.isFinite));
        }
      }
    });
  }

  test("the evidence says what was measured", () => {
    const [dominant] = analyzeTrace(dominantSizeTrace({ ops: 20_000 })).patterns;
    assert.match(dominant.evidence, /^48 B is 8\d\.\d % of \d+ requested sizes$/);
    assert.equal(dominant.numbers.size, 48);
    const [grow] = analyzeTrace(growingBufferTrace({ steps: 100 })).patterns;
    assert.equal(grow.numbers.maxGrowChain, 100);
    assert.equal(grow.numbers.growShare, 1);
  });

  test("thresholds can be changed", () => {
    const t = dominantSizeTrace({ ops: 20_000 });
    assert.deepEqual(analyzeTrace(t, { thresholds: { dominantShare: 0.9 } }).patterns, []);
    assert.equal(analyzeTrace(t, { topSizes: 3 }).topSizes.length, 3);
  });

  test("a trace of one size freed at once is few-sizes, one-dominant-size and LIFO", () => {
    const t = parseTraceText(["a 0 32", "a 1 32", "a 2 32", "f 2", "f 1", "f 0"].join("\n"));
    assert.deepEqual(
      analyzeTrace(t).patterns.map((p) => p.pattern),
      ["one-dominant-size", "few-sizes", "lifo"],
    );
    const opsOnly = new TraceOps();
    opsOnly.push(OP_ALLOC, 0, 1);
    assert.equal(analyzeTrace(opsOnly).neverFreed, 1);
  });
});
