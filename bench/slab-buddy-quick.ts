// Quick benchmark of the slab caches and the buddy allocator, until the project's harness (branch
// `bench`) takes them over. Each timed case runs in a fresh node process, five times; the table
// shows medians. The memory side (internal waste per trace, not timed) runs in the parent.
//
//   npm run build && node build/bench/slab-buddy-quick.js            all cases, 5 runs each
//   node build/bench/slab-buddy-quick.js --runs 3 --only slab        a subset
//   node build/bench/slab-buddy-quick.js --case slab-one-size        one case, one JSON line
//
// Traces are read from /work/shared/traces (or $HEAPKIT_TRACES) at run time; none is copied here.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Buddy, Memory, NULL, PagePool, Slab, defaultSizes } from "../src/index.js";

const TRACES = process.env.HEAPKIT_TRACES ?? "/work/shared/traces";
const MiB = 1 << 20;

// ── traces ─────────────────────────────────────────────────────────────────────────────────────

/** Every requested size of a trace (a, m and r lines), in order. */
function traceSizes(file: string): number[] {
  const out: number[] = [];
  let header = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    if (/^\d+$/.test(t) && header < 4) {
      header++;
      continue;
    }
    const f = t.split(/\s+/);
    if (f[0] === "a" || f[0] === "r" || f[0] === "m") out.push(Number(f[2]));
  }
  return out;
}

function traceFiles(): string[] {
  const out: string[] = [];
  for (const dir of ["malloclab", "real"]) {
    const d = join(TRACES, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith(".rep") || f.endsWith(".trace")) out.push(join(d, f));
  }
  return out;
}

/** Sizes of the malloc-lab traces' `a` lines that the slab serves (<= 4096), in trace order. */
function malloclabSmallSizes(): number[] {
  const out: number[] = [];
  for (const f of traceFiles().filter((f) => f.endsWith(".rep"))) for (const s of traceSizes(f)) if (s <= 4096) out.push(s);
  return out;
}

// ── the JS peers ───────────────────────────────────────────────────────────────────────────────

/** A fixed-size free-list pool in plain JS: a stack of free block offsets over one ArrayBuffer. */
class JsPool {
  readonly u8: Uint8Array;
  private readonly free: Uint32Array;
  private top: number;
  constructor(
    readonly size: number,
    capacity: number,
    resizable = false,
  ) {
    // resizable: the same views over a resizable ArrayBuffer, as heapkit's Memory uses, to separate
    // the cost of the allocator from the cost of element access on such a buffer in this V8.
    const bytes = size * capacity;
    this.u8 = resizable ? new Uint8Array(new ArrayBuffer(bytes, { maxByteLength: 2 * bytes }), 0, bytes) : new Uint8Array(bytes);
    this.free = resizable ? new Uint32Array(new ArrayBuffer(4 * capacity, { maxByteLength: 8 * capacity }), 0, capacity) : new Uint32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = (capacity - 1 - i) * size;
    this.top = capacity;
  }
  alloc(): number {
    return this.top === 0 ? -1 : this.free[--this.top];
  }
  release(p: number): void {
    this.free[this.top++] = p;
  }
}

// ── timed cases (each in its own process) ──────────────────────────────────────────────────────

const ROUNDS = 200;
const BATCH = 4096;

type Case = () => { ops: number; ns: number; note?: string };

function time(fn: () => number): { ops: number; ns: number } {
  fn(); // warm-up round (JIT), not timed
  (globalThis as { gc?: () => void }).gc?.(); // set-up garbage (trace text) is collected before timing, not during
  const t0 = process.hrtime.bigint();
  const ops = fn();
  return { ops, ns: Number(process.hrtime.bigint() - t0) };
}

/** alloc BATCH objects, touch each, free them in reverse, ROUNDS times: 2 ops per object. */
const oneSizeSlab = (memory: () => Memory): Case => () => {
  const slab = Slab.create(PagePool.create(memory()));
  const ps = new Uint32Array(BATCH);
  let sink = 0;
  const r = time(() => {
    const u8 = slab.memory.u8;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < BATCH; i++) {
        const p = slab.alloc(64);
        u8[p] = i;
        ps[i] = p;
      }
      for (let i = BATCH - 1; i >= 0; i--) {
        sink += u8[ps[i]];
        slab.free(ps[i]);
      }
    }
    return ROUNDS * BATCH * 2;
  });
  return { ...r, note: String(sink & 1) };
};

