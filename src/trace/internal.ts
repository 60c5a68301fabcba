// Helpers shared by the trace modules and not part of heapkit's API (index.ts does not export this file).
import { TraceError } from "./error.js";
import type { TraceOps, TraceSource } from "./format.js";

/** Where a trace problem is, for messages: `source:line`, `line N`, or `trace`. */
export const where = (source: string, line: number): string => (source !== "" ? `${source}:${line}` : line > 0 ? `line ${line}` : "trace");

/** Throws a TraceError as `source:line: why` (or `line N: why` without a source name). */
export function badTrace(line: number, why: string, source = "", value?: number): never {
  throw new TraceError(`${where(source, line)}: ${why}`, line, value);
}

/** `src` as an iterable of batches (a TraceOps is not iterable; batch sources are). */
export const batchesOf = (src: TraceSource): Iterable<TraceOps> => (Symbol.iterator in src ? (src as Iterable<TraceOps>) : [src as TraceOps]);

/** A copy of `a` with room for at least `min` elements (doubling). */
export function growU32(a: Uint32Array, min: number): Uint32Array<ArrayBuffer> {
  let n = Math.max(a.length * 2, 16);
  while (n < min) n *= 2;
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** The platform's TextDecoder (every browser, Node, Deno, Bun), looked up without DOM or Node typings. */
export const TextDecoderImpl = (globalThis as unknown as { TextDecoder?: new (label?: string) => TextDecoderLike }).TextDecoder;
