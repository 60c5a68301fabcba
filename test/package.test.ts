// The built package, imported by its name as a user would (package.json "exports"), not by a relative path.
import assert from "node:assert/strict";
import { test } from "node:test";
import { existsSync } from "node:fs";

test("import { Memory, PagePool, HeapError } from 'heapkit' works from the built package", async () => {
  const hk = await import("heapkit");
  for (const name of ["Memory", "PagePool", "HeapError", "allocOrThrow", "realloc", "calloc", "InvalidSizeError", "AttachError"]) {
    assert.equal(typeof (hk as Record<string, unknown>)[name], "function", name);
  }
  assert.ok(existsSync(new URL("../../dist/index.d.ts", import.meta.url)), "declaration files are built");
  const pool = hk.PagePool.create(hk.Memory.create({ maximum: 16 << 20 }));
  const p = pool.alloc(4096);
  assert.notEqual(p, 0);
  pool.free(p);
  pool.check();
});
