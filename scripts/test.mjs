// Runs node's test runner on exactly the compiled *.test.js files. Node 20's `node --test DIR`
// would also run helper modules under test/support, which then "pass" and inflate the count.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function list(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...list(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = list("build/test").filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error("no test files found under build/test");
  process.exit(1);
}
// Every test process loads the fast-check seed setup first (NODE_OPTIONS reaches the runner's children).
const setup = new URL("../build/test/support/fc-seed.js", import.meta.url).href;
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${setup}`.trim() };
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit", env });
process.exit(r.status ?? 1);
