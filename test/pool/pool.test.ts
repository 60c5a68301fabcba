import { Memory, PagePool, Pool } from "../../src/index.js";
import { conformance } from "../support/conformance.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const pages = (maximum = 4 * MiB) => PagePool.create(Memory.create({ initial: 256 * KiB, maximum }));

for (const [size, align] of [[24, 8], [240, 16], [8305, 8]]) {
  conformance({
    name: `Pool (${size} B, align ${align})`,
    make: () => Pool.create(pages(), { size, align }),
    maxSize: Math.ceil(size / align) * align,
    drawSize: size,
    maxAlign: align,
    model: { maxSize: size },
  });
}
