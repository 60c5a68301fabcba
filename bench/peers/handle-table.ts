// A table of GC-managed objects addressed by small integer handles, for the peers whose
// "allocation" is a JS object (js-objects, u8array, array-buffer): alloc stores the object and
// returns its handle, free drops the reference (the GC reclaims it later) and recycles the slot.
// Handles start at 1, so 0 stays null as for every other subject.
//
// Invariants:
//   H1  items[0] is always null; a live handle h has items[h] !== null.
//   H2  the slots on the free stack (free[0 .. top)) are exactly the null slots at or above 1.
export class HandleTable<T extends object> {
  items: (T | null)[] = [null];
  private free = new Uint32Array(16); // small: a region makes one table per round
  private top = 0;

  /** Stores `obj`; returns its handle (>= 1). */
  put(obj: T): number {
    if (this.top > 0) {
      const h = this.free[--this.top];
      this.items[h] = obj;
      return h;
    }
    this.items.push(obj);
    return this.items.length - 1;
  }

  /** Drops handle `h`'s object; `h` may be reused by a later put. */
  drop(h: number): void {
    this.items[h] = null;
    if (this.top === this.free.length) this.growFree();
    this.free[this.top++] = h;
  }

  /** Drops every object at once (a region's destroy). */
  clear(): void {
    this.items = [null];
    this.top = 0;
  }

  private growFree(): void {
    const next = new Uint32Array(this.free.length * 2);
    next.set(this.free);
    this.free = next;
  }
}
