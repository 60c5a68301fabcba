// The layering rules of DESIGN.md, enforced: imports go down the layers only, the library uses no
// Node-only module or global outside src/node, and every allocator file has a test file.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const src = join(root, "src");

// What each layer may import (besides itself). Order follows DESIGN.md: core ← memory ← pages ←
// region, pool, buddy ← slab ← heap; sync, debug, stats, trace may import any allocator layer.
const ALLOWED: Record<string, string[]> = {
  core: [],
  memory: ["core"],
  pages: ["core", "memory"],
  region: ["core", "memory", "pages"],
  pool: ["core", "memory", "pages"],
  buddy: ["core", "memory", "pages"],
  slab: ["core", "memory", "pages", "pool"],
  heap: ["core", "memory", "pages", "slab", "pool", "buddy", "region"],
  stats: ["core", "memory", "pages", "region", "pool", "buddy", "slab", "heap"],
  debug: ["core", "memory", "pages", "region", "pool", "buddy", "slab", "heap", "stats"],
  trace: ["core", "memory", "pages", "region", "pool", "buddy", "slab", "heap", "stats", "debug"],
  sync: ["core", "memory", "pages", "region", "pool", "buddy", "slab", "heap", "stats", "debug"],
  node: ["*"],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

test("imports go down the layers, and node:* only in src/node", () => {
  const problems: string[] = [];
  for (const file of files(src)) {
    const rel = relative(src, file);
    const layer = rel.includes("/") ? rel.split("/")[0] : "index";
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"([^"]+)"/g)) {
      const spec = m[1];
      if (spec.startsWith("node:") || /^(fs|path|os|child_process|worker_threads)$/.test(spec)) {
        if (layer !== "node") problems.push(`${rel} imports ${spec}`);
        continue;
      }
      if (!spec.startsWith(".")) {
        problems.push(`${rel} imports package ${spec}: the library has no runtime dependencies`);
        continue;
      }
      if (layer === "index") continue;
      const target = relative(src, join(file, "..", spec)).split("/")[0];
      if (target === layer || target.endsWith(".js")) continue;
      const allowed = ALLOWED[layer];
      if (allowed === undefined) problems.push(`${rel}: layer ${layer} is not in the layer table`);
      else if (!allowed.includes("*") && !allowed.includes(target)) problems.push(`${rel} (${layer}) imports ${target}`);
    }
    if (layer !== "node" && /\b(process\.|Buffer\.|require\(|__dirname)/.test(text.replace(/\/\/.*$/gm, ""))) {
      problems.push(`${rel} uses a Node-only global`);
    }
  }
  assert.deepEqual(problems, []);
});

test("every source file of an allocator layer has a test file", () => {
  const missing: string[] = [];
  for (const layer of ["pages", "region", "pool", "slab", "buddy", "heap"]) {
    const dir = join(src, layer);
    if (!existsSync(dir)) continue;
    const tested = readdirSync(join(root, "test", layer)).join(" ");
    for (const f of readdirSync(dir)) {
      if (f === "layout.ts" || f === "check.ts" || !f.endsWith(".ts")) continue; // exercised through their allocator's tests
      if (!tested.includes(f.replace(/\.ts$/, ".test.ts")) && !tested.includes(`${layer}.test.ts`)) missing.push(`${layer}/${f}`);
    }
  }
  assert.deepEqual(missing, []);
});
