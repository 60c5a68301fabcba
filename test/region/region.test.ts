

import { Memory, PagePool, Region } from "../../src/index.js";
import { conformance } from "../support/conformance.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const pool = (maximum = 8 * MiB) => PagePool.create(Memory.create({ initial: 256 * KiB, maximum }));

conformance({
  name: "Region (exponential chunks)",
  make: () => Region.create(pool()),
  drawSize: 3000,
  maxAlign: 64 * KiB,
  detectsDoubleFree: true,
  reusesFreed: false,
  model: { maxSize: 40 * KiB, edges: [4096, 16 * KiB, 16 * KiB + 1] },
});
