// Biased generators. Sizes: mostly a few repeated values, so freed blocks are reused at exactly
// their size (where off-by-one bugs in size classes live), plus the edges around multiples of 8
// and of the allocator's own granules, and the maximum. A uniform draw almost never reuses a
// block at its exact size.
import fc from "fast-check";

export function sizeArb(max: number, edges: readonly number[] = []): fc.Arbitrary<number> {
  const fixed = [0, 1, 8, 16, 24, 120, 128, 136, ...edges].filter((n) => n <= max);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fixed) },
    {
      weight: 2,
      arbitrary: fc
        .nat({ max: Math.floor(max / 8) })
        .chain((k) => fc.constantFrom(k * 8 - 1, k * 8, k * 8 + 1))
        .filter((n) => n >= 0 && n <= max),
    },
    { weight: 1, arbitrary: fc.nat({ max }) },
    { weight: 1, arbitrary: fc.constant(max) },
  );
}

export type Op =
  | { op: "alloc"; size: number }
  | { op: "aligned"; size: number; align: number }
  | { op: "free"; pick: number }
  | { op: "resize"; pick: number; size: number }
  | { op: "realloc"; pick: number; size: number };

export interface OpWeights {
  alloc?: number;
  aligned?: number;
  free?: number;
  resize?: number;
  realloc?: number;
}

export function opsArb(maxSize: number, edges: readonly number[] = [], w: OpWeights = {}, maxAlign = 4096, maxLength = 120): fc.Arbitrary<Op[]> {
  const size = sizeArb(maxSize, edges);
  const pick = fc.nat({ max: 1 << 20 });
  const arbs: { weight: number; arbitrary: fc.Arbitrary<Op> }[] = [];
  const add = (weight: number | undefined, fallback: number, arbitrary: fc.Arbitrary<Op>) => {
    const wt = weight ?? fallback;
    if (wt > 0) arbs.push({ weight: wt, arbitrary });
  };
  add(w.alloc, 4, size.map((s) => ({ op: "alloc", size: s }) as Op));
  add(w.aligned, 1, fc.record({ size, align: fc.constantFrom(8, 16, 64, 256, maxAlign) }).map((r) => ({ op: "aligned", ...r }) as Op));
  add(w.free, 3, pick.map((p) => ({ op: "free", pick: p }) as Op));
  add(w.resize, 1, fc.record({ pick, size }).map((r) => ({ op: "resize", ...r }) as Op));
  add(w.realloc, 1, fc.record({ pick, size }).map((r) => ({ op: "realloc", ...r }) as Op));
  return fc.array(fc.oneof(...arbs), { maxLength });
}
