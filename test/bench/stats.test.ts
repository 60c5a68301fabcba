// The harness's statistics: median / min / max over repetitions, ratios of medians, and how a
// pair's repetitions are summarized (a failed repetition fails the pair).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { median, medianOrNull, ratio, spread } from "../../bench/stats.js";
import { parsePairLine, summarize, type PairLine } from "../../bench/results.js";

const ok = (ns: number, ops = 10, extra: Record<string, number | null> = {}): PairLine => ({ ok: true, ops, ns, maxRss: 1000, gcMs: null, extra });

describe("bench stats", () => {
  test("median of odd and even counts, unsorted input, and empty", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.ok(Number.isNaN(median([])));
    const xs = [5, 1, 4];
    median(xs);
    assert.deepEqual(xs, [5, 1, 4], "the input is not reordered");
  });

  test("spread is median, min and max", () => {
    assert.deepEqual(spread([10, 30, 20, 50, 40]), { median: 30, min: 10, max: 50 });
    const empty = spread([]);
    assert.ok(Number.isNaN(empty.median) && Number.isNaN(empty.min) && Number.isNaN(empty.max));
  });

  test("ratio divides, and is null where there is nothing to divide", () => {
    assert.equal(ratio(6, 3), 2);
    assert.equal(ratio(0, 3), 0);
    for (const [a, b] of [[1, 0], [1, null], [null, 1], [1, undefined], [NaN, 1], [1, Infinity], [-1, 1]] as const) {
      assert.equal(ratio(a, b), null, `${a} / ${b}`);
    }
  });

  test("medianOrNull skips nulls", () => {
    assert.equal(medianOrNull([null, 3, 1, null, 2]), 2);
    assert.equal(medianOrNull([null, undefined]), null);
  });

  test("summarize: ns per op from each repetition, medians, and ratios to every peer", () => {
    const s = summarize(
      [
        { workload: "w", subject: "a", unit: "alloc", lines: [ok(100), ok(300), ok(200)] }, // 10, 30, 20 ns/op
        { workload: "w", subject: "b", unit: "alloc", lines: [ok(50, 10, { f: 7 }), ok(40, 10, { f: null }), ok(60, 10, { f: 9 })] },
      ],
      ["a", "b"],
    );
    assert.deepEqual(s[0].nsPerOp, { median: 20, min: 10, max: 30 });
    assert.deepEqual(s[0].ratios, { a: 1, b: 4 });
    assert.deepEqual(s[1].ratios, { a: 0.25, b: 1 });
    assert.equal(s[1].extra.f, 8, "extras are medians of the non-null values");
    assert.equal(s[1].maxRss, 1000);
  });

  test("summarize: one failed repetition fails the pair; its ratios are null and others' to it too", () => {
    const s = summarize(
      [
        { workload: "w", subject: "a", unit: "op", lines: [ok(100), { ok: false, error: "alloc(24) returned 0 at step 7" }] },
        { workload: "w", subject: "b", unit: "op", lines: [ok(100)] },
        { workload: "w", subject: "c", unit: "op", lines: [{ ok: false, skipped: true, error: "not built" }] },
      ],
      ["a", "b", "c"],
    );
    assert.equal(s[0].status, "failed");
    assert.equal(s[0].reason, "alloc(24) returned 0 at step 7");
    assert.deepEqual(s[0].ratios, { a: null, b: null, c: null });
    assert.deepEqual(s[1].ratios, { a: null, b: 1, c: null });
    assert.equal(s[2].status, "skipped");
  });

  test("parsePairLine takes the last JSON line with `ok`, ignoring other output", () => {
    assert.deepEqual(parsePairLine('warming up\n{"x":1}\n{"ok":true,"ops":2,"ns":4,"maxRss":1,"gcMs":0}\n'), { ok: true, ops: 2, ns: 4, maxRss: 1, gcMs: 0 });
    assert.deepEqual(parsePairLine('{"ok":false,"error":"boom"}'), { ok: false, error: "boom" });
    assert.equal(parsePairLine("Segmentation fault\n"), undefined);
    assert.equal(parsePairLine('{"ok":true,"ops":"many"}'), undefined, "ok lines need numeric ops and ns");
  });
});