const oneSizeJsPool = (resizable: boolean): Case => () => {
  const pool = new JsPool(64, BATCH, resizable);
  const ps = new Uint32Array(BATCH);
  let sink = 0;
  const r = time(() => {
    const u8 = pool.u8;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < BATCH; i++) {
        const p = pool.alloc();
        u8[p] = i;
        ps[i] = p;
      }
      for (let i = BATCH - 1; i >= 0; i--) {
        sink += u8[ps[i]];
        pool.release(ps[i]);
      }
    }
    return ROUNDS * BATCH * 2;
  });
  return { ...r, note: String(sink & 1) };
};

/** A window of WINDOW live blocks: each step frees the oldest and allocates the next size of the mix. */
const WINDOW = 8192;
const STEPS = 400_000;

function mixSizes(kind: "malloclab" | "pow2"): Uint32Array {
  if (kind === "malloclab") return Uint32Array.from(malloclabSmallSizes());
  const out = new Uint32Array(65536);
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const k = 4 + ((x >>> 16) % 9); // 16 B .. 4 KiB
    out[i] = (1 << k) - ((x >>> 8) & 7) * ((x & 1) === 0 ? 0 : 1); // powers of two and a little below
  }
  return out;
}

function windowAllocator(a: { alloc(n: number): number; free(p: number): void; memory: { u8: Uint8Array } }, sizes: Uint32Array): Case {
  return () => {
    const ring = new Uint32Array(WINDOW);
    let sink = 0;
    const r = time(() => {
      ring.fill(0);
      const u8 = a.memory.u8;
      for (let i = 0; i < STEPS; i++) {
        const slot = i % WINDOW;
        const old = ring[slot];
        if (old !== NULL) {
          sink += u8[old];
          a.free(old);
        }
        const p = a.alloc(sizes[i % sizes.length]);
        u8[p] = i;
        ring[slot] = p;
      }
      for (let slot = 0; slot < WINDOW; slot++) if (ring[slot] !== NULL) a.free(ring[slot]);
      return STEPS * 2;
    });
    return { ...r, note: String(sink & 1) };
  };
}

function windowUint8Array(sizes: Uint32Array): Case {
  return () => {
    const ring: (Uint8Array | undefined)[] = new Array(WINDOW).fill(undefined);
    let sink = 0;
    const r = time(() => {
      ring.fill(undefined);
      for (let i = 0; i < STEPS; i++) {
        const slot = i % WINDOW;
        const old = ring[slot];
        if (old !== undefined) sink += old[0];
        const b = new Uint8Array(sizes[i % sizes.length]);
        b[0] = i;
        ring[slot] = b;
      }
      ring.fill(undefined);
      return STEPS * 2;
    });
    return { ...r, note: String(sink & 1) };
  };
}

/**
 * Cache colouring: fill SLABS slabs of one class, then read the first word of object 0 of every
 * slab, PASSES times. Without colouring those words sit at the same offset in frame-aligned slabs
 * and compete for the same cache sets; with it, they spread over the colours.
 */
function colourScan(colour: boolean, size: number, slabs: number): Case {
  return () => {
    const slab = Slab.create(PagePool.create(Memory.create({ maximum: 1024 * MiB })), { sizes: [size], colour });
    const heads: number[] = [];
    const seen = new Set<number>();
    const firsts = new Map<number, number>();
    while (seen.size < slabs) {
      const p = slab.alloc(size);
      const h = slab.slabOf(p);
      seen.add(h);
      if (!firsts.has(h) || p < firsts.get(h)!) firsts.set(h, p);
    }
    for (const p of firsts.values()) heads.push(p >>> 2);
    const idx = Uint32Array.from(heads);
    const u32 = slab.memory.u32;
    const PASSES = Math.max(20, Math.floor(20_000_000 / slabs));
    let sink = 0;
    const r = time(() => {
      for (let pass = 0; pass < PASSES; pass++) for (let i = 0; i < idx.length; i++) sink += u32[idx[i]];
      return PASSES * idx.length;
    });
    const colours = new Set(heads.map((w) => (w * 4) % 4096)).size;
    return { ...r, note: `${colours} distinct offsets mod 4 KiB; ${sink & 1}` };
  };
}

