// The safetensors container (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data. Unroll writes F32 in the order given,
// with string metadata under "__metadata__"; it reads F32, F64, F16 and BF16 (what torch.save paths produce),
// converting to f32, and rejects a damaged file with a message that says what is wrong.

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
}

/** A file that is not a valid safetensors container; the message names the problem. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`${t.name}: shape [${t.shape}] holds ${n} values, got ${t.data.length}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (what the reference implementation does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i]!, true);
    pos += 4 * t.data.length;
  }
  return out;
}

function f16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (why: string): never => {
    throw new SafetensorsError(`Not a valid safetensors file: ${why}.`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length) fail(`its header claims ${n} bytes but the file has ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      unknown
    >;
  } catch {
    return fail('its header is not JSON (the file is damaged or of another format)');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('its header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object') fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`metadata "${k}" is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const width = typeof t.dtype === 'string' ? BYTES[t.dtype] : undefined;
    if (!width) fail(`tensor "${name}" has dtype ${String(t.dtype)}; Unroll reads F32, F64, F16 and BF16`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`tensor "${name}" has no valid shape`);
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o)))
      fail(`tensor "${name}" has no valid data_offsets`);
    const [a, b] = offs as [number, number];
    const count = (shape as number[]).reduce((x, y) => x * y, 1);
    if (a < 0 || b < a || b > dataLen) fail(`tensor "${name}" lies outside the file (truncated?)`);
    if (b - a !== count * width!) fail(`tensor "${name}" has ${b - a} bytes for shape [${String(shape)}]`);
    const data = new Float32Array(count);
    const base = dataStart + a;
    for (let i = 0; i < count; i++) {
      const p = base + i * width!;
      if (t.dtype === 'F32') data[i] = view.getFloat32(p, true);
      else if (t.dtype === 'F64') data[i] = view.getFloat64(p, true);
      else if (t.dtype === 'F16') data[i] = f16(view.getUint16(p, true));
      else data[i] = new Float32Array(new Uint32Array([view.getUint16(p, true) << 16]).buffer)[0]!;
    }
    tensors.set(name, { shape: shape as number[], data });
  }
  return { tensors, metadata };
}
