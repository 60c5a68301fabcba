// Native subjects of the traces suite: bench/native/replay.cpp built by bench/build.sh against
// glibc malloc and against mimalloc. They run as their own processes (no one.ts) and print the
// same JSON line one.ts does; where a binary was not built (no g++, no libmimalloc-dev) the pair
// is skipped with the reason.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { NativeCommand, WorkloadInput } from "../subject.js";
import { traceFraction } from "../workloads/traces.js";

const binary = (name: string): string => fileURLToPath(new URL(`../native/${name}`, import.meta.url));

export function nativeReplay(name: string, missing: string): (w: WorkloadInput) => NativeCommand | { skip: string } {
  return (w) => {
    if (w.input === undefined) return { skip: "replays traces only" };
    const file = binary(name);
    if (!existsSync(file)) return { skip: `${file} not built (${missing})` };
    const fraction = traceFraction(w.scale);
    return { file, args: fraction < 1 ? [w.input, String(fraction)] : [w.input] };
  };
}
