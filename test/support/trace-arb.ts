// fast-check arbitraries for traces: valid traces built from random steps against a model of the
// live ids, and ways to split text into chunks.
import fc from "fast-check";
import { OP_ALIGNED, OP_ALLOC, OP_FREE, OP_REALLOC, TraceOps } from "../../src/trace/format.js";

// Sizes: mostly small repeated values (so sizes repeat, as in real traces), the edges of the
// 32-bit range, and anything.
const sizeArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 1, 8, 16, 24, 48, 4096) },
  { weight: 3, arbitrary: fc.nat({ max: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(0xffff_ffff, 0x8000_0000, 0x7fff_ffff) },
  { weight: 1, arbitrary: fc.nat({ max: 0xffff_ffff }) },
);

const stepArb = fc.record({
  kind: fc.nat({ max: 9 }),
  pick: fc.nat({ max: 1 << 20 }),
  size: sizeArb,
  alignLog: fc.nat({ max: 31 }),
  dt: fc.nat({ max: 3 }),
});

export interface TraceArbOptions {
  maxSteps?: number;
  /** Ids below this (ids are reused). @defaultValue 40 */
  idSpace?: number;
  /** Sizes at most this (for traces that are replayed). @defaultValue 2^32 - 1 */
  maxSize?: number;
  /** Allow time markers. @defaultValue true */
  timed?: boolean;
  /** Allow `m` lines. @defaultValue true */
  aligned?: boolean;
}

/** A valid trace: every r/f names a live id, no a/m names a live one; times, if any, never decrease. */
export function traceArb(o: TraceArbOptions = {}): fc.Arbitrary<TraceOps> {
  const idSpace = o.idSpace ?? 40;
  const maxSize = o.maxSize ?? 0xffff_ffff;
  return fc
    .record({ steps: fc.array(stepArb, { maxLength: o.maxSteps ?? 120 }), timeFrom: fc.nat({ max: 50 }), timed: fc.boolean() })
    .map(({ steps, timeFrom, timed }) => {
      const t = new TraceOps(16);
      const live: number[] = [];
      const isLive = new Uint8Array(idSpace);
      let time = 0;
      steps.forEach((s, i) => {
        const size = s.size % (maxSize + 1);
        const when = (o.timed ?? true) && timed && i >= timeFrom ? (time += s.dt * 0.5) : NaN;
        if (s.kind >= 7 && live.length > 0) {
          const id = live.splice(s.pick % live.length, 1)[0];
          isLive[id] = 0;
          t.push(OP_FREE, id, 0, 0, when);
        } else if (s.kind >= 5 && live.length > 0) {
          t.push(OP_REALLOC, live[s.pick % live.length], size, 0, when);
        } else if (live.length < idSpace) {
          let id = s.pick % idSpace;
          while (isLive[id]) id = (id + 1) % idSpace;
          isLive[id] = 1;
          live.push(id);
          if (s.kind === 4 && (o.aligned ?? true)) t.push(OP_ALIGNED, id, size, 2 ** Math.min(s.alignLog, 12), when);
          else t.push(OP_ALLOC, id, size, 0, when);
        }
      });
      return t;
    });
}

/** The operations of `t` as plain rows, for deepEqual with readable failures. */
export function rows(t: TraceOps, withTime = true): (number | string)[][] {
  const out: (number | string)[][] = [];
  for (let i = 0; i < t.length; i++) {
    const r: (number | string)[] = ["amrf"[t.op[i]], t.id[i], t.size[i], t.align[i]];
    if (withTime) r.push(String(t.time[i]));
    out.push(r);
  }
  return out;
}

/** Cut points for splitting a text of length n into chunks (sorted, distinct, inside (0, n)). */
export const cutsArb = (maxCuts = 20): fc.Arbitrary<number[]> => fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: maxCuts });

/** `text` (or its UTF-8 bytes, when `bytes`) split at the fractions in `cuts`. */
export function splitAt<T extends string | Uint8Array>(text: T, cuts: number[]): T[] {
  const n = text.length;
  const at = [...new Set(cuts.map((c) => Math.floor(c * n)))].filter((k) => k > 0 && k < n).sort((a, b) => a - b);
  const out: T[] = [];
  let prev = 0;
  for (const k of [...at, n]) {
    out.push(text.slice(prev, k) as T);
    prev = k;
  }
  return out;
}

/** The operation columns of `t` (times left out), trimmed to its length: deepEqual on these is fast for large traces. */
export function columns(t: TraceOps): { op: Uint8Array; id: Uint32Array; size: Uint32Array; align: Uint32Array } {
  const n = t.length;
  return { op: t.op.slice(0, n), id: t.id.slice(0, n), size: t.size.slice(0, n), align: t.align.slice(0, n) };
}
