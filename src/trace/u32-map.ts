// A hash map from u32 keys to numbers, kept in one typed array: the recorder's pointer → id map
// and the analyser's size → count table. A JS Map would box every key at or above 2^31 (pointers
// of a large memory) and allocate on every insert; this one allocates only when it doubles.
//
// Open addressing, linear probing, Fibonacci hashing (the high bits of key × 2^32/φ), deletion by
// backward shift. Slot i is the pair (t[2i], t[2i + 1]) = (key, value) in one Float64Array, so a
// probe touches one cache line, not one in a key array and one in a value array: the recorder's
// map holds a slot per live block, megabytes for a large program, and is probed on every
// operation. Invariants:
//   U1  key 0 marks an empty slot; key 0 itself lives in the side slot (hasZero, zeroValue)
//   U2  every stored key sits at or after its home slot with no empty slot between (probe chains
//       are unbroken): backward-shift deletion keeps this without tombstones, so a long run of
//       inserts and deletes never slows lookups down
//   U3  used <= capacity / 2: a probe always ends at an empty slot, so no lookup can loop forever

const PHI32 = 0x9e3779b1;
const MIN_BITS = 4;

export class U32Map {
  /** Entries stored, the side slot included. */
  size = 0;
  private bits: number; // log2 of the slot count
  private t: Float64Array; // [key, value] pairs
  private used = 0; // entries in `t`, the side slot excluded
  private hasZero = false;
  private zeroValue = 0;

  constructor(capacity = 64) {
    let bits = MIN_BITS;
    while (1 << bits < capacity * 2 && bits < 30) bits++;
    this.bits = bits;
    this.t = new Float64Array(2 << bits);
  }

  /** The value stored for `key`, or `missing` when there is none. */
  get(key: number, missing = -1): number {
    if (key === 0) return this.hasZero ? this.zeroValue : missing;
    const t = this.t;
    const mask = t.length - 2; // slot i is at 2i: stepping by 2, wrapping at the end
    for (let i = (Math.imul(key, PHI32) >>> (32 - this.bits)) << 1; ; i = (i + 2) & mask) {
      const k = t[i];
      if (k === key) return t[i + 1];
      if (k === 0) return missing; // U3: there is always an empty slot
    }
  }

  set(key: number, value: number): void {
    this.put(key, value, false);
  }

  /** Sets `key` to `value`; returns the value it replaced, or `missing` when it was absent. */
  replace(key: number, value: number, missing = -1): number {
    return this.put(key, value, false, missing);
  }

  /** Adds `delta` to the value of `key` (0 if absent). */
  add(key: number, delta: number): void {
    this.put(key, delta, true);
  }

  /** Removes `key`; returns its value, or `missing` when it was absent. */
  delete(key: number, missing = -1): number {
    if (key === 0) {
      if (!this.hasZero) return missing;
      this.hasZero = false;
      this.size--;
      return this.zeroValue;
    }
    const t = this.t;
    const mask = t.length - 2;
    const shift = 32 - this.bits;
    let i = (Math.imul(key, PHI32) >>> shift) << 1;
    for (; ; i = (i + 2) & mask) {
      const k = t[i];
      if (k === key) break;
      if (k === 0) return missing;
    }
    const value = t[i + 1];
    // Backward shift (U2): move later entries of the chain into the hole unless their home slot
    // lies cyclically in (hole, j], where moving them would put them before their home.
    let hole = i;
    for (let j = (i + 2) & mask; t[j] !== 0; j = (j + 2) & mask) {
      const home = (Math.imul(t[j], PHI32) >>> shift) << 1;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        t[hole] = t[j];
        t[hole + 1] = t[j + 1];
        hole = j;
      }
    }
    t[hole] = 0;
    this.used--;
    this.size--;
    return value;
  }

  /** Calls `fn` for every entry, in no particular order. */
  forEach(fn: (key: number, value: number) => void): void {
    if (this.hasZero) fn(0, this.zeroValue);
    const t = this.t;
    for (let i = 0; i < t.length; i += 2) if (t[i] !== 0) fn(t[i], t[i + 1]);
  }

  clear(): void {
    this.t.fill(0);
    this.used = 0;
    this.size = 0;
    this.hasZero = false;
  }

  /** Stores `value` (or adds it, when `add`) under `key`; returns the previous value, or `missing`. */
  private put(key: number, value: number, add: boolean, missing = -1): number {
    if (key === 0) {
      const had = this.hasZero;
      const old = had ? this.zeroValue : missing;
      if (!had) {
        this.hasZero = true;
        this.zeroValue = 0;
        this.size++;
      }
      this.zeroValue = add ? this.zeroValue + value : value;
      return old;
    }
    const t = this.t;
    const mask = t.length - 2;
    let i = (Math.imul(key, PHI32) >>> (32 - this.bits)) << 1;
    for (; ; i = (i + 2) & mask) {
      const k = t[i];
      if (k === key) {
        const old = t[i + 1];
        t[i + 1] = add ? old + value : value;
        return old;
      }
      if (k === 0) break;
    }
    t[i] = key;
    t[i + 1] = value;
    this.size++;
    if (++this.used * 4 > t.length) this.grow(); // U3: used <= slots / 2 = t.length / 4
    return missing;
  }

  private grow(): void {
    const old = this.t;
    this.bits++;
    const t = (this.t = new Float64Array(2 << this.bits));
    const mask = t.length - 2;
    const shift = 32 - this.bits;
    for (let j = 0; j < old.length; j += 2) {
      const key = old[j];
      if (key === 0) continue;
      let i = (Math.imul(key, PHI32) >>> shift) << 1;
      while (t[i] !== 0) i = (i + 2) & mask;
      t[i] = key;
      t[i + 1] = old[j + 1];
    }
  }
}
