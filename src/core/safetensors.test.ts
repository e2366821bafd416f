import { describe, expect, it } from 'vitest';
import { SafetensorsError, decodeSafetensors, encodeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('writes the documented layout: u64 LE header length, JSON header, 8-byte aligned F32 data', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
        { name: 'b', shape: [3], data: Float32Array.from([-1, 0.5, 7]) },
      ],
      { format: 'x' },
    );
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { format: 'x' },
      a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [3], data_offsets: [16, 28] },
    });
    expect(bytes.length).toBe(8 + n + 28);
    expect(view.getFloat32(8 + n + 16, true)).toBe(-1);
    const back = decodeSafetensors(bytes);
    expect([...back.tensors.get('b')!.data]).toEqual([-1, 0.5, 7]);
    expect(back.metadata).toEqual({ format: 'x' });
  });

  it('reads F64, F16 and BF16 tensors as torch writes them', () => {
    const header = JSON.stringify({
      d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [12, 14] },
    });
    const head = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + head.length + 14);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    const base = 8 + head.length;
    view.setFloat64(base, 0.25, true);
    view.setUint16(base + 8, 0x3c00, true); // 1.0
    view.setUint16(base + 10, 0xc000, true); // -2.0
    view.setUint16(base + 12, 0x4040, true); // bf16 3.0
    const t = decodeSafetensors(bytes).tensors;
    expect([...t.get('d')!.data]).toEqual([0.25]);
    expect([...t.get('h')!.data]).toEqual([1, -2]);
    expect([...t.get('b')!.data]).toEqual([3]);
  });

  it('rejects damaged files with a message that says what is wrong', () => {
    const good = encodeSafetensors([{ name: 'a', shape: [4], data: new Float32Array(4) }]);
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(/outside the file/);
    const garbage = good.slice();
    garbage[9] = 0x7b;
    garbage[10] = 0x7b;
    expect(() => decodeSafetensors(garbage)).toThrow(/not JSON/);
    expect(() => decodeSafetensors(new TextEncoder().encode('hello world, not a model'))).toThrow(
      /header claims/,
    );
    expect(() => encodeSafetensors([{ name: 'x', shape: [3], data: new Float32Array(2) }])).toThrow(
      /holds 3/,
    );
    // A wrong dtype, and a shape that declares a terabyte: refused from the header, before any allocation.
    const withHeader = (header: object) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + 16);
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, 8);
      return out;
    };
    expect(() =>
      decodeSafetensors(withHeader({ a: { dtype: 'I32', shape: [4], data_offsets: [0, 16] } })),
    ).toThrow(/dtype I32; Unroll reads F32/);
    expect(() =>
      decodeSafetensors(
        withHeader({ a: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 2 ** 42] } }),
      ),
    ).toThrow(SafetensorsError);
  });
});
