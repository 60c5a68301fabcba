import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Allocator } from "../../src/core/allocator.js";
import { HeapError } from "../../src/core/errors.js";
import type { Ptr } from "../../src/core/ptr.js";
import type { AllocatorStats } from "../../src/core/stats.js";
import { analyzeTrace } from "../../src/trace/analyze.js";
import { OP_ALLOC, OP_FREE, TRACE_MAX_ID, TraceError, TraceOps } from "../../src/trace/format.js";
import { parseTrace, parseTraceText } from "../../src/trace/parse.js";
import { Replayer, replay, replayAsync } from "../../src/trace/replay.js";
import { ToyAllocator } from "../support/toy-allocator.js";
import { traceArb } from "../support/trace-arb.js";
import { README_TABLE, SHARED_TRACES, sharedTraceFiles } from "../support/traces.js";

/** Forwards to an inner allocator; subclasses override what they break or count. */
class Wrap implements Allocator {
  readonly kind = "heap" as const;
  constructor(readonly inner: Allocator) {}
  get memory(): Allocator["memory"] {
    return this.inner.memory;
  }
  alloc(size: number): Ptr {
    return this.inner.alloc(size);
  }
  alignedAlloc(size: number, align: number): Ptr {
    return this.inner.alignedAlloc(size, align);
  }
  resize(ptr: Ptr, size: number): boolean {
    return this.inner.resize(ptr, size);
  }
  free(ptr: Ptr): void {
    this.inner.free(ptr);
  }
  usableSize(ptr: Ptr): number {
    return this.inner.usableSize(ptr);
  }
  stats(): AllocatorStats {
    return this.inner.stats();
  }
  check(): void {
    this.inner.check();
  }
}

const SHORT1 = "20000\n6\n12\n1\na 0 2040\na 1 2040\nf 1\na 2 48\na 3 4072\nf 3\na 4 4072\nf 0\nf 2\na 5 4072\nf 4\nf 5\n";
const TEN = parseTraceText("a 0 8\na 1 16\nr 0 100\nf 1\nm 1 64 128\nr 1 8\nf 0\na 0 1\nf 0\nf 1\n");

const code = (c: string) => (e: unknown) => e instanceof HeapError && e.code === c;

describe("replay", () => {
  test("a, m, r and f become alloc, alignedAlloc, realloc and free", () => {
    const calls: string[] = [];
    class Spy extends Wrap {
      override alloc(size: number): Ptr {
        calls.push(`alloc ${size}`);
        return super.alloc(size);
      }
      override alignedAlloc(size: number, align: number): Ptr {
        calls.push(`alignedAlloc ${size} ${align}`);
        return super.alignedAlloc(size, align);
      }
      override resize(ptr: Ptr, size: number): boolean {
        calls.push(`resize ${size}`);
        return super.resize(ptr, size);
      }
      override free(ptr: Ptr): void {
        calls.push("free");
        super.free(ptr);
      }
    }
    replay(parseTraceText("a 0 8\nm 1 8 64\nr 0 12\nr 0 1000\nf 0\nf 1\n"), new Spy(new ToyAllocator()));
    // The derived realloc: in place when resize can (the toy's smallest blocks hold 16 bytes), else alloc + copy + free.
    assert.deepEqual(calls, ["alloc 8", "alignedAlloc 8 64", "resize 12", "resize 1000", "alloc 1000", "free", "free", "free"]);
  });

  test("the allocator's own realloc is used when it has one", () => {
    let reallocs = 0;
    class OwnRealloc extends Wrap {
      realloc(ptr: Ptr, size: number): Ptr {
        reallocs++;
        const p = this.inner.alloc(size);
        this.memory.u8.copyWithin(p, ptr, ptr + Math.min(size, this.inner.usableSize(ptr)));
        this.inner.free(ptr);
        return p;
      }
    }
    const r = replay(TEN, new OwnRealloc(new ToyAllocator()), { verify: true });
    assert.equal(reallocs, 2);
    assert.equal(r.reallocs, 2);
  });

  test("the result: counts, peaks and the allocator's stats", () => {
    const toy = new ToyAllocator();
    const r = replay(parseTraceText(SHORT1), toy, { checkEvery: 1, verify: true });
    assert.deepEqual(
      { ...r, stats: undefined },
      {
        ops: 12,
        allocs: 6,
        reallocs: 0,
        frees: 6,
        failures: 0,
        skipped: 0,
        stopped: false,
        peakRequestedBytes: 8144,
        peakLiveBlocks: 3,
        liveBlocks: 0,
        requestedBytes: 0,
        stats: undefined,
        samples: undefined,
      },
    );
    assert.deepEqual(r.stats, toy.stats());
    assert.equal(r.stats.liveBlocks.current, 0);
  });

  test("any valid trace replays with verify on, and agrees with the analysis (property)", () => {
    fc.assert(
      fc.property(traceArb({ maxSize: 5000 }), (t) => {
        const toy = new ToyAllocator();
        const r = replay(t, toy, { verify: true, checkEvery: 7 });
        const a = analyzeTrace(t);
        assert.equal(r.failures, 0);
        assert.equal(r.ops, t.length);
        assert.equal(r.peakRequestedBytes, a.peakLiveBytes);
        assert.equal(r.peakLiveBlocks, a.peakLiveBlocks);
        assert.equal(r.liveBlocks, a.liveBlocksAtEnd);
        assert.equal(toy.stats().liveBlocks.current, a.liveBlocksAtEnd);
        assert.equal(toy.stats().requestedBytes.current, a.liveBytesAtEnd);
      }),
      { numRuns: 150 },
    );
  });

  test("batches from the streaming parser replay exactly like the whole trace", () => {
    const text = SHORT1 + "";
    const whole = replay(parseTraceText(text), new ToyAllocator(), { sampleEvery: 2 });
    const streamed = replay(parseTrace(text, { batchSize: 5 }), new ToyAllocator(), { sampleEvery: 2 });
    assert.deepEqual(streamed, whole);
  });

  test("replayAsync takes async batches", async () => {
    async function* batches(): AsyncGenerator<TraceOps> {
      for (const b of parseTrace(SHORT1, { batchSize: 4 })) yield b;
    }
    const r = await replayAsync(batches(), new ToyAllocator());
    assert.equal(r.ops, 12);
    assert.equal(r.peakRequestedBytes, 8144);
  });
});

