// Every ```js block of the README runs as written, importing "heapkit" by name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const root = new URL("../..", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README has runnable examples", () => assert.ok(blocks.length >= 2));

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs as written`, async () => {
    const dir = new URL("build/readme/", root);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i + 1}.mjs`, dir);
    writeFileSync(file, code);
    const log = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    try {
      await import(file.href);
    } finally {
      console.log = log;
    }
    assert.ok(lines.length > 0, "the example prints what it shows");
  });
});
