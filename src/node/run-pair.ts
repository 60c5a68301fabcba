// Runs one pair in a fresh worker thread (a fresh V8 isolate: no JIT state carried over).
import { Worker } from "node:worker_threads";
import type { PairResult, PairSpec } from "./measure.js";

export interface PairFailure {
  error: string;
  code?: string;
}

export function runPair(spec: PairSpec, name: string): Promise<PairResult | PairFailure> {
  return new Promise((resolve) => {
    const w = new Worker(new URL("./replay-worker.js", import.meta.url), { workerData: { spec, name }, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    let settled = false;
    w.once("message", (m: { ok: boolean; result?: PairResult; error?: string; code?: string }) => {
      settled = true;
      resolve(m.ok ? m.result! : { error: m.error!, code: m.code });
      void w.terminate();
    });
    w.once("error", (e) => {
      if (!settled) resolve({ error: `worker crashed: ${e.message}` });
      settled = true;
    });
    w.once("exit", (code) => {
      if (!settled) resolve({ error: `worker exited with code ${code}` });
      settled = true;
    });
  });
}

export const isFailure = (r: PairResult | PairFailure): r is PairFailure => "error" in r && (r as PairResult).ops === undefined;
