// Worker entry: measures one (trace, allocator) pair and posts the result (or the error).
import { parentPort, workerData } from "node:worker_threads";
import { measure, type PairSpec } from "./measure.js";

const { spec, name } = workerData as { spec: PairSpec; name: string };
measure(spec, name).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), code: (e as { code?: string }).code }),
);
