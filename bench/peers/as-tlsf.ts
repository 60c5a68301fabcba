// Peer `as-tlsf`: the AssemblyScript runtime's TLSF allocator, compiled to WebAssembly from our
// module bench/peers/as-tlsf/assembly/index.ts (asc -O3 --runtime minimal, by bench/build.sh) and
// called from JS once per operation, as a JS program sharing a heap with a wasm module would.
// The 8-byte write and the trace fills go through views of the module's memory, re-made when a
// memory.grow inside TLSF has detached the old buffer (a detached view has length 0).
//
// Footprint: the wasm memory's byteLength (it never shrinks, so the last value is the peak).
// TLSF traps with `unreachable` when memory.grow fails (4 GiB); `explain` names that.
import { readFileSync } from "node:fs";
import { fillBytes } from "../fill.js";
import type { Subject, SubjectRegion } from "../subject.js";
import { TrackedRegions } from "./tracked-regions.js";
import { Wasm, type WasmMemory } from "./wasm.js";

/** Where bench/build.sh puts the module, beside this file once compiled (build/bench/peers/). */
const WASM = new URL("./as-tlsf/tlsf.wasm", import.meta.url);

interface TlsfExports {
  alloc(size: number): number;
  free(ptr: number): void;
  realloc(ptr: number, size: number): number;
  memory: WasmMemory;
}

export class AsTlsf implements Subject {
  private readonly wasm: TlsfExports;
  private u8: Uint8Array;
  private u32: Uint32Array;
  private f64: Float64Array;
  private readonly regions: TrackedRegions;

  constructor() {
    let bytes: Buffer;
    try {
      bytes = readFileSync(WASM);
    } catch {
      throw new Error(`as-tlsf: ${WASM.pathname} is missing; run \`npm run bench:build\``);
    }
    const memory = (): WasmMemory => this.wasm.memory;
    const instance = new Wasm.Instance(new Wasm.Module(bytes), {
      env: {
        // AssemblyScript's abort(message, file, line, column): strings are UTF-16 with their byte length at ptr - 4.
        abort(msg: number, file: number, line: number, column: number): never {
          const str = (p: number): string => {
            if (p === 0) return "";
            const len = new Uint32Array(memory().buffer, p - 4, 1)[0] >>> 1;
            return String.fromCharCode(...new Uint16Array(memory().buffer, p, len));
          };
          throw new Error(`as-tlsf abort: ${str(msg)} (${str(file)}:${line}:${column})`);
        },
      },
    });
    this.wasm = instance.exports as unknown as TlsfExports;
    this.u8 = new Uint8Array(this.wasm.memory.buffer);
    this.u32 = new Uint32Array(this.wasm.memory.buffer);
    this.f64 = new Float64Array(this.wasm.memory.buffer);
    this.regions = new TrackedRegions(this);
  }

  alloc(size: number): number {
    return this.wasm.alloc(size) >>> 0; // usize comes back as a signed i32
  }

  free(ptr: number): void {
    this.wasm.free(ptr);
  }

  realloc(ptr: number, size: number): number {
    return this.wasm.realloc(ptr, size) >>> 0;
  }

  write8(ptr: number, value: number): void {
    let u32 = this.u32;
    const w = ptr >>> 2;
    if (w + 1 >= u32.length) u32 = this.refresh().u32;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  fill(ptr: number, start: number, end: number, byte: number): void {
    if (ptr + end > this.u8.length) this.refresh();
    fillBytes(this.u8, this.f64, ptr + start, ptr + end, byte);
  }

  peakFootprint(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  region(): SubjectRegion {
    return this.regions.open();
  }

  explain(error: unknown): string | undefined {
    if (error instanceof Wasm.RuntimeError && /unreachable/.test(error.message)) {
      return `TLSF trapped (memory.grow failed at ${this.wasm.memory.buffer.byteLength} bytes: out of memory)`;
    }
    return undefined;
  }

  /** The memory grew: views over the old, detached buffer read as empty. */
  private refresh(): this {
    this.u8 = new Uint8Array(this.wasm.memory.buffer);
    this.u32 = new Uint32Array(this.wasm.memory.buffer);
    this.f64 = new Float64Array(this.wasm.memory.buffer);
    return this;
  }
}
