// The workload registry: name → Workload. A new workload is a new file in this folder and one
// line here; the harness (run.ts, one.ts) never changes for it. Trace workloads are not listed:
// any name ending in .rep or .trace is the replay of that file under the traces folder.
import type { Workload } from "../workload.js";
import { PAGE_WORKLOADS } from "./pages.js";
import { POOL_WORKLOADS } from "./pool.js";
import { isTraceName, traceWorkload } from "./traces.js";
import { VIEW_WORKLOADS } from "./views.js";
import { MIX_WORKLOADS } from "./mix.js";

export const WORKLOADS: Readonly<Record<string, Workload>> = {
  ...POOL_WORKLOADS,
  ...PAGE_WORKLOADS,
  ...VIEW_WORKLOADS,
  ...MIX_WORKLOADS,
};

/** The workload called `name`, or undefined. `tracesDir` resolves trace names. */
export function findWorkload(name: string, tracesDir: string): Workload | undefined {
  if (Object.hasOwn(WORKLOADS, name)) return WORKLOADS[name];
  if (isTraceName(name) && !name.includes("..")) return traceWorkload(tracesDir, name);
  return undefined;
}
