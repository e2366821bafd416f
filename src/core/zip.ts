// A minimal ZIP writer (stored, no compression): enough to hand a browser user the PyTorch export folder as
// one download. Format per PKWARE APPNOTE 4.3: local headers, data, central directory, end record; CRC-32.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A .zip holding `files` (paths may contain '/'), stored uncompressed, dated 1980-01-01. */
export function zipStore(files: { name: string; data: Uint8Array | string }[]): Uint8Array {
  const enc = new TextEncoder();
  const entries = files.map((f) => {
    const data = typeof f.data === 'string' ? enc.encode(f.data) : f.data;
    return { name: enc.encode(f.name), data, crc: crc32(data) };
  });
  const size = entries.reduce((a, e) => a + 30 + e.name.length + e.data.length + 46 + e.name.length, 22);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let p = 0;
  const offsets: number[] = [];
  const header = (sig: number, e: (typeof entries)[number], central: boolean) => {
    v.setUint32(p, sig, true);
    p += 4;
    if (central) {
      v.setUint16(p, 20, true); // version made by
      p += 2;
    }
    v.setUint16(p, 20, true); // version needed
    v.setUint16(p + 2, 0x0800, true); // UTF-8 names
    v.setUint16(p + 4, 0, true); // stored
    v.setUint16(p + 6, 0, true); // time
    v.setUint16(p + 8, 0x21, true); // date 1980-01-01
    v.setUint32(p + 10, e.crc, true);
    v.setUint32(p + 14, e.data.length, true);
    v.setUint32(p + 18, e.data.length, true);
    v.setUint16(p + 22, e.name.length, true);
    v.setUint16(p + 24, 0, true); // extra
    p += 26;
  };
  for (const e of entries) {
    offsets.push(p);
    header(0x04034b50, e, false);
    out.set(e.name, p);
    p += e.name.length;
    out.set(e.data, p);
    p += e.data.length;
  }
  const dirStart = p;
  entries.forEach((e, i) => {
    header(0x02014b50, e, true);
    v.setUint16(p, 0, true); // comment length
    v.setUint16(p + 2, 0, true); // disk
    v.setUint16(p + 4, 0, true); // internal attributes
    v.setUint32(p + 6, 0, true); // external attributes
    v.setUint32(p + 10, offsets[i]!, true);
    p += 14;
    out.set(e.name, p);
    p += e.name.length;
  });
  v.setUint32(p, 0x06054b50, true);
  v.setUint16(p + 8, entries.length, true);
  v.setUint16(p + 10, entries.length, true);
  v.setUint32(p + 12, p - dirStart, true);
  v.setUint32(p + 16, dirStart, true);
  return out;
}
