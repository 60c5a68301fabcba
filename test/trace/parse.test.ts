import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { HeapError } from "../../src/core/errors.js";
import { OP_ALLOC, TraceError, TraceOps, serializeTrace } from "../../src/trace/format.js";
import { MAX_LINE, TraceParser, collectTrace, parseTrace, parseTraceAsync, parseTraceText } from "../../src/trace/parse.js";
import { analyzeTrace } from "../../src/trace/analyze.js";
import { cutsArb, rows, splitAt, traceArb } from "../support/trace-arb.js";
import { README_TABLE, SHARED_TRACES, naiveRead, sharedTraceFiles } from "../support/traces.js";

/** Asserts that parsing `text` fails with ERR_HEAP_BAD_TRACE on `line`, with a message containing `words`. */
function bad(text: string, line: number, words: string): void {
  assert.throws(
    () => parseTraceText(text),
    (e: unknown) => {
      assert.ok(e instanceof TraceError, `not a TraceError: ${String(e)}`);
      assert.equal(e.code, "ERR_HEAP_BAD_TRACE");
      assert.equal(e.line, line, e.message);
      assert.ok(e.message.startsWith(`line ${line}: `), e.message);
      assert.ok(e.message.includes(words), `${JSON.stringify(e.message)} lacks ${JSON.stringify(words)}`);
      return true;
    },
  );
}

