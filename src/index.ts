// heapkit: manual memory management for TypeScript. Re-exports only.
export * from "./core/ptr.js";
export * from "./core/errors.js";
export * from "./core/allocator.js";
export * from "./core/derived.js";
export * from "./core/stats.js";
export { Memory } from "./memory/memory.js";
export type { MemoryOpts, WasmOpts, WasmMemory, ViewMode, GrowListener } from "./memory/memory.js";
export { HEADER_BYTES, LAYOUT_VERSION, MAX_MEMORY, GROW_GRANULE } from "./memory/layout.js";
export { PagePool } from "./pages/page-pool.js";
export type { PagePoolOpts } from "./pages/page-pool.js";
export { Region } from "./region/region.js";
export type { RegionOptions } from "./region/region.js";
export { Pool } from "./pool/pool.js";
export type { PoolOptions } from "./pool/pool.js";
