// Every in-process benchmark subject is an object with fast properties. A workload loads
// t.alloc / t.free / t.write8 at every step; on a dictionary-mode object (one that had a member
// deleted) each load is a hash lookup, which cost heapkit-pool 13 ns per allocation on small-free
// before this test. V8's own predicate, %HasFastProperties, needs --allow-natives-syntax, so the
// check runs in a child process. as-tlsf is left out: it needs `npm run bench:build`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const SUBJECTS = new URL("../../bench/subjects.js", import.meta.url).href;

const PROBE = `
const { SUBJECTS } = await import(${JSON.stringify(SUBJECTS)});
const out = {};
for (const [name, entry] of Object.entries(SUBJECTS)) {
  if (entry.make === undefined || name === "as-tlsf") continue;
  const s = await entry.make({ liveBytes: 1 << 20, liveBlocks: 1000 });
  out[name] = %HasFastProperties(s);
}
process.stdout.write(JSON.stringify(out));
`;

test("every in-process subject has fast properties (no member deleted)", () => {
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", PROBE], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const fast = JSON.parse(r.stdout) as Record<string, boolean>;
  for (const name of ["js-bump", "thing-malloc", "heapkit-region", "heapkit-pool", "heapkit-slab", "heapkit-heap"]) {
    assert.ok(name in fast, `${name} was not made`);
  }
  const slow = Object.keys(fast).filter((name) => !fast[name]);
  assert.deepEqual(slow, [], `dictionary-mode subjects: ${slow.join(", ")}`);
});
