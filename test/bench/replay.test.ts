// The benchmark's trace replayer: parsing, the statistics it reports, and a replay through a peer.
// Op counts and peak live payloads are checked against a computation written here, independently,
// on the shared malloc-lab traces (read from ../shared/traces beside the repository, never copied).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { OP_ALLOC, OP_FREE, OP_REALLOC, parseTrace, replay, TraceFormatError } from "../../bench/workloads/replay.js";
import { countOps, listTraces, traceOps } from "../../bench/workloads/traces.js";
import { JsBump } from "../../bench/peers/js-bump.js";
import { ThingMalloc } from "../../bench/peers/thing-malloc.js";

const TRACES = join(fileURLToPath(new URL("../../..", import.meta.url)), "..", "shared", "traces");
const haveTraces = existsSync(join(TRACES, "malloclab", "short1-bal.rep"));

/** The independent reading: split on lines and spaces, keep a map of live sizes. */
function reference(text: string): { ops: number; allocs: number; frees: number; reallocs: number; peakLive: number } {
  const live = new Map<string, number>();
  let ops = 0, allocs = 0, frees = 0, reallocs = 0, bytes = 0, peakLive = 0;
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f[0] === "" || f[0].startsWith("#") || /^\d+$/.test(f[0])) continue;
    ops++;
    if (f[0] === "a" || f[0] === "m") {
      allocs++;
      live.set(f[1], Number(f[2]));
      bytes += Number(f[2]);
    } else if (f[0] === "r") {
      reallocs++;
      bytes += Number(f[2]) - live.get(f[1])!;
      live.set(f[1], Number(f[2]));
    } else {
      frees++;
      bytes -= live.get(f[1])!;
      live.delete(f[1]);
    }
    peakLive = Math.max(peakLive, bytes);
  }
  return { ops, allocs, frees, reallocs, peakLive };
}

describe("bench trace replayer", () => {
  for (const [file, peak] of [["short1-bal.rep", 8144], ["short2-bal.rep", 18314]] as const) {
    test(`${file}: op counts and peak live payload match an independent reading`, { skip: !haveTraces && "no ../shared/traces" }, () => {
      const text = readFileSync(join(TRACES, "malloclab", file), "latin1");
      const t = parseTrace(text, file);
      const ref = reference(text);
      assert.equal(t.count, ref.ops);
      assert.equal(t.count, 12);
      assert.equal(t.allocs, ref.allocs);
      assert.equal(t.frees, ref.frees);
      assert.equal(t.reallocs, ref.reallocs);
      assert.equal(t.peakLive, ref.peakLive);
      assert.equal(t.peakLive, peak, "the figure in ../shared/traces/README.md");
      assert.equal(countOps(text), t.count);

      const r = replay(t, new JsBump(64));
      assert.equal(r.ops, 12);
      assert.equal(r.extra?.peakLive, peak);
      assert.ok((r.extra?.peakFootprint ?? 0) >= peak, "a bump allocator never needs less than the live peak");
    });
  }

  test("the suite lists both folders, without the 12-op traces", { skip: !haveTraces && "no ../shared/traces" }, () => {
    const all = listTraces(TRACES, false);
    assert.ok(all.includes("malloclab/binary-bal.rep") && all.includes("real/python-json.trace"));
    assert.ok(!all.some((t) => t.includes("short")));
    assert.ok(listTraces(TRACES, true).every((t) => all.includes(t)));
    assert.deepEqual(listTraces(join(TRACES, "nowhere"), false), []);
  });

  test("both dialects, realloc, and a prefix with its own statistics", () => {
    const text = "# heapkit trace\n# ops: 5\na 0 10\na 1 20\nr 0 40\nf 1\n  f 0\n";
    const t = parseTrace(text, "t");
    assert.deepEqual([...t.ops], [OP_ALLOC, OP_ALLOC, OP_REALLOC, OP_FREE, OP_FREE]);
    assert.deepEqual([...t.sizes], [10, 20, 40, 0, 0]);
    assert.equal(t.peakLive, 60);
    assert.equal(t.peakLiveBlocks, 2);
    assert.equal(countOps(text), 5);
    const rep = parseTrace("100\n2\n3\n1\na 0 8\na 1 8\nf 0\n", "rep");
    assert.equal(rep.count, 3);
    assert.equal(rep.peakLive, 16);
    const prefix = parseTrace(text, "t", 2);
    assert.equal(prefix.count, 2);
    assert.equal(prefix.peakLive, 30);
    assert.equal(traceOps(429751, 1), 429751);
    assert.equal(traceOps(429751, 0.005), 42976);
  });

  test("a bad line or a wrong ID state is an error naming where", () => {
    assert.throws(() => parseTrace("a 0 8\nx 1 2\n", "bad.trace"), (e: unknown) => e instanceof TraceFormatError && /bad\.trace:2:/.test(e.message));
    assert.throws(() => parseTrace("a 0\n", "t"), /t:1: a malformed op line/);
    assert.throws(() => parseTrace("a 0 8\n5\n", "t"), /t:2: a bare number/);
    assert.throws(() => parseTrace("1\n2\n3\n4\n5\na 0 8\n", "t"), /t:5:/);
    assert.throws(() => parseTrace("m 0 8 3\n", "t"), /power of two/);
    assert.throws(() => parseTrace("a 0 8\na 0 8\n", "t"), /op 2 allocates ID 0, which is live/);
    assert.throws(() => parseTrace("f 3\n", "t"), /op 1 frees ID 3, which is not live/);
    assert.throws(() => parseTrace("r 3 8\n", "t"), /reallocates ID 3/);
  });

  test("a subject that cannot allocate fails the replay with the op that failed", () => {
    const t = parseTrace("a 0 8\na 1 8\n", "t");
    const broken = { alloc: () => 0, free() {}, realloc: () => 0, fill() {} };
    assert.throws(() => replay(t, broken), /alloc\(8\) returned 0 at step 1/);
  });

  test("thing-malloc: the 6.1.150 realloc bugs are worked around, and the heap stays consistent", () => {
    const s = new ThingMalloc({ liveBytes: 1 << 16, liveBlocks: 16 });
    // Bug 1: a realloc that moves must not leak the old block.
    const a = s.alloc(64);
    const b = s.alloc(64); // b keeps a from growing in place
    s.fill(a, 0, 64, 0xaa);
    const a2 = s.realloc(a, 256);
    assert.notEqual(a2, a);
    const again = s.alloc(64);
    assert.equal(again, a, "the moved-from block was freed and is reused");
    // Bug 2: shrinking the topmost block by less than 16 bytes keeps the block as it is.
    const top = s.realloc(a2, 245); // 264-byte block, 256 needed: 8 bytes to spare, too few to split
    assert.equal(top, a2);
    const next = s.alloc(32);
    assert.ok(next >= a2 + 256, "the next block does not overlap the shrunk one");
    assert.match(s.note() ?? "", /1 moved-realloc leaks freed, 1 top-block shrinks kept/);
    for (const p of [b, again, top, next]) s.free(p);
  });
});
