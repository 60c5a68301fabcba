// Checked mode: wraps any Allocator with the expensive checks that the allocators leave out of
// their fast paths. Red zones (canaries) before and after every block catch overruns and
// underruns; fresh blocks are poisoned so reads of uninitialised memory stand out; freed blocks
// are poisoned and held in a quarantine, so a write after free is caught when they leave it and a
// double free is named as such even after the inner allocator reused the memory; every live block
// remembers its allocation site for leak reports.
//
// The wrapper's own bookkeeping (which blocks are live, their sizes and sites, the quarantine) is
// kept in JS maps, like a sanitizer's shadow memory, not in the heap: checked mode is for one
// handle in one worker, while debugging. The inner allocator's state stays in the memory.
import type { Allocator, MemoryViews } from "../core/allocator.js";
import { CorruptionError, doubleFree, invalidAlignment, invalidPointer, invalidSize } from "../core/errors.js";
import { NULL, isPow2, isSize, hex, type Ptr } from "../core/ptr.js";
import { statsRead, type AllocatorStats, STAT_SLOTS, S_ALLOCS, S_FAILED, S_FOOTPRINT, S_FREES, S_LIVE_BLOCKS, S_LIVE_BYTES, S_REQUESTED, gaugeAdd } from "../core/stats.js";

export interface CheckedOpts {
  /**
   * Bytes of red zone after each block (and at least this before it; more when the alignment asks).
   * @defaultValue 16
   */
  redZone?: number;
  /** Bytes of freed blocks held back before they are really freed. @defaultValue 1 MiB */
  quarantineBytes?: number;
  /** Record a stack trace per allocation for leak reports. @defaultValue true */
  sites?: boolean;
  /** Validate the inner allocator (its check()) and every red zone every this many operations; 0: never. @defaultValue 0 */
  checkEvery?: number;
}

/** Byte written into fresh blocks: reading it back means memory was used before it was written. */
export const ALLOC_POISON = 0xaa;
/** Byte written into freed blocks: a change means a write after free. */
export const FREE_POISON = 0xdd;
/** Byte of the red zones. */
export const CANARY = 0xfb;

interface Live {
  inner: Ptr;
  size: number;
  front: number;
  site: string | undefined;
}

export interface Leak {
  ptr: Ptr;
  size: number;
  site: string | undefined;
}

export class CheckedAllocator implements Allocator {
  readonly kind = "checked" as const;
  readonly inner: Allocator;
  private readonly rz: number;
  private readonly quarantineLimit: number;
  private readonly sites: boolean;
  private readonly checkEvery: number;
  private readonly live = new Map<Ptr, Live>();
  /** Freed blocks not yet given back, oldest first. */
  private readonly quarantine: (Live & { ptr: Ptr })[] = [];
  private quarantined = 0;
  /** Pointers freed and given back since: a free of one of these is a double free, not a foreign pointer. */
  private readonly freedRecently = new Set<Ptr>();
  private readonly st = new Float64Array(STAT_SLOTS);
  private ops = 0;

  constructor(inner: Allocator, opts: CheckedOpts = {}) {
    this.inner = inner;
    this.rz = Math.max(8, Math.ceil((opts.redZone ?? 16) / 8) * 8);
    this.quarantineLimit = opts.quarantineBytes ?? 1 << 20;
    this.sites = opts.sites ?? true;
    this.checkEvery = opts.checkEvery ?? 0;
  }

  get memory(): MemoryViews {
    return this.inner.memory;
  }

  alloc(size: number): Ptr {
    return this.allocAligned(size, 8);
  }

  alignedAlloc(size: number, align: number): Ptr {
    if (typeof align !== "number" || !isPow2(align)) invalidAlignment(align);
    return this.allocAligned(size, align);
  }

  free(ptr: Ptr): void {
    if (ptr === NULL) return;
    const b = this.take(ptr, "free");
    this.verifyZones(ptr, b);
    this.memory.u8.fill(FREE_POISON, ptr, ptr + b.size);
    this.quarantine.push({ ...b, ptr });
    this.quarantined += b.size + b.front + this.rz;
    this.freedRecently.add(ptr);
    this.count(-1, -b.size);
    this.st[S_FREES] += 1;
    while (this.quarantined > this.quarantineLimit && this.quarantine.length > 0) this.release();
    this.tick();
  }

  resize(ptr: Ptr, newSize: number): boolean {
    if (!isSize(newSize)) invalidSize(newSize);
    const b = this.find(ptr, "resize");
    this.verifyZones(ptr, b);
    const total = b.front + newSize + this.rz;
    if (total > 0xffff_ffff || !this.inner.resize(b.inner, total)) return false;
    const u8 = this.memory.u8;
    if (newSize > b.size) u8.fill(ALLOC_POISON, ptr + b.size, ptr + newSize);
    u8.fill(CANARY, ptr + newSize, ptr + newSize + this.rz);
    this.count(0, newSize - b.size);
    b.size = newSize;
    this.tick();
    return true;
  }

