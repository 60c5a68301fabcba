import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../../scripts/inline-constants.mjs", import.meta.url));

/** Writes `files` into a fresh folder, runs the script on it, returns the folder. */
function inlined(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "heapkit-inline-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

const LAYOUT = `export const A = 3;\nexport const NEG = -2;\nexport const SLOT = ["x", "y"].indexOf("y");\nexport const NAME = "n";\nexport function f() { return A; }\n`;

describe("scripts/inline-constants.mjs (build step)", () => {
  test("imported numeric constants become literals; property names, strings and functions stay", async () => {
    const dir = inlined({
      "layout.js": LAYOUT,
      "use.js": `import { A, NEG, SLOT, NAME, f } from "./layout.js";\nexport const o = { A, b: A + NEG, [NAME]: SLOT };\nexport const g = (x) => x.A + -NEG + A.toString().length + f();\n`,
    });
    try {
      const text = readFileSync(join(dir, "use.js"), "utf8");
      assert.match(text, /A: 3 \/\* A \*\//, "a shorthand property keeps its key");
      assert.match(text, /b: 3 \/\* A \*\/ \+ \(-2\) \/\* NEG \*\//);
      assert.match(text, /1 \/\* SLOT \*\//, "a value computed at load time");
      assert.match(text, /x\.A/, "a property name is not a reference");
      assert.match(text, /\[NAME\]/, "strings are not inlined");
      assert.match(text, /\(3\) \/\* A \*\/\.toString\(\)/, "a member access on the literal is parenthesised");
      assert.match(text, /f\(\)/);
      const m = await import(join(dir, "use.js"));
      assert.deepEqual(m.o, { A: 3, b: 1, n: 1 });
      assert.equal(m.g({ A: 10 }), 10 + 2 + 1 + 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a file that declares a name of its own keeps the import as a reference", () => {
    const dir = inlined({
      "layout.js": LAYOUT,
      "shadow.js": `import { A, NEG } from "./layout.js";\nexport function h(A) { return A + NEG; }\nexport const k = A;\n`,
    });
    try {
      const text = readFileSync(join(dir, "shadow.js"), "utf8");
      assert.match(text, /return A \+ \(-2\) \/\* NEG \*\//, "the parameter A is left alone, NEG is inlined");
      assert.match(text, /export const k = A;/, "A is declared in the file: not inlined anywhere in it");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Node-only modules (node/) are left alone", () => {
    const dir = inlined({ "layout.js": LAYOUT, "node/cli.js": `import { A } from "../layout.js";\nexport const c = A;\n` });
    try {
      assert.match(readFileSync(join(dir, "node/cli.js"), "utf8"), /export const c = A;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
