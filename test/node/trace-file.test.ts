import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readTraceFile, readTraceFileAsync, traceFileSink } from "../../src/node/trace-file.js";
import { TraceError, TraceOps } from "../../src/trace/format.js";
import { collectTrace, parseTraceText } from "../../src/trace/parse.js";
import { record } from "../../src/trace/record.js";
import { replay } from "../../src/trace/replay.js";
import { SYNTHETIC_TRACES } from "../../src/trace/synthetic.js";
import { ToyAllocator } from "../support/toy-allocator.js";
import { columns } from "../support/trace-arb.js";
import { SHARED_TRACES, sharedTraceFiles } from "../support/traces.js";

const dir = mkdtempSync(join(tmpdir(), "heapkit-trace-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a recorder writing to a file, read back by readTraceFile in small chunks", () => {
  const path = join(dir, "stack.trace");
  const out = traceFileSink(path);
  const rec = record(new ToyAllocator(), out.sink);
  const t = SYNTHETIC_TRACES.stack.generate();
  replay(t, rec);
  rec.end();
  out.close();
  const back = collectTrace(readTraceFile(path, { chunkBytes: 1000 }));
  assert.deepEqual(columns(back), columns(t));
  assert.deepEqual(columns(back), columns(parseTraceText(readFileSync(path, "utf8"))));
});

test("readTraceFileAsync gives the same operations", async () => {
  const path = join(dir, "small.trace");
  writeFileSync(path, "a 0 1\na 1 2\nf 0\nf 1\n");
  const all = new TraceOps();
  for await (const b of readTraceFileAsync(path, { chunkBytes: 3 })) all.append(b);
  assert.equal(all.length, 4);
});

test("errors name the file and the line", () => {
  const path = join(dir, "bad.trace");
  writeFileSync(path, "a 0 1\nf 1\n");
  assert.throws(() => collectTrace(readTraceFile(path)), (e: unknown) => e instanceof TraceError && e.message === "bad.trace:2: free of id 1, which is not live");
});

test("python-json.trace streams from the shared folder", { skip: sharedTraceFiles().skip }, () => {
  let ops = 0;
  let batches = 0;
  for (const b of readTraceFile(SHARED_TRACES + "real/python-json.trace")) {
    ops += b.length;
    batches++;
  }
  assert.equal(ops, 429751);
  assert.ok(batches > 100, "read in batches, not whole");
});
