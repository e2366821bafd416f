// Helpers for registry cases: upload inputs, run one compute pass, read outputs back, and clean up.
import { createStorageBuffer, createStorageBufferFrom, readFloats } from '../buffers';

/** Tracks the buffers a case creates so they are destroyed together. */
export class CaseBuffers {
  private readonly all: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  from(label: string, data: ArrayLike<number>, kind: 'f32' | 'u32' = 'f32'): GPUBuffer {
    const arr = kind === 'u32' ? Uint32Array.from(data) : Float32Array.from(data);
    const b = createStorageBufferFrom(this.device, `case.${label}`, arr);
    this.all.push(b);
    return b;
  }

  zeros(label: string, floats: number): GPUBuffer {
    const b = createStorageBuffer(this.device, `case.${label}`, floats);
    this.all.push(b);
    return b;
  }

  /** Registers buffers made elsewhere (uniforms of prepared calls) for destruction. */
  own(...bufs: GPUBuffer[]): void {
    this.all.push(...bufs);
  }

  /** Records `encode` into one compute pass and submits it. */
  run(encode: (pass: GPUComputePassEncoder) => void): void {
    const enc = this.device.createCommandEncoder({ label: 'case.encoder' });
    const pass = enc.beginComputePass({ label: 'case.pass' });
    encode(pass);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  read(buf: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
    return readFloats(this.device, buf, floats, offset * 4);
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
  }
}

/** Per-device kernel instances, so each pipeline compiles once across cases (slow on SwiftShader). */
export function perDevice<K>(make: (device: GPUDevice) => K): (device: GPUDevice) => K {
  const cache = new WeakMap<GPUDevice, K>();
  return (device) => {
    let k = cache.get(device);
    if (!k) cache.set(device, (k = make(device)));
    return k;
  };
}
