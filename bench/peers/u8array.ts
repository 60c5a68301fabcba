// Peer `u8array`: one `new Uint8Array(size)` per allocation, kept in a table; free drops the
// reference and the GC reclaims the array and its backing store later. The 8-byte write is eight
// byte stores (a Uint8Array has no wider store without a second view, which would be a second
// object per allocation). A region is its own table, dropped whole at destroy.
//
// Also the GC-managed bar of the traces suite: realloc is a new array and a copy; it has no
// footprint of its own to report (its memory is the JS heap's: see peak RSS and GC time).
import type { Subject, SubjectRegion } from "../subject.js";
import { HandleTable } from "./handle-table.js";

function write8(a: Uint8Array, value: number): void {
  a[0] = value;
  a[1] = value >>> 8;
  a[2] = value >>> 16;
  a[3] = value >>> 24;
  a[4] = 0;
  a[5] = 0;
  a[6] = 0;
  a[7] = 0;
}

export class U8Arrays implements Subject {
  private readonly table = new HandleTable<Uint8Array>();

  alloc(size: number): number {
    return this.table.put(new Uint8Array(size));
  }

  free(ptr: number): void {
    this.table.drop(ptr);
  }

  write8(ptr: number, value: number): void {
    write8(this.table.items[ptr]!, value);
  }

  realloc(ptr: number, size: number): number {
    const old = this.table.items[ptr]!;
    const next = new Uint8Array(size);
    next.set(size >= old.length ? old : old.subarray(0, size));
    this.table.items[ptr] = next; // the handle keeps naming the block, as the ID does
    return ptr;
  }

  fill(ptr: number, start: number, end: number, byte: number): void {
    this.table.items[ptr]!.fill(byte, start, end);
  }

  region(): SubjectRegion {
    return new U8Region();
  }
}

class U8Region implements SubjectRegion {
  private readonly table = new HandleTable<Uint8Array>();
  alloc(size: number): number {
    return this.table.put(new Uint8Array(size));
  }
  write8(ptr: number, value: number): void {
    write8(this.table.items[ptr]!, value);
  }
  destroy(): void {
    this.table.clear();
  }
}
