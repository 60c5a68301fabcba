// Peer `js-objects`: what the same program does without manual memory management. An allocation
// is a plain JS object with one 8-byte number field per 8 bytes asked for, kept alive in a table;
// free drops the reference and the GC reclaims the object later (the harness reports GC time).
// The 8-byte write is a store into the object's first field. A region is its own table, dropped
// whole at destroy.
//
// Objects up to 24 B are a 3-field class, up to 240 B a 30-field class (the pool benchmark's Small
// and Big, with in-object fields); anything larger is a 1-field object holding a Float64Array
// for the rest (the pool benchmark's Huge, 8305 B, freed at once).
import type { Subject, SubjectRegion } from "../subject.js";
import { HandleTable } from "./handle-table.js";

class Obj24 {
  a = 0;
  b = 0;
  c = 0;
}

class Obj240 {
  a = 0;
  f1 = 0;
  f2 = 0;
  f3 = 0;
  f4 = 0;
  f5 = 0;
  f6 = 0;
  f7 = 0;
  f8 = 0;
  f9 = 0;
  f10 = 0;
  f11 = 0;
  f12 = 0;
  f13 = 0;
  f14 = 0;
  f15 = 0;
  f16 = 0;
  f17 = 0;
  f18 = 0;
  f19 = 0;
  f20 = 0;
  f21 = 0;
  f22 = 0;
  f23 = 0;
  f24 = 0;
  f25 = 0;
  f26 = 0;
  f27 = 0;
  f28 = 0;
  f29 = 0;
}

class ObjLarge {
  a = 0;
  readonly rest: Float64Array;
  constructor(size: number) {
    this.rest = new Float64Array(Math.ceil(size / 8) - 1);
  }
}

type Obj = Obj24 | Obj240 | ObjLarge;

const make = (size: number): Obj => (size <= 24 ? new Obj24() : size <= 240 ? new Obj240() : new ObjLarge(size));

export class JsObjects implements Subject {
  private readonly table = new HandleTable<Obj>();

  alloc(size: number): number {
    return this.table.put(make(size));
  }

  free(ptr: number): void {
    this.table.drop(ptr);
  }

  write8(ptr: number, value: number): void {
    this.table.items[ptr]!.a = value;
  }

  region(): SubjectRegion {
    return new ObjectsRegion();
  }
}

/** A region is a fresh table: one JS object per region, as the objects themselves are. */
class ObjectsRegion implements SubjectRegion {
  private readonly table = new HandleTable<Obj>();
  alloc(size: number): number {
    return this.table.put(make(size));
  }
  write8(ptr: number, value: number): void {
    this.table.items[ptr]!.a = value;
  }
  destroy(): void {
    this.table.clear();
  }
}
