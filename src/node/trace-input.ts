// Where a trace comes from: a file (plain or .gz, streamed), or one of the synthetic generators.
// Node-only: reads files.
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceOps } from "../trace/format.js";
import { parseTraceAsync } from "../trace/parse.js";
import { readTraceFileAsync } from "./trace-file.js";
import { SYNTHETIC_TRACES } from "../trace/synthetic.js";

export type TraceInput = { kind: "file"; path: string } | { kind: "synthetic"; name: string };

export const inputName = (i: TraceInput): string => (i.kind === "file" ? basename(i.path).replace(/\.gz$/, "") : `synthetic:${i.name}`);

/** The traces bundled with the package (recorded for heapkit; they may ship), then the synthetic ones. */
export function bundledInputs(): TraceInput[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "traces");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(trace|rep)(\.gz)?$/.test(f)).sort() : [];
  return [...files.map((f): TraceInput => ({ kind: "file", path: join(dir, f) })), ...Object.keys(SYNTHETIC_TRACES).map((name): TraceInput => ({ kind: "synthetic", name }))];
}

/** Parses a command-line argument: an existing path, or `synthetic:NAME`. Throws InputError. */
export function parseInput(arg: string): TraceInput {
  if (arg.startsWith("synthetic:")) {
    const name = arg.slice("synthetic:".length);
    if (!(name in SYNTHETIC_TRACES)) throw new InputError(`no synthetic trace "${name}"; there are: ${Object.keys(SYNTHETIC_TRACES).join(", ")}`);
    return { kind: "synthetic", name };
  }
  if (!existsSync(arg)) throw new InputError(`${arg}: no such file`);
  if (!statSync(arg).isFile()) throw new InputError(`${arg}: not a file`);
  return { kind: "file", path: arg };
}

/** A missing or unreadable input: the CLI's exit code 3. Malformed traces throw TraceError (also 3). */
export class InputError extends Error {}

/** The trace's operations, streamed in batches (reused: consume each before the next). */
export function readBatches(input: TraceInput): AsyncIterable<TraceOps> | Iterable<TraceOps> {
  if (input.kind === "synthetic") return [SYNTHETIC_TRACES[input.name].generate()];
  if (!input.path.endsWith(".gz")) return readTraceFileAsync(input.path);
  const stream = createReadStream(input.path).pipe(createGunzip());
  return parseTraceAsync(stream as AsyncIterable<Uint8Array>, { source: basename(input.path).replace(/\.gz$/, "") });
}

/** The whole trace in memory (for timed replays: parse first, then time). */
export async function readWhole(input: TraceInput): Promise<TraceOps> {
  const src = readBatches(input);
  if (Array.isArray(src)) return src[0] as TraceOps;
  const all = new TraceOps(1 << 16);
  for await (const b of src as AsyncIterable<TraceOps>) all.append(b);
  return all;
}