const CASES: Record<string, Case> = {
  "slab-one-size": oneSizeSlab(() => Memory.create({ maximum: 256 * MiB })),
  "slab-one-size-wasm-memory": oneSizeSlab(() => Memory.fromWasm(new WebAssembly.Memory({ initial: 256, maximum: 4096 }))),
  "jspool-one-size": oneSizeJsPool(false),
  "jspool-one-size-resizable-buffer": oneSizeJsPool(true),
  "slab-malloclab-mix": () => windowAllocator(Slab.create(PagePool.create(Memory.create({ maximum: 512 * MiB }))), mixSizes("malloclab"))(),
  "slab-malloclab-mix-wasm-memory": () => windowAllocator(Slab.create(PagePool.create(Memory.fromWasm(new WebAssembly.Memory({ initial: 256, maximum: 8192 })))), mixSizes("malloclab"))(),
  "uint8array-malloclab-mix": () => windowUint8Array(mixSizes("malloclab"))(),
  "buddy-pow2-mix": () => windowAllocator(Buddy.create(Memory.create({ maximum: 512 * MiB }), { minBlock: 16, maxBlock: MiB }), mixSizes("pow2"))(),
  "slab-pow2-mix": () => windowAllocator(Slab.create(PagePool.create(Memory.create({ maximum: 512 * MiB }))), mixSizes("pow2"))(),
  "uint8array-pow2-mix": () => windowUint8Array(mixSizes("pow2"))(),
};
for (const slabs of [256, 1024, 4096]) {
  for (const colour of [true, false]) CASES[`colour-${colour ? "on" : "off"}-2000B-${slabs}slabs`] = colourScan(colour, 2000, slabs);
}

// ── the memory side: internal waste of the default classes on every trace ─────────────────────

function wasteTable(): string {
  const classes = defaultSizes();
  const classOf = new Uint32Array(4097);
  for (let s = 0, k = 0; s <= 4096; s++) {
    while (classes[k] < s) k++;
    classOf[s] = classes[Math.max(k, 0)];
  }
  const rows = ["| trace | requests | served by the slab (<= 4 KiB) | requested bytes | class bytes | internal waste |", "|---|---:|---:|---:|---:|---:|"];
  for (const f of traceFiles()) {
    const sizes = traceSizes(f);
    let n = 0;
    let req = 0;
    let got = 0;
    for (const s of sizes) {
      if (s > 4096) continue;
      n++;
      req += s;
      got += classOf[s];
    }
    const name = f.slice(TRACES.length + 1);
    rows.push(`| ${name} | ${sizes.length} | ${n} (${((100 * n) / sizes.length).toFixed(1)} %) | ${req} | ${got} | ${got ? ((100 * (got - req)) / got).toFixed(2) : "0.00"} % |`);
  }
  return rows.join("\n");
}

// ── driver ─────────────────────────────────────────────────────────────────────────────────────

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const one = arg("--case");
if (one !== undefined) {
  const c = CASES[one];
  if (c === undefined) throw new Error(`no case ${one}`);
  const r = c();
  console.log(JSON.stringify({ case: one, nsPerOp: r.ns / r.ops, note: r.note }));
} else {
  const runs = Number(arg("--runs") ?? 5);
  const only = arg("--only");
  const self = fileURLToPath(import.meta.url);
  console.log(`# slab / buddy quick bench: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, node ${process.version}, ${runs} fresh processes per case, medians\n`);
  console.log("| case | ns/op (median) | runs (ns/op) | note |\n|---|---:|---|---|");
  for (const name of Object.keys(CASES)) {
    if (only !== undefined && !name.includes(only)) continue;
    const got: number[] = [];
    let note = "";
    for (let i = 0; i < runs; i++) {
      const p = spawnSync(process.execPath, ["--expose-gc", self, "--case", name], { encoding: "utf8" });
      if (p.status !== 0) throw new Error(`${name}: ${p.stderr}`);
      const j = JSON.parse(p.stdout.trim().split("\n").pop()!);
      got.push(j.nsPerOp);
      note = j.note ?? "";
    }
    const sorted = got.slice().sort((a, b) => a - b);
    console.log(`| ${name} | ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} | ${got.map((x) => x.toFixed(1)).join(", ")} | ${note} |`);
  }
  if (only === undefined || only === "waste") console.log(`\n## Internal waste of the default size classes (sizes <= 4 KiB)\n\n${wasteTable()}`);
}
