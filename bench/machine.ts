// Names the machine a run measured: every figure in BENCHMARKS.md says where it came from.
import { cpus, release, totalmem, type as osType, arch } from "node:os";

export interface Machine {
  readonly [key: string]: string | number;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  /** Microseconds to write to a fresh 4 KiB page the first time (page fault and zeroing). */
  readonly pageTouchUs: number;
}

export function describeMachine(): Machine {
  const c = cpus();
  return {
    cpu: c.length > 0 ? c[0].model.trim().replace(/\s+/g, " ") : "unknown CPU",
    cores: c.length,
    memoryBytes: totalmem(),
    os: `${osType()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    pageTouchUs: Math.round(pageTouchMicros() * 100) / 100,
  };
}

/**
 * Cost of the first write to a fresh 4 KiB page, the median of a few probes of 8 MiB each. Every
 * allocator that takes new memory pays it, and on some machines (VMs, sandboxes) it is large
 * enough to dominate a short run's figures, so the report names it with the machine.
 */
function pageTouchMicros(): number {
  const PAGE = 4096;
  const BYTES = 8 * 1024 * 1024;
  const probes: number[] = [];
  for (let k = 0; k < 3; k++) {
    const u8 = new Uint8Array(BYTES); // large: calloc maps fresh, untouched pages
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BYTES; i += PAGE) u8[i] = 1;
    probes.push(Number(process.hrtime.bigint() - t0) / 1000 / (BYTES / PAGE));
  }
  return probes.sort((a, b) => a - b)[1];
}
