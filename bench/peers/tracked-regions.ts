// Regions for subjects that have only malloc and free (thing-malloc, as-tlsf): a region remembers
// its blocks and frees them all, newest first, at destroy, as a region layered over malloc does.
// Newest first is also the cheapest order for both peers (thi.ng finds the newest block at the
// head of its used list; a freed top block returns to the top).
//
// Regions nest LIFO. The pointers of all open regions share one stack; a region's blocks are
// stack[mark .. top). Handles are made once per nesting depth and reused, so a region costs no JS
// object after the first.
import type { SubjectRegion } from "../subject.js";

/** What a tracked region needs of its owner. */
export interface MallocLike {
  alloc(size: number): number;
  free(ptr: number): void;
  write8(ptr: number, value: number): void;
}

export class TrackedRegions {
  private stack = new Float64Array(1024);
  private top = 0;
  private depth = 0;
  private readonly handles: TrackedRegion[] = [];

  constructor(private readonly owner: MallocLike) {}

  /** Opens a region. */
  open(): SubjectRegion {
    let h = this.handles[this.depth];
    if (h === undefined) {
      h = new TrackedRegion(this);
      this.handles.push(h);
    }
    this.depth++;
    h.mark = this.top;
    return h;
  }

  /** Allocates from the owner and remembers the block. */
  alloc(size: number): number {
    const p = this.owner.alloc(size);
    if (p !== 0) {
      if (this.top === this.stack.length) this.grow();
      this.stack[this.top++] = p;
    }
    return p;
  }

  write8(ptr: number, value: number): void {
    this.owner.write8(ptr, value);
  }

  /** Frees the blocks above `mark`, newest first, and closes the innermost region. */
  release(mark: number): void {
    const stack = this.stack;
    for (let i = this.top - 1; i >= mark; i--) this.owner.free(stack[i]);
    this.top = mark;
    this.depth--;
  }

  private grow(): void {
    const next = new Float64Array(this.stack.length * 2);
    next.set(this.stack);
    this.stack = next;
  }
}

class TrackedRegion implements SubjectRegion {
  mark = 0;
  constructor(private readonly regions: TrackedRegions) {}
  alloc(size: number): number {
    return this.regions.alloc(size);
  }
  write8(ptr: number, value: number): void {
    this.regions.write8(ptr, value);
  }
  destroy(): void {
    this.regions.release(this.mark);
  }
}
