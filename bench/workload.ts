// What a workload is: an untimed preparation (read inputs, size the subject) and a timed run over
// one subject. A workload times itself, because only it knows what belongs inside the clock (a
// trace replay leaves parsing out; the pool workloads leave the final release out).
import type { Subject, SubjectMember, SubjectOptions } from "./subject.js";

export interface WorkloadContext {
  /** Multiplier of the workload's full size: 1 for a full run, smaller with --quick or --scale. */
  readonly scale: number;
  /** Folder holding malloclab/ and real/ (see ../shared/traces/README.md). */
  readonly tracesDir: string;
}

export interface WorkloadResult {
  /** Operations timed, in the workload's `unit`. */
  readonly ops: number;
  /** Nanoseconds the timed part took. */
  readonly ns: number;
  /** Further numbers (footprint, utilization, …); null where the subject cannot report one. */
  readonly extra?: Readonly<Record<string, number | null>>;
}

export interface PreparedWorkload {
  /** Peak needs, for subjects that cannot grow. */
  readonly capacity: SubjectOptions;
  /** The timed part. Throws (with a reason) when the subject fails: out of memory, a missing member. */
  run(subject: Subject): WorkloadResult;
}

export interface Workload {
  readonly description: string;
  /** What one operation is, for the tables: "alloc", "page", "op". */
  readonly unit: string;
  /** Subject members run() calls; checked before it starts. */
  readonly needs: readonly SubjectMember[];
  /** The file it reads, if any (native subjects are handed it). */
  readonly input?: string;
  /** run() may be called again on the same subject: it leaves nothing live (a suite's `warmRuns` needs this). */
  readonly repeatable?: boolean;
  prepare(ctx: WorkloadContext): PreparedWorkload;
}

/** Nanoseconds now, for timing: a bigint clock read twice per run, never per operation. */
export const now = (): bigint => process.hrtime.bigint();

/** Nanoseconds from `t0` to now, as a number (exact below 2^53 ns, about 104 days). */
export const since = (t0: bigint): number => Number(process.hrtime.bigint() - t0);

/** Thrown by a workload when the subject returned 0. */
export class SubjectFailedError extends Error {}

/**
 * Throws SubjectFailedError for `call(size[, align])` that returned 0 at `step`. The message is
 * built here, never at the call site: a template literal in a hot loop's untaken branch still
 * cost a string per iteration once TurboFan optimized the loop (the sampling heap profiler found
 * 8 bytes of garbage per op in the trace replayer's realloc case, for every subject).
 */
export function allocFailed(call: string, size: number, step: number, align?: number): never {
  throw new SubjectFailedError(`${call}(${size}${align === undefined ? "" : `, ${align}`}) returned 0 at step ${step}`);
}
