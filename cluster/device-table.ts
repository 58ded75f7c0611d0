// Which partition a device id belongs to, looked up from the id's bytes where they lie in a line: no string
// is made for another partition's line. An open-addressing table over FNV-1a of the UTF-8 bytes; a slot
// holds its id's bytes, compared byte for byte. Ids not registered fall back to the partition rule itself.
import { partitionOfKey } from './partition.js';

export class DeviceTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly bytes: Buffer;
  private readonly offset: Int32Array;
  private readonly length: Int32Array;
  private readonly partition: Int32Array;

  constructor(
    partitionOf: ReadonlyMap<string, number>,
    private readonly partitions: number,
  ) {
    const ids = [...partitionOf.keys()].map((id) => Buffer.from(id, 'utf8'));
    let size = 16;
    while (size < ids.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    this.bytes = Buffer.concat(ids);
    this.offset = new Int32Array(ids.length);
    this.length = new Int32Array(ids.length);
    this.partition = Int32Array.from(partitionOf.values());
    let at = 0;
    ids.forEach((id, e) => {
      this.offset[e] = at;
      this.length[e] = id.length;
      at += id.length;
      let slot = fnv(id, 0, id.length) & this.mask;
      while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e;
    });
  }

  /** The partition of the device whose id is `buf[start, end)`. */
  lookup(buf: Uint8Array, start: number, end: number): number {
    const n = end - start;
    for (let slot = fnv(buf, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot];
      if (e < 0) break;
      if (this.length[e] !== n) continue;
      const o = this.offset[e];
      let i = 0;
      while (i < n && this.bytes[o + i] === buf[start + i]) i++;
      if (i === n) return this.partition[e];
    }
    return partitionOfKey(
      `device:${Buffer.from(buf.buffer, buf.byteOffset + start, n).toString('utf8')}`,
      this.partitions,
    );
  }
}

function fnv(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
