// bench/one.ts as run.ts uses it: a fresh process that runs one tiny pair and prints one JSON line.
// Only peers that need nothing built beyond `npm run build` (as-tlsf needs `npm run bench:build`,
// the native ones g++): these tests run on a fresh CI machine. No timing is asserted.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parsePairLine } from "../../bench/results.js";
import { parseOptions, UsageError } from "../../bench/options.js";

const ONE = fileURLToPath(new URL("../../bench/one.js", import.meta.url));

function one(...args: string[]): { status: number | null; line: ReturnType<typeof parsePairLine>; stdout: string } {
  const r = spawnSync(process.execPath, [ONE, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, line: parsePairLine(r.stdout), stdout: r.stdout };
}

describe("bench one.ts", () => {
  test("runs a tiny pair and prints one valid JSON line", () => {
    const r = one("--subject", "js-bump", "--workload", "small", "--scale", "0.00001");
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim().split("\n").length, 1, "exactly one line");
    const line = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(line.ok, true);
    assert.equal(line.ops, 1000, "N is at least 1000");
    assert.ok(typeof line.ns === "number" && line.ns > 0);
    assert.ok(typeof line.maxRss === "number" && line.maxRss > 0);
    assert.ok(typeof line.gcMs === "number" && line.gcMs >= 0);
  });

  test("a region workload on a GC-backed peer, and the page workload", () => {
    for (const [subject, workload] of [["u8array", "create-destroy"], ["array-buffer", "pages-64k"], ["thing-malloc", "mix"]]) {
      const r = one("--subject", subject, "--workload", workload, "--scale", "0.00001");
      assert.equal(r.line?.ok, true, `${subject} × ${workload}: ${r.stdout}`);
    }
  });

  test("a pair that cannot run is reported as failed, not a crash", () => {
    const missing = one("--subject", "u8array", "--workload", "views-bump", "--scale", "0.00001");
    assert.equal(missing.status, 1);
    assert.deepEqual(missing.line, { ok: false, error: "the subject has no view()" });
    assert.equal(one("--subject", "nope", "--workload", "small").line?.ok, false);
    assert.equal(one("--subject", "js-bump", "--workload", "nope").line?.ok, false);
  });

  test("--warm runs a repeatable workload first, untimed; a workload that leaves blocks live is refused", () => {
    const warm = one("--subject", "heapkit-region", "--workload", "create-destroy", "--scale", "0.0001", "--warm", "2");
    assert.equal(warm.line?.ok, true, warm.stdout);
    assert.equal(warm.line?.ok === true && warm.line.ops, 2000, "only the last run is timed");
    assert.equal(warm.line?.ok === true && warm.line.warmOps, 4000, "two untimed runs before it");
    const refused = one("--subject", "js-bump", "--workload", "small", "--scale", "0.00001", "--warm", "1");
    assert.equal(refused.status, 1);
    assert.match(refused.line?.ok === false ? refused.line.error : "", /cannot be run again/);
    assert.equal(one("--subject", "js-bump", "--workload", "create-destroy", "--warm", "-1").line?.ok, false);
  });
});

describe("bench options", () => {
  test("defaults, --quick, and values with = or a space", () => {
    const full = parseOptions([], "/repo");
    assert.equal(full.reps, 5);
    assert.equal(full.scale, 1);
    assert.equal(full.write, true);
    assert.equal(full.tracesDir, "/shared/traces");
    const quick = parseOptions(["--quick", "--suite=pool,traces", "--subject", "js-bump", "--no-write", "--traces", "/t"], "/repo");
    assert.equal(quick.reps, 3);
    assert.ok(quick.scale < 1);
    assert.deepEqual(quick.suites, ["pool", "traces"]);
    assert.deepEqual(quick.subjects, ["js-bump"]);
    assert.equal(quick.write, false);
    assert.equal(quick.tracesDir, "/t");
    assert.equal(parseOptions(["--quick", "--reps", "7"], "/repo").reps, 7);
  });

  test("bad options are usage errors", () => {
    for (const argv of [["--nope"], ["--reps", "0"], ["--reps"], ["--scale", "x"], ["pool"], ["--quick=1"]]) {
      assert.throws(() => parseOptions(argv, "/repo"), UsageError, argv.join(" "));
    }
  });
});