describe("failures", () => {
  const text = "a 0 1000000\na 1 8\nr 1 2000000\nf 0\nr 1 16\nf 1\n";
  const small = () => new ToyAllocator({ initial: 1 << 16, maximum: 1 << 17 });

  test("an allocation that returns 0 is counted, its free skipped, and replay goes on", () => {
    const r = replay(parseTraceText(text), small(), { verify: true });
    assert.equal(r.failures, 2); // a 0 and the first r 1
    assert.equal(r.skipped, 1); // f 0
    assert.equal(r.ops, 6);
    assert.equal(r.frees, 1);
    assert.equal(r.peakRequestedBytes, 16);
    assert.equal(r.stats.failedAllocs, 2);
  });

  test('onFailure "stop" stops at the first failure', () => {
    const r = replay(parseTraceText(text), small(), { onFailure: "stop" });
    assert.equal(r.ops, 1);
    assert.equal(r.failures, 1);
    assert.ok(r.stopped);
  });

  test("verify catches blocks that overlap", () => {
    let n = 0;
    let last = 0;
    class Overlapping extends Wrap {
      override alloc(size: number): Ptr {
        const p = ++n === 3 ? last : super.alloc(size); // the third block is the second one again
        last = p;
        return p;
      }
    }
    const t = parseTraceText("a 0 64\na 1 64\na 2 64\nf 1\nf 2\nf 0\n");
    assert.throws(() => replay(t, new Overlapping(new ToyAllocator()), { verify: true }), (e: unknown) => {
      assert.ok(e instanceof HeapError && e.code === "ERR_HEAP_CORRUPTED");
      assert.match(e.message, /replay op 4, free of id 1: the block's contents changed at byte 0/);
      return true;
    });
  });

  test("verify catches a realloc that loses the block's bytes", () => {
    class Lossy extends Wrap {
      realloc(ptr: Ptr, size: number): Ptr {
        const p = this.inner.alloc(size); // no copy
        this.inner.free(ptr);
        return p;
      }
    }
    const t = parseTraceText("a 0 100\nr 0 5000\nf 0\n");
    assert.throws(() => replay(t, new Lossy(new ToyAllocator()), { verify: true }), code("ERR_HEAP_CORRUPTED"));
  });

  test("operations that no valid trace holds are a TraceError, not a leak or a crash", () => {
    const t = new TraceOps();
    t.push(OP_ALLOC, 0, 8);
    t.push(OP_ALLOC, 0, 8);
    assert.throws(() => replay(t, new ToyAllocator()), (e: unknown) => e instanceof TraceError && /op 2: alloc of id 0, which is still live/.test(e.message));
    const big = new TraceOps();
    big.push(OP_ALLOC, TRACE_MAX_ID + 1, 8);
    assert.throws(() => replay(big, new ToyAllocator()), (e: unknown) => e instanceof TraceError);
    const freeNothing = new TraceOps();
    freeNothing.push(OP_FREE, 5, 0);
    assert.equal(replay(freeNothing, new ToyAllocator()).skipped, 1);
  });

  test("bad options are ERR_HEAP_INVALID_OPTION", () => {
    assert.throws(() => replay(TEN, new ToyAllocator(), { checkEvery: -1 }), code("ERR_HEAP_INVALID_OPTION"));
    assert.throws(() => replay(TEN, new ToyAllocator(), { sampleEvery: 1.5 }), code("ERR_HEAP_INVALID_OPTION"));
  });
});

describe("checks, samples, progress and stopping", () => {
  test("checkEvery N calls check() after every N operations and at the end", () => {
    for (const [every, expected] of [
      [1, 10],
      [3, 4],
      [5, 2],
      [100, 1],
    ]) {
      let checks = 0;
      class Counting extends Wrap {
        override check(): void {
          checks++;
          super.check();
        }
      }
      replay(TEN, new Counting(new ToyAllocator()), { checkEvery: every });
      assert.equal(checks, expected, `checkEvery ${every}`);
    }
  });

  test("sampleEvery K records stats every K operations and after the last", () => {
    const r = replay(TEN, new ToyAllocator(), { sampleEvery: 3 });
    const s = r.samples!;
    assert.deepEqual(Array.from(s.op), [3, 6, 9, 10]);
    assert.equal(s.liveBytes.length, 4);
    assert.equal(s.requestedBytes[0], 16 + 100); // after a 0 8, a 1 16, r 0 100
    assert.equal(s.requestedBytes[3], 0);
    assert.ok(s.footprintBytes[3] > 0);
    assert.deepEqual(Array.from(replay(TEN, new ToyAllocator(), { sampleEvery: 5 }).samples!.op), [5, 10]);
  });

  test("sampling grows past its first buffer", () => {
    const t = new TraceOps();
    for (let i = 0; i < 300; i++) t.push(i % 2 === 0 ? OP_ALLOC : OP_FREE, 0, 8);
    assert.equal(replay(t, new ToyAllocator(), { sampleEvery: 1 }).samples!.op.length, 300);
  });

  test("onProgress is called every progressEvery operations and at the end", () => {
    const seen: number[] = [];
    replay(TEN, new ToyAllocator(), { onProgress: (n) => seen.push(n), progressEvery: 4 });
    assert.deepEqual(seen, [4, 8, 10]);
  });

  test("stopAt K leaves the allocator as it is after K operations, for a heap map", () => {
    const toy = new ToyAllocator();
    const r = new Replayer(toy, { stopAt: 5 });
    assert.equal(r.feed(TEN), false);
    const res = r.finish();
    assert.equal(res.ops, 5);
    assert.ok(res.stopped);
    assert.equal(res.liveBlocks, 2); // ids 0 (100 B) and 1 (64 B, aligned to 128)
    const live = r.liveBlocks();
    assert.deepEqual(Array.from(live.id), [0, 1]);
    assert.deepEqual(Array.from(live.size), [100, 64]);
    assert.equal(live.ptr[1] % 128, 0);
    assert.equal(r.ptrOf(0), live.ptr[0]);
    assert.equal(r.sizeOf(1), 64);
    assert.equal(r.sizeOf(7), 0);
    assert.equal(toy.stats().liveBlocks.current, 2);
    assert.equal(replay(TEN, new ToyAllocator(), { stopAt: 0 }).ops, 0);
  });
});

describe("the shared trace files replay on the toy allocator", () => {
  const { files, skip } = sharedTraceFiles();
  if (skip) console.log(`# skipping the shared trace files: ${skip}`);
  for (const file of files) {
    // verify fills every byte allocated: skip it where that is hundreds of MB (realloc-bal, the big real traces).
    const verify = file.startsWith("malloclab/") && file !== "malloclab/realloc-bal.rep";
    test(`${file}${verify ? " (verified)" : ""}`, { skip }, () => {
      const toy = new ToyAllocator();
      const r = replay(parseTrace(readFileSync(SHARED_TRACES + file), { source: file }), toy, { verify });
      const row = README_TABLE[file];
      assert.equal(r.failures, 0);
      assert.equal(r.liveBlocks, 0);
      toy.check();
      if (row) {
        assert.equal(r.ops, row.ops);
        assert.equal(r.peakRequestedBytes, row.maxLiveBytes);
        assert.equal(r.peakLiveBlocks, row.maxLiveBlocks);
      }
    });
  }
});
