// A hash map from u32 keys to numbers, kept in two typed arrays: the recorder's pointer → id map
// and the analyser's size → count table. A JS Map would box every key at or above 2^31 (pointers
// of a large memory) and allocate on every insert; this one allocates only when it doubles.
//
// Open addressing, linear probing, Fibonacci hashing (the high bits of key × 2^32/φ), deletion by
// backward shift. Invariants:
//   U1  keys[i] === 0 marks an empty slot; key 0 itself lives in the side slot (hasZero, zeroValue)
//   U2  every stored key sits at or after its home slot with no empty slot between (probe chains
//       are unbroken): backward-shift deletion keeps this without tombstones, so a long run of
//       inserts and deletes never slows lookups down
//   U3  used <= capacity / 2: a probe always ends at an empty slot, so no lookup can loop forever

const PHI32 = 0x9e3779b1;
const MIN_BITS = 4;

export class U32Map {
  /** Entries stored, the side slot included. */
  size = 0;
  private bits: number;
  private keys: Uint32Array;
  private vals: Float64Array;
  private used = 0; // entries in `keys`, the side slot excluded
  private hasZero = false;
  private zeroValue = 0;

  constructor(capacity = 64) {
    let bits = MIN_BITS;
    while (1 << bits < capacity * 2 && bits < 30) bits++;
    this.bits = bits;
    this.keys = new Uint32Array(1 << bits);
    this.vals = new Float64Array(1 << bits);
  }

  /** The value stored for `key`, or `missing` when there is none. */
  get(key: number, missing = -1): number {
    if (key === 0) return this.hasZero ? this.zeroValue : missing;
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = Math.imul(key, PHI32) >>> (32 - this.bits); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) return this.vals[i];
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
    const keys = this.keys;
    const vals = this.vals;
    const mask = keys.length - 1;
    const shift = 32 - this.bits;
    let i = Math.imul(key, PHI32) >>> shift;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) break;
      if (k === 0) return missing;
    }
    const value = vals[i];
    // Backward shift (U2): move later entries of the chain into the hole unless their home slot
    // lies cyclically in (hole, j], where moving them would put them before their home.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = Math.imul(keys[j], PHI32) >>> shift;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        keys[hole] = keys[j];
        vals[hole] = vals[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    this.used--;
    this.size--;
    return value;
  }

  /** Calls `fn` for every entry, in no particular order. */
  forEach(fn: (key: number, value: number) => void): void {
    if (this.hasZero) fn(0, this.zeroValue);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) fn(keys[i], this.vals[i]);
  }

  clear(): void {
    this.keys.fill(0);
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
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = Math.imul(key, PHI32) >>> (32 - this.bits);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) {
        const old = this.vals[i];
        this.vals[i] = add ? old + value : value;
        return old;
      }
      if (k === 0) break;
    }
    keys[i] = key;
    this.vals[i] = value;
    this.size++;
    if (++this.used * 2 > keys.length) this.grow(); // U3
    return missing;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.bits++;
    const keys = (this.keys = new Uint32Array(1 << this.bits));
    const vals = (this.vals = new Float64Array(1 << this.bits));
    const mask = keys.length - 1;
    const shift = 32 - this.bits;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j];
      if (key === 0) continue;
      let i = Math.imul(key, PHI32) >>> shift;
      while (keys[i] !== 0) i = (i + 1) & mask;
      keys[i] = key;
      vals[i] = oldVals[j];
    }
  }
}
