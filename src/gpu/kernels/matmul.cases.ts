// Registry entry for shaders/matmul.wgsl: odd shapes around the 64×64×16 tile, every transpose variant,
// accumulate, bias and element offsets, each checked against reference/matmul.ts.
import { type MatmulSpec, describeMatmul, matmulSizes } from '../../core/matmul';
import { Rng } from '../../core/rng';
import { matmul } from '../../reference/matmul';
import { createStorageBuffer, createStorageBufferFrom, readFloats } from '../buffers';
import { MatmulKernel } from './matmul';
import type { KernelCase, KernelEntry } from './registry';

type Variant = Partial<MatmulSpec> & { m: number; n: number; k: number; offset?: number; split?: number };

const VARIANTS: Variant[] = [
  { m: 1, n: 1, k: 1 },
  { m: 7, n: 13, k: 5 },
  { m: 7, n: 13, k: 5, transA: true },
  { m: 7, n: 13, k: 5, transB: true },
  { m: 7, n: 13, k: 5, transA: true, transB: true },
  { m: 7, n: 13, k: 5, accumulate: true, bias: true },
  { m: 64, n: 64, k: 64 },
  { m: 65, n: 256, k: 33, bias: true },
  { m: 65, n: 256, k: 33, transA: true, accumulate: true },
  { m: 65, n: 33, k: 256, transB: true, accumulate: true, bias: true },
  { m: 130, n: 17, k: 300, transB: true },
  { m: 9, n: 11, k: 6, transA: true, accumulate: true, bias: true, offset: 5 },
  // Split K: slices of whole 16-term chunks with a ragged last one, an empty trailing slice (k 33 in 4
  // slices of 16), accumulate and bias applied once in the reduction, and offsets.
  { m: 70, n: 9, k: 301, transA: true, accumulate: true, split: 4 },
  { m: 5, n: 66, k: 33, transA: true, bias: true, split: 4, offset: 3 },
  { m: 17, n: 13, k: 200, transB: true, accumulate: true, bias: true, split: 2 },
];

// One kernel per device: pipelines compile once (slow on SwiftShader) and are reused by every case.
const kernels = new WeakMap<GPUDevice, MatmulKernel>();
function kernelFor(device: GPUDevice): MatmulKernel {
  let k = kernels.get(device);
  if (!k) kernels.set(device, (k = new MatmulKernel(device)));
  return k;
}

function fullSpec(v: Variant): MatmulSpec {
  return { transA: false, transB: false, accumulate: false, bias: false, ...v };
}

function matmulCase(v: Variant, seed: number): KernelCase {
  const spec = fullSpec(v);
  const off = v.offset ?? 0;
  return {
    label: describeMatmul(spec) + (off ? ` @+${off}` : '') + (v.split ? ` split ${v.split}` : ''),
    async run(device) {
      const rng = new Rng(seed);
      const sizes = matmulSizes(spec);
      // Padding in front of each operand tests element offsets into shared buffers.
      const pad = (data: Float32Array): Float32Array => {
        const out = rng.uniformArray(data.length + off);
        out.set(data, off);
        return out;
      };
      const a = rng.uniformArray(sizes.a);
      const b = rng.uniformArray(sizes.b);
      const c0 = rng.uniformArray(sizes.c);
      const bias = rng.uniformArray(spec.n);
      const kernel = kernelFor(device);
      const bufs = {
        a: createStorageBufferFrom(device, 'matmulCase.a', pad(a)),
        b: createStorageBufferFrom(device, 'matmulCase.b', pad(b)),
        c: spec.accumulate
          ? createStorageBufferFrom(device, 'matmulCase.c', pad(c0))
          : createStorageBuffer(device, 'matmulCase.c', sizes.c + off),
        bias: createStorageBufferFrom(device, 'matmulCase.bias', pad(bias)),
      };
      const split = v.split ?? 1;
      const part = createStorageBuffer(device, 'matmulCase.part', Math.max(1, split * spec.m * spec.n));
      const call = kernel.prepare(
        spec,
        { ...bufs, offA: off, offB: off, offC: off, offBias: off, part },
        'matmulCase',
        split,
      );
      const encoder = device.createCommandEncoder({ label: 'matmulCase.encoder' });
      const pass = encoder.beginComputePass({ label: 'matmulCase.pass' });
      kernel.encode(pass, call);
      pass.end();
      device.queue.submit([encoder.finish()]);
      const actual = (await readFloats(device, bufs.c, sizes.c + off)).slice(off);
      for (const buf of [...Object.values(bufs), call.params, part]) buf.destroy();
      return [{ name: 'C', actual, expected: matmul(spec, a, b, c0, bias) }];
    },
  };
}

export const matmulEntry: KernelEntry = {
  name: 'matmul',
  shader: 'matmul.wgsl',
  entryPoints: ['main', 'reduce_split'],
  reference: 'reference/matmul.ts: matmul',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => VARIANTS.map((v, i) => matmulCase(v, 1000 + i)),
};
