// A minimal reader for allocation traces (see /work/shared/traces/README.md): heapkit text traces
// (`a ID SIZE`, `m ID SIZE ALIGN`, `r ID SIZE`, `f ID`, `#` comments) and malloc-lab .rep files
// (four leading integer lines). The traces are read from the shared folder at run time; they are
// third-party data and never copied into the repository.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const TRACE_DIR = process.env.HEAPKIT_TRACES ?? "/work/shared/traces";

export const OP_ALLOC = 0;
export const OP_ALIGNED = 1;
export const OP_REALLOC = 2;
export const OP_FREE = 3;

/** Ops packed four numbers each: op, id, size, align. */
export interface Trace {
  name: string;
  ops: Int32Array | Float64Array;
  count: number;
  maxId: number;
}

export function parseTrace(name: string, text: string): Trace {
  const lines = text.split("\n");
  const ops = new Float64Array(lines.length * 4);
  let n = 0;
  let leading = 0;
  let maxId = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    if (leading < 4 && n === 0 && /^\d+$/.test(line)) {
      leading++;
      continue;
    }
    const f = line.split(/\s+/);
    const id = Number(f[1]);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${name}:${i + 1}: bad id in "${line}"`);
    const op = f[0] === "a" ? OP_ALLOC : f[0] === "m" ? OP_ALIGNED : f[0] === "r" ? OP_REALLOC : f[0] === "f" ? OP_FREE : -1;
    if (op < 0) throw new Error(`${name}:${i + 1}: bad op in "${line}"`);
    ops[n * 4] = op;
    ops[n * 4 + 1] = id;
    ops[n * 4 + 2] = op === OP_FREE ? 0 : Number(f[2]);
    ops[n * 4 + 3] = op === OP_ALIGNED ? Number(f[3]) : 8;
    if (id > maxId) maxId = id;
    n++;
  }
  return { name, ops, count: n, maxId };
}

/** Every trace file under the shared folder, as [name, path]; empty when the folder is missing. */
export function traceFiles(): [string, string][] {
  const out: [string, string][] = [];
  for (const sub of ["malloclab", "real"]) {
    const dir = join(TRACE_DIR, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".rep") || f.endsWith(".trace")) out.push([`${sub}/${f}`, join(dir, f)]);
    }
  }
  return out;
}

export const readTrace = (name: string, path: string): Trace => parseTrace(name, readFileSync(path, "utf8"));
