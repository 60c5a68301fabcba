// Page churn, one workload per page class: rounds of "allocate K pages, write one 8-byte word into
// each, free them all". K is chosen so that a round holds PAGES_ROUND_BYTES, so every class moves
// the same bytes per round and a peak of that much is live. ns per page (its alloc, write and free).
import { need, type Subject } from "../subject.js";
import { allocFailed, now, since, type Workload, type WorkloadContext, type WorkloadResult } from "../workload.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Bytes live at the end of each round's allocation phase. */
const PAGES_ROUND_BYTES = 16 * MiB;

/** Bytes allocated over a full run, per class: 512 rounds of 16 MiB. */
const FULL_BYTES = 8192 * MiB;

function churn(s: Subject, pageBytes: number, perRound: number, rounds: number): WorkloadResult {
  const t = need(s, ["alloc", "write8", "free"]);
  const held = new Float64Array(perRound); // made before the clock starts
  const t0 = now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i++) {
      const p = t.alloc(pageBytes);
      if (p === 0) allocFailed("alloc", pageBytes, r * perRound + i + 1);
      t.write8(p, i);
      held[i] = p;
    }
    for (let i = 0; i < perRound; i++) t.free(held[i]);
  }
  return { ops: rounds * perRound, ns: since(t0) };
}

function pageWorkload(pageBytes: number, label: string): Workload {
  const perRound = Math.max(1, PAGES_ROUND_BYTES / pageBytes);
  return {
    description: `rounds of: ${perRound} pages of ${label} allocated, one word written into each, all freed`,
    unit: "page",
    needs: ["alloc", "write8", "free"],
    prepare(ctx: WorkloadContext) {
      const rounds = Math.max(1, Math.round((FULL_BYTES * ctx.scale) / PAGES_ROUND_BYTES));
      return {
        capacity: { liveBytes: perRound * pageBytes, liveBlocks: perRound },
        run: (s) => churn(s, pageBytes, perRound, rounds),
      };
    },
  };
}

export const PAGE_WORKLOADS: Readonly<Record<string, Workload>> = {
  "pages-4k": pageWorkload(4 * KiB, "4 KiB"),
  "pages-64k": pageWorkload(64 * KiB, "64 KiB"),
  "pages-2m": pageWorkload(2 * MiB, "2 MiB"),
};
