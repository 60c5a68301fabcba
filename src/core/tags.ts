// Random ids for allocator instances: region and pool tags, the heap's guard key. They tell a
// live handle from a stale one and keep guard words unguessable by accident; they are not secrets.
//
// Odd, so never a page address (a freed root's word cannot pass for a live tag), and below 2^30,
// so that a handle's field holding one is a V8 small integer, never a boxed double. Drawn from a
// xorshift32 generator seeded once from Math.random: Math.random returns a heap number on every
// call that V8 does not inline, and a region created per request paid that garbage every time
// (the GC time of the create & destroy benchmark). The state lives in a typed array, so storing
// it boxes nothing either.
const state = new Uint32Array([((Math.random() * 0x1_0000_0000) >>> 0) | 1]);

/** The next id: odd, in [1, 2^30). */
export function newTag(): number {
  let x = state[0];
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state[0] = x;
  return (x & 0x3fff_ffff) | 1;
}
