// Peer `js-bump`: the least a JS allocator over one ArrayBuffer can do, and so the speed limit for
// the others. Allocation bumps a pointer in one buffer, sized up front from the workload's
// capacity hint as thi.ng's and heapkit's memories are (and, like theirs, untouched until used,
// so first-touch faults are paid alike). Only a workload that outgrows the hint (a trace: free
// does nothing here, so it needs every byte it ever allocates) replaces the buffer by one twice as
// large and copies the bytes over, the copy part of the cost. `free` does nothing. A region
// is a mark: destroy moves the bump back to it. `realloc` allocates and copies, always (no block
// headers, so it cannot know the old size: it copies min(new size, bytes up to the top), which
// covers the old block).
//
// Footprint: the high-water mark of the bump (bytes handed out, including the 8 unused bytes at 0).
import { fillBytes } from "../fill.js";
import type { Subject, SubjectRegion } from "../subject.js";

const ALIGN = 8;
/** Start of the first block: offset 0 is null. */
const FIRST = 8;
/** Pointers are u32 offsets. */
const MAX_BYTES = 2 ** 32;

export class JsBump implements Subject {
  private u8: Uint8Array;
  private u32: Uint32Array;
  private f64: Float64Array;
  private top = FIRST;
  private highWater = FIRST;
  private readonly marks: number[] = [];
  private readonly handle: BumpRegion;

  /** `bytes`: the buffer's size; at least 64 KiB, at most 4 GiB. */
  constructor(bytes: number) {
    this.u8 = new Uint8Array(Math.min(MAX_BYTES, Math.max(1 << 16, Math.ceil(bytes / 65536) * 65536)));
    this.u32 = new Uint32Array(this.u8.buffer);
    this.f64 = new Float64Array(this.u8.buffer);
    this.handle = new BumpRegion(this);
  }

  alloc(size: number): number {
    const p = this.top;
    const end = p + (((size + ALIGN - 1) & -ALIGN) >>> 0); // exact for size < 2^32 - 7
    if (end > this.u8.length) return this.allocSlow(size);
    this.top = end;
    return p;
  }

  /** The buffer is full: double it (copying) until `size` fits, or answer 0 at 4 GiB. */
  private allocSlow(size: number): number {
    const end = this.top + (((size + ALIGN - 1) & -ALIGN) >>> 0);
    if (end > MAX_BYTES) return 0;
    let bytes = this.u8.length;
    while (bytes < end) bytes *= 2;
    const next = new Uint8Array(Math.min(bytes, MAX_BYTES));
    next.set(this.u8.subarray(0, this.top));
    this.u8 = next;
    this.u32 = new Uint32Array(next.buffer);
    this.f64 = new Float64Array(next.buffer);
    return this.alloc(size);
  }

  free(_ptr: number): void {}

  write8(ptr: number, value: number): void {
    const u32 = this.u32;
    const w = ptr >>> 2;
    u32[w] = value;
    u32[w + 1] = 0;
  }

  realloc(ptr: number, size: number): number {
    const keep = Math.min(size, this.top - ptr);
    const p = this.alloc(size);
    if (p !== 0) this.u8.copyWithin(p, ptr, ptr + keep); // this.u8: alloc may have replaced it
    return p;
  }

  fill(ptr: number, start: number, end: number, byte: number): void {
    fillBytes(this.u8, this.f64, ptr + start, ptr + end, byte);
  }

  peakFootprint(): number {
    return Math.max(this.highWater, this.top);
  }

  region(): SubjectRegion {
    this.marks.push(this.top);
    return this.handle; // one handle serves every depth: destroy always ends the innermost region
  }

  /** Ends the innermost region: the bump goes back to where it was when the region began. */
  release(): void {
    if (this.top > this.highWater) this.highWater = this.top;
    this.top = this.marks.pop() ?? FIRST;
  }
}

class BumpRegion implements SubjectRegion {
  constructor(private readonly owner: JsBump) {}
  alloc(size: number): number {
    return this.owner.alloc(size);
  }
  write8(ptr: number, value: number): void {
    this.owner.write8(ptr, value);
  }
  destroy(): void {
    this.owner.release();
  }
}
