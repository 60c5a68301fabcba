// Trace files for Node: stream a file of any size through the parser, and a recorder sink that
// writes to a file. The only part of the trace layer that imports node:* (see DESIGN.md).
import { closeSync, createReadStream, openSync, readSync, writeSync } from "node:fs";
import { basename } from "node:path";
import type { TraceOps, TraceSink } from "../trace/format.js";
import { TraceParser, parseTraceAsync, type ParseOptions } from "../trace/parse.js";

export interface TraceFileOptions extends ParseOptions {
  /** Bytes read per chunk. @defaultValue 65536 */
  chunkBytes?: number;
}

/**
 * The batches of the trace in the file at `path`, read synchronously in chunks: memory stays at
 * one chunk and one batch whatever the file's size. Errors name the file (`python-json.trace:12: ...`).
 * Each batch is reused: consume it before asking for the next.
 */
export function* readTraceFile(path: string, opts: TraceFileOptions = {}): Generator<TraceOps, void, undefined> {
  const p = new TraceParser({ source: basename(path), ...opts });
  const buf = new Uint8Array(opts.chunkBytes ?? 65536);
  const fd = openSync(path, "r");
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      p.write(buf.subarray(0, n)); // decoded here, so buf can be reused
      for (let b = p.read(); b !== null; b = p.read()) yield b;
    }
  } finally {
    closeSync(fd);
  }
  p.end();
  for (let b = p.read(); b !== null; b = p.read()) yield b;
}

/** readTraceFile with asynchronous reads (a read stream), for servers that must not block. */
export function readTraceFileAsync(path: string, opts: TraceFileOptions = {}): AsyncGenerator<TraceOps, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: opts.chunkBytes ?? 65536 });
  return parseTraceAsync(stream as AsyncIterable<Uint8Array>, { source: basename(path), ...opts });
}

/** A recorder sink that writes to the file at `path` (created or truncated); call close() after the recorder's end(). */
export function traceFileSink(path: string): { sink: TraceSink; close(): void } {
  const fd = openSync(path, "w");
  return {
    sink: (chunk) => {
      writeSync(fd, chunk);
    },
    close: () => closeSync(fd),
  };
}
