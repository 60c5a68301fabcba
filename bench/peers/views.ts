// Subjects of the views suite: one Uint32Array per kind of view heapkit could read its memory
// through. Each is VIEW_BYTES long; the buffers that can grow are made growable (maximum
// MAX_BYTES) but not grown, so every view covers the same bytes and only its kind differs.
import type { Subject } from "../subject.js";
import { VIEW_BYTES } from "../workloads/views.js";
import { Wasm } from "./wasm.js";

const MAX_BYTES = 256 * 1024 * 1024;
const WASM_PAGE = 65536;

const subject = (u32: Uint32Array): Subject => ({ view: () => u32 });

/** Fixed-length view over a plain ArrayBuffer: what V8 has optimised longest. */
export const viewArrayBuffer = (): Subject => subject(new Uint32Array(new ArrayBuffer(VIEW_BYTES)));

/** Fixed-length view (explicit length) over a resizable ArrayBuffer: replaced after each grow. */
export const viewResizableFixed = (): Subject =>
  subject(new Uint32Array(new ArrayBuffer(VIEW_BYTES, { maxByteLength: MAX_BYTES }), 0, VIEW_BYTES / 4));

/** Length-tracking view (no length given) over a resizable ArrayBuffer: follows every grow. */
export const viewResizableTracking = (): Subject =>
  subject(new Uint32Array(new ArrayBuffer(VIEW_BYTES, { maxByteLength: MAX_BYTES })));

/** Length-tracking view over a growable SharedArrayBuffer (the `sync` layer's memory). */
export const viewGrowableSharedTracking = (): Subject =>
  subject(new Uint32Array(new SharedArrayBuffer(VIEW_BYTES, { maxByteLength: MAX_BYTES })));

/** Fixed-length view over a growable SharedArrayBuffer: what heapkit's shared memories use (replaced after each grow). */
export const viewGrowableSharedFixed = (): Subject =>
  subject(new Uint32Array(new SharedArrayBuffer(VIEW_BYTES, { maxByteLength: MAX_BYTES }), 0, VIEW_BYTES / 4));

/** Fixed-length view over a WebAssembly.Memory's buffer (detached and replaced on grow). */
export const viewWasmMemory = (): Subject =>
  subject(
    new Uint32Array(
      new Wasm.Memory({ initial: Math.ceil(VIEW_BYTES / WASM_PAGE), maximum: MAX_BYTES / WASM_PAGE }).buffer,
      0,
      VIEW_BYTES / 4,
    ),
  );