  usableSize(ptr: Ptr): number {
    return this.find(ptr, "usableSize").size;
  }

  stats(): AllocatorStats {
    this.st[S_FOOTPRINT] = this.inner.stats().footprintBytes.current;
    this.st[S_FOOTPRINT + 1] = Math.max(this.st[S_FOOTPRINT + 1], this.st[S_FOOTPRINT]);
    return statsRead(this.st, 0);
  }

  /** The inner allocator's full validation, then every live block's red zones and every quarantined block's poison. */
  check(): void {
    this.inner.check();
    for (const [ptr, b] of this.live) this.verifyZones(ptr, b);
    for (const q of this.quarantine) this.verifyPoison(q.ptr, q);
  }

  /** Blocks still live, with their allocation sites: call at the end of a run to find leaks. */
  leaks(): Leak[] {
    return [...this.live].map(([ptr, b]) => ({ ptr, size: b.size, site: b.site }));
  }

  /** Gives every quarantined block back to the inner allocator (after verifying its poison). */
  flush(): void {
    while (this.quarantine.length > 0) this.release();
  }

  private allocAligned(size: number, align: number): Ptr {
    if (!isSize(size)) invalidSize(size);
    const front = Math.max(this.rz, align);
    const total = front + size + this.rz;
    // A valid size that cannot carry its red zones cannot be met: that is running out, not misuse.
    const q = total > 0xffff_ffff ? NULL : align <= 8 ? this.inner.alloc(total) : this.inner.alignedAlloc(total, align);
    if (q === NULL) {
      this.st[S_FAILED] += 1;
      return NULL;
    }
    const p = q + front;
    const u8 = this.memory.u8;
    u8.fill(CANARY, q, p);
    u8.fill(ALLOC_POISON, p, p + size);
    u8.fill(CANARY, p + size, p + size + this.rz);
    this.live.set(p, { inner: q, size, front, site: this.sites ? new Error().stack?.split("\n").slice(3, 8).join("\n") : undefined });
    this.freedRecently.delete(p);
    this.count(1, size);
    this.st[S_ALLOCS] += 1;
    this.tick();
    return p;
  }

  private find(ptr: Ptr, what: string): Live {
    const b = this.live.get(ptr);
    if (b !== undefined) return b;
    if (this.freedRecently.has(ptr)) doubleFree(ptr);
    return invalidPointer(ptr, `${what}: not a live block of this allocator`);
  }

  private take(ptr: Ptr, what: string): Live {
    const b = this.find(ptr, what);
    this.live.delete(ptr);
    return b;
  }

  private release(): void {
    const q = this.quarantine.shift()!;
    this.quarantined -= q.size + q.front + this.rz;
    this.verifyPoison(q.ptr, q);
    this.inner.free(q.inner);
  }

  private verifyZones(ptr: Ptr, b: Live): void {
    const u8 = this.memory.u8;
    for (let i = b.inner; i < ptr; i++) if (u8[i] !== CANARY) this.broken(`underrun: the red zone before the block of ${b.size} B at ${hex(ptr)} was overwritten`, i, b);
    for (let i = ptr + b.size; i < ptr + b.size + this.rz; i++) if (u8[i] !== CANARY) this.broken(`overrun: the red zone after the block of ${b.size} B at ${hex(ptr)} was overwritten ${i - ptr - b.size} B past its end`, i, b);
  }

  private verifyPoison(ptr: Ptr, b: Live): void {
    const u8 = this.memory.u8;
    for (let i = ptr; i < ptr + b.size; i++) if (u8[i] !== FREE_POISON) this.broken(`use after free: the freed block of ${b.size} B at ${hex(ptr)} was written at byte ${i - ptr}`, i, b);
  }

  private broken(what: string, at: Ptr, b: Live): never {
    throw new CorruptionError("ERR_HEAP_CORRUPTED", `${what}${b.site ? `\nallocated at:\n${b.site}` : ""}`, at);
  }

  private count(blocks: number, bytes: number): void {
    gaugeAdd(this.st, S_LIVE_BLOCKS, blocks);
    gaugeAdd(this.st, S_LIVE_BYTES, bytes);
    gaugeAdd(this.st, S_REQUESTED, bytes);
  }

  private tick(): void {
    if (this.checkEvery > 0 && ++this.ops % this.checkEvery === 0) this.check();
  }
}

/** Wraps `allocator` in checked mode. */
export const checked = (allocator: Allocator, opts?: CheckedOpts): CheckedAllocator => new CheckedAllocator(allocator, opts);