describe("bad lines: ERR_HEAP_BAD_TRACE with the line number and what is wrong", () => {
  const cases: [string, string, number, string][] = [
    ["unknown operation", "a 0 8\nx 1 2\n", 2, 'unknown operation "x"'],
    ["an op name longer than one letter", "alloc 0 8\n", 1, 'unknown operation "alloc"'],
    ["a missing size", "a 0\n", 1, 'missing size: "a" takes "a ID SIZE"'],
    ["a missing id", "a 0 8\nf 0\nf\n", 3, "missing id"],
    ["a missing alignment", "m 0 8\n", 1, "missing alignment"],
    ["an extra field", "a 0 8 9\n", 1, 'unexpected "9" after "a ID SIZE"'],
    ["a trailing comment", "a 0 8 # why\n", 1, 'unexpected "#"'],
    ["a free of an id never allocated", "f 0\n", 1, "free of id 0, which is not live"],
    ["a double free", "a 3 8\nf 3\nf 3\n", 3, "free of id 3, which is not live"],
    ["a realloc of an id that is not live", "a 0 8\nr 1 5\n", 2, "realloc of id 1, which is not live"],
    ["an alloc of a live id", "a 0 8\n\n# c\na 0 8\n", 4, "alloc of id 0, which is still live"],
    ["an aligned alloc of a live id", "a 0 8\nm 0 8 16\n", 2, "aligned alloc of id 0, which is still live"],
    ["a negative size", "a 0 -1\n", 1, 'bad size "-1": expected an integer in [0, 4294967295]'],
    ["a fractional size", "a 0 1.5\n", 1, 'bad size "1.5"'],
    ["a size in exponent notation", "a 0 1e3\n", 1, 'bad size "1e3"'],
    ["a size of 2^32", "a 0 4294967296\n", 1, 'bad size "4294967296"'],
    ["a size of 20 digits", "a 0 99999999999999999999\n", 1, "bad size"],
    ["a non-numeric id", "a x 8\n", 1, 'bad id "x": expected an integer in [0, 67108863]'],
    ["a negative id (free(NULL) in raw CMU traces)", "a 0 8\nf -1\n", 2, 'bad id "-1"'],
    ["an id above TRACE_MAX_ID", "a 67108864 8\n", 1, 'bad id "67108864"'],
    ["an alignment that is not a power of two", "m 0 8 12\n", 1, "bad alignment 12: expected a power of two"],
    ["an alignment of 0", "m 0 8 0\n", 1, "bad alignment 0"],
    ["an alignment above 2^31", "m 0 8 4294967296\n", 1, 'bad alignment "4294967296"'],
    ["a fifth bare integer", "1\n2\n3\n4\n5\na 0 1\n", 5, 'unknown operation "5"'],
    ["a bare integer after the first op", "a 0 8\n7\n", 2, 'unknown operation "7"'],
    ["a malloc-lab trace cut short", "20000\n6\n3\n1\na 0 8\nf 0\n", 7, "the trace is cut: line 3 declares 3 operations, the input ends after 2"],
    ["a malloc-lab trace with more ops than num_ops", "1\n2\n1\n1\na 0 8\nf 0\n", 6, "more operations than the 1 that line 3 declares"],
    ["an id not below num_ids", "20000\n2\n2\n1\na 5 8\nf 5\n", 5, "id 5 is not below the 2 ids (num_ids) that line 2 declares"],
    ["a heapkit trace cut short of its # ops header", "# ops: 3\na 0 8\nf 0\n", 4, "the trace is cut: line 1 declares 3 operations"],
    ["ops after the # ops trailer", "a 0 8\nf 0\n# ops: 2\na 1 1\n", 4, "more operations than the 2 that line 3 declares"],
    ["a # ops trailer below the count", "a 0 8\nf 0\n# ops: 1\n", 3, "line 3 declares 1 operations, but 2 come before it"],
    ["a bad time marker", "# t soon\na 0 8\n", 1, 'bad time marker "# t soon"'],
    ["a time marker without a time", "a 0 8\n# t\n", 2, "bad time marker"],
    ["a negative time", "# t -5\n", 1, "bad time marker"],
    ["non-ASCII text", "a 0 8\n\u00e9t\u00e9\n", 2, 'unknown operation "\u00e9t\u00e9"'],
    ["a NUL byte", "a 0 8\0\n", 1, "bad size"],
  ];
  for (const [name, text, line, words] of cases) test(name, () => bad(text, line, words));

  test("the source name prefixes the message", () => {
    assert.throws(() => parseTraceText("a 0 8\nf 1\n", { source: "x.trace" }), /^TraceError: x\.trace:2: free of id 1, which is not live$/);
  });

  test("after an error every read throws it again, and a line without a newline cannot grow without bound", () => {
    const p = new TraceParser();
    p.write("a 0 8\n" + "a".repeat(MAX_LINE + 10)); // no newline yet
    assert.throws(() => p.read(), (e: unknown) => e instanceof TraceError && e.line === 2 && /longer than 65536/.test(e.message));
    assert.throws(() => p.read(), (e: unknown) => e instanceof TraceError && e.line === 2);
  });

  test("a long line in one-character chunks is parked, not rescanned, and too long a one is an error from write()", () => {
    const p = new TraceParser();
    const comment = "# " + "x".repeat(50_000) + "\na 0 1\n";
    let ops = 0;
    for (const ch of comment) {
      p.write(ch);
      ops += p.read()?.length ?? 0;
    }
    assert.equal(ops, 1);
    assert.equal(p.line, 2);
    const q = new TraceParser();
    q.write("a 0 1\n");
    assert.throws(() => {
      for (let i = 0; i <= MAX_LINE; i++) q.write("y");
    }, (e: unknown) => e instanceof TraceError && e.line === 2 && /longer than/.test(e.message));
    assert.throws(() => q.read(), (e: unknown) => e instanceof TraceError && e.line === 2);
  });

  test("write() after end() is an error", () => {
    const p = new TraceParser();
    p.end();
    assert.throws(() => p.write("a 0 1\n"), (e: unknown) => e instanceof HeapError && e.code === "ERR_HEAP_BAD_TRACE");
  });

  test("any text either parses or throws a TraceError: never another error, never a hang (property)", () => {
    const piece = fc.constantFrom("a", "m", "r", "f", " ", "\t", "\r", "\n", "\n", "#", " t ", "ops: ", "0", "1", "7", "9", "12", "-", ".", "e", "x", "\u00e9", "4294967296");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), cutsArb(5), (pieces, cuts) => {
        const text = pieces.join("");
        try {
          collectTrace(parseTrace(splitAt(text, cuts)));
        } catch (e) {
          if (!(e instanceof TraceError)) throw e;
          assert.ok(e.line >= 1 && e.line <= text.split("\n").length + 1, `line ${e.line}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("what parses", () => {
  test("blank lines, comments, tabs, CR LF and a last line without newline", () => {
    const t = parseTraceText("# a comment\n\n  a\t0   8 \r\n# another\nm 1 8 4096\r\nr 0 100\nf 1\nf 0");
    assert.deepEqual(rows(t, false), [
      ["a", 0, 8, 0],
      ["m", 1, 8, 4096],
      ["r", 0, 100, 0],
      ["f", 1, 0, 0],
      ["f", 0, 0, 0],
    ]);
  });

  test("a malloc-lab header of four integers is read and checked; fewer are skipped", () => {
    const p = new TraceParser();
    p.write("20000\n6\n2\n1\na 5 2040\nf 5\n");
    p.end();
    const t = collectTrace([p.read()!]);
    assert.equal(p.read(), null);
    assert.deepEqual(p.header, [20000, 6, 2, 1]);
    assert.equal(t.length, 2);
    assert.equal(p.idBound, 6);
    assert.equal(parseTraceText("5\n7\na 0 1\n").length, 1);
  });

  test("time markers set the time of the operations after them", () => {
    const t = parseTraceText("a 0 1\n# t 1.5\na 1 1\n# t 2e3\nf 0\n# tea is ready\nf 1\n");
    assert.deepEqual(Array.from(t.time.subarray(0, t.length)), [NaN, 1.5, 2000, 2000]);
  });

  test("# ops: with text after it is a plain comment, as in the recorded traces' headers", () => {
    assert.equal(parseTraceText("# ops: a ID SIZE | f ID\n# ops: 2\na 0 1\nf 0\n").length, 2);
  });

  test("the largest values: id TRACE_MAX_ID, size 2^32 - 1, alignment 2^31", () => {
    const t = parseTraceText("m 67108863 4294967295 2147483648\n");
    assert.deepEqual(rows(t, false), [["m", 67108863, 4294967295, 2147483648]]);
  });

  test("read() hands out full batches of batchSize, reusing one TraceOps", () => {
    const p = new TraceParser({ batchSize: 3 });
    const text = Array.from({ length: 10 }, (_, i) => `a ${i} ${i}\n`).join("");
    p.write(text);
    const seen: number[] = [];
    let first: TraceOps | null = null;
    for (let b = p.read(); b !== null; b = p.read()) {
      first ??= b;
      assert.equal(b, first);
      seen.push(b.length);
    }
    assert.deepEqual(seen, [3, 3, 3, 1]);
    p.end();
    assert.equal(p.read(), null);
    assert.equal(p.opCount, 10);
    assert.equal(p.line, 10);
  });
});

describe("streaming", () => {
  test("random chunk splits, as strings or as UTF-8 bytes, give the ops of the whole text (property)", () => {
    fc.assert(
      fc.property(traceArb(), cutsArb(), fc.boolean(), fc.integer({ min: 1, max: 50 }), (t, cuts, asBytes, batchSize) => {
        const text = "# a comment with a multi-byte character: \u00e9\u20ac\n" + serializeTrace(t);
        const whole = rows(parseTraceText(text));
        const chunks = asBytes ? splitAt(new TextEncoder().encode(text), cuts) : splitAt(text, cuts);
        assert.deepEqual(rows(collectTrace(parseTrace(chunks, { batchSize }))), whole);
      }),
      { numRuns: 300 },
    );
  });

  test("parseTraceAsync reads an async source", async () => {
    async function* source(): AsyncGenerator<string> {
      yield "a 0 1";
      yield "6\nf";
      yield " 0\n";
    }
    const all = new TraceOps();
    for await (const b of parseTraceAsync(source())) all.append(b);
    assert.deepEqual(rows(all, false), [
      ["a", 0, 16, 0],
      ["f", 0, 0, 0],
    ]);
  });
});

describe("the shared trace files", () => {
  const { files, skip } = sharedTraceFiles();
  if (skip) console.log(`# skipping the shared trace files: ${skip}`);
  for (const file of files) {
    test(file, { skip }, () => {
      const bytes = readFileSync(SHARED_TRACES + file);
      const text = bytes.toString("latin1");
      const naive = naiveRead(text);
      // Parse from 64 KiB byte chunks, as a file stream would deliver them.
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
      const t = collectTrace(parseTrace(chunks, { source: file }));
      assert.equal(t.length, naive.row.ops);
      let letters = "";
      for (let i = 0; i < t.length; i++) letters += "amrf"[t.op[i]];
      assert.equal(letters, naive.letters);
      assert.deepEqual(Array.from(t.id.subarray(0, t.length)), naive.ids);
      assert.deepEqual(Array.from(t.size.subarray(0, t.length)), naive.sizes);
      const a = analyzeTrace(t);
      const row = { ops: a.ops, allocs: a.allocs, frees: a.frees, reallocs: a.reallocs, maxLiveBytes: a.peakLiveBytes, maxLiveBlocks: a.peakLiveBlocks, sizes: [a.sizeMin, a.sizeMedian, a.sizeMax] };
      assert.deepEqual(row, naive.row, "analysis vs the naive reading");
      if (README_TABLE[file]) assert.deepEqual(row, README_TABLE[file], "analysis vs the README's table");
      assert.equal(t.op[0], OP_ALLOC);
    });
  }
});
