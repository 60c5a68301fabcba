// BENCHMARKS.md sections: each suite rewrites only the text between its own markers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fmtBytes, fmtNs, renderTable, replaceSection } from "../../bench/markdown.js";
import type { SuiteResults } from "../../bench/results.js";

describe("bench markdown", () => {
  test("a missing section is appended, with markers", () => {
    assert.equal(replaceSection("# Benchmarks\n", "pool", "T"), "# Benchmarks\n\n<!-- bench:pool -->\nT\n<!-- /bench:pool -->\n");
    assert.equal(replaceSection("", "pool", "T"), "<!-- bench:pool -->\nT\n<!-- /bench:pool -->\n");
  });

  test("an existing section is replaced and nothing else changes", () => {
    const doc = [
      "intro",
      "<!-- bench:pool -->",
      "old pool",
      "<!-- /bench:pool -->",
      "between",
      "<!-- bench:pool2 -->",
      "old pool2",
      "<!-- /bench:pool2 -->",
      "outro",
    ].join("\n");
    const out = replaceSection(doc, "pool", "new pool\n");
    assert.equal(out, doc.replace("old pool\n", "new pool\n"));
    assert.equal(replaceSection(out, "pool2", "p2"), out.replace("old pool2", "p2"), "a name that extends another is its own section");
    assert.equal(replaceSection(replaceSection(doc, "pool", "x"), "pool", "x"), replaceSection(doc, "pool", "x"), "idempotent");
  });

  test("a section whose end marker is missing is an error, not a truncated file", () => {
    assert.throws(() => replaceSection("<!-- bench:pool -->\nrest of the file\n", "pool", "x"), /without/);
    assert.throws(() => replaceSection("text <!-- /bench:pool -->\n", "pool", "x"), /without/);
  });

  test("number formats", () => {
    assert.equal(fmtNs(4.567), "4.57");
    assert.equal(fmtNs(45.67), "45.7");
    assert.equal(fmtNs(4567.2), "4,567");
    assert.equal(fmtBytes(512), "512 B");
    assert.equal(fmtBytes(1536), "1.5 KiB");
    assert.equal(fmtBytes(3 * 1024 * 1024), "3.0 MiB");
    assert.equal(fmtBytes(24 * 1024 ** 3), "24.0 GiB");
    assert.equal(fmtBytes(null), "–");
  });

  test("a failed pair is a row saying why, with dashes for its figures", () => {
    const r: SuiteResults = {
      suite: "pool",
      title: "t",
      command: "c",
      date: "d",
      machine: {},
      reps: 1,
      scale: 1,
      peers: ["a"],
      pairs: [
        {
          workload: "small",
          subject: "a",
          unit: "alloc",
          status: "failed",
          reason: "alloc(24) returned 0 at step 3",
          reps: 0,
          nsPerOp: { median: NaN, min: NaN, max: NaN },
          ops: null,
          maxRss: null,
          gcMs: null,
          extra: {},
          ratios: { a: null },
          repetitions: [{ ok: false, error: "alloc(24) returned 0 at step 3" }],
        },
      ],
    };
    const lines = renderTable(r, []).split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[2], /^\| small \| a \| failed: alloc\(24\) returned 0 at step 3 \| – \|/);
    assert.equal(lines[0].split("|").length, lines[2].split("|").length, "as many cells as the header");
  });
});
