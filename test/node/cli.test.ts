// The heapkit command, run as a subprocess the way users run it: exit codes and output structure.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../../../dist/node/bin.js", import.meta.url).pathname;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "heapkit-cli-"));

describe("heapkit command", () => {
  test("--help for the command and each subcommand", () => {
    for (const args of [["--help"], ["help"], ["report", "--help"], ["replay", "--help"], ["map", "--help"], ["bench", "--help"]]) {
      const r = run(...args);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.out, /usage: heapkit/);
    }
  });

  test("bad usage exits 2 with a message", () => {
    for (const args of [["frobnicate"], ["report", "--bogus"], ["replay"], ["replay", "synthetic:stack", "--allocator", "nope"], ["map", "synthetic:stack"], ["map", "synthetic:stack", "--at", "x"]]) {
      const r = run(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /^heapkit: /);
    }
  });

  test("a missing or malformed file exits 3 and names the problem and the line", () => {
    const missing = run("replay", join(dir, "nope.trace"), "--allocator", "pages");
    assert.equal(missing.code, 3);
    assert.match(missing.err, /no such file/);
    const bad = join(dir, "bad.trace");
    writeFileSync(bad, "a 1 16\na 2 32\nq 3\nf 1\n");
    const r = run("replay", bad, "--allocator", "pages");
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /bad\.trace:3/);
    const unknown = run("report", "synthetic:nope");
    assert.equal(unknown.code, 3);
  });

  test("report --json: one report per trace with measurements and a recommendation", () => {
    const r = run("report", "synthetic:stack", "synthetic:slab-mix", "--allocator", "pages", "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.match(j.machine, /cores/);
    assert.equal(j.reports.length, 2);
    for (const rep of j.reports) {
      assert.equal(rep.results.length, 1);
      const x = rep.results[0];
      assert.equal(x.allocator, "pages");
      assert.ok(x.opsPerSec > 0 && x.utilization > 0 && x.utilization <= 1);
      assert.equal(x.peakRequested, rep.analysis.peakLiveBytes, "replay's peak payload equals the analysis's");
      assert.equal(rep.recommendation.allocator, "pages");
    }
  });

  test("report writes a self-contained HTML report", () => {
    const html = join(dir, "report.html");
    const r = run("report", "synthetic:growing-buffer", "--allocator", "pages", "--html", html);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /→ use pages/);
    const text = readFileSync(html, "utf8");
    assert.match(text, /^<!doctype html>/);
    assert.ok(!/<script|https?:\/\//.test(text.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")), "no scripts, no network");
    assert.equal(text.match(/class="chart live"/g)?.length, 1);
    assert.equal(text.match(/class="chart sizes"/g)?.length, 1);
    assert.ok((text.match(/<title>pages, at/g)?.length ?? 0) >= 3, "heap maps at three moments");
  });

  test("replay --check validates as it goes and prints stats", () => {
    const r = run("replay", "synthetic:request-phases", "--allocator", "pages", "--check", "500", "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.checked, true);
    assert.equal(j.failures, 0);
    assert.equal(j.stats.liveBlocks.current, 0);
  });

  test("map --svg draws the heap at a moment", () => {
    const svg = join(dir, "map.svg");
    const r = run("map", "synthetic:stack", "--at", "50%", "--allocator", "pages", "--svg", svg);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /cells of/);
    assert.ok(existsSync(svg));
    assert.match(readFileSync(svg, "utf8"), /^<svg[\s\S]*class="cell"/);
    const j = JSON.parse(run("map", "synthetic:stack", "--at", "100", "--allocator", "pages", "--json").out);
    assert.equal(j.op, 100);
    assert.ok(j.cells.length > 0);
  });
});
