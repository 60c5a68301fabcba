// Peer `array-buffer` (pages suite): one `new ArrayBuffer(size)` per page, kept in a table; free
// drops the reference, and the GC frees the backing store when it finds the buffer dead. An
// ArrayBuffer can only be written through a view, so write8 makes one (a 2-word Uint32Array) per
// write, as code that holds bare ArrayBuffers must. Compare with `u8array`, whose one object per
// page is already a view.
import type { Subject } from "../subject.js";
import { HandleTable } from "./handle-table.js";

export class ArrayBuffers implements Subject {
  private readonly table = new HandleTable<ArrayBuffer>();

  alloc(size: number): number {
    return this.table.put(new ArrayBuffer(size));
  }

  free(ptr: number): void {
    this.table.drop(ptr);
  }

  write8(ptr: number, value: number): void {
    const words = new Uint32Array(this.table.items[ptr]!, 0, 2);
    words[0] = value;
    words[1] = 0;
  }
}
