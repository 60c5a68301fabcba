// heapkit/node: the Node-only parts (the command, trace files on disk). Re-exports only.
export { main } from "./cli.js";
export { readTraceFile, readTraceFileAsync, traceFileSink } from "./trace-file.js";
export type { TraceFileOptions } from "./trace-file.js";
export { bundledInputs, parseInput, readWhole } from "./trace-input.js";
export type { TraceInput } from "./trace-input.js";
