// Registry entry for shaders/grad_norm.wgsl: per-tensor and global norms across chunk boundaries, the clip
// factor, the non-finite flag, and segment norms, against reference/optim.ts.
import type { TensorSpec } from '../../core/params';
import { Rng } from '../../core/rng';
import { clipScale, gradNorms } from '../../reference/optim';
import { CaseBuffers, perDevice } from './caseUtil';
import { CHUNK, GradNormKernel, STATS } from './gradNorm';
import type { KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice((d) => new GradNormKernel(d));

function tensorsOf(sizes: number[]): TensorSpec[] {
  let offset = 0;
  return sizes.map((size, i) => {
    const t: TensorSpec = {
      name: `t${i}`,
      shape: [size],
      offset,
      size,
      init: 'zeros',
      layer: -1,
      pytorch: true,
    };
    offset += Math.ceil(size / 64) * 64;
    return t;
  });
}

function normCase(sizes: number[], clip: number, poison: boolean, seed: number): KernelCase {
  return {
    label: `tensors [${sizes.join(', ')}], clip ${clip}${poison ? ', with a NaN' : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const tensors = tensorsOf(sizes);
      const last = tensors[tensors.length - 1]!;
      const grads = new Float32Array(last.offset + last.size);
      for (const t of tensors) for (let i = 0; i < t.size; i++) grads[t.offset + i] = rng.uniform(-0.1, 0.1);
      if (poison) grads[tensors[1]!.offset + 2] = NaN;
      const bufs = new CaseBuffers(device);
      const g = bufs.from('grads', grads);
      const nSeg = 3;
      const segLen = 50;
      const stats = bufs.zeros('stats', STATS.tensorNorms + tensors.length + nSeg);
      const k = kernelFor(device);
      const call = k.prepare(tensors, g, stats, clip);
      const seg = k.prepareSegments(g, 7, segLen, nSeg, stats, STATS.tensorNorms + tensors.length);
      bufs.own(...call.buffers, seg.uniform);
      bufs.run((pass) => {
        k.encode(pass, call);
        k.encodeSegments(pass, seg);
      });
      const s = await bufs.read(stats, STATS.tensorNorms + tensors.length + nSeg);
      const ref = gradNorms(tensors, grads);
      const segRef = Array.from({ length: nSeg }, (_, i) =>
        Math.hypot(...grads.subarray(7 + i * segLen, 7 + (i + 1) * segLen)),
      );
      bufs.destroy();
      const flag = {
        name: 'non-finite flag',
        actual: [s[STATS.nonFinite]!],
        expected: [ref.nonFinite ? 1 : 0],
      };
      if (poison) return [flag];
      return [
        flag,
        { name: 'segment norms', actual: s.slice(STATS.tensorNorms + tensors.length), expected: segRef },
        {
          name: 'tensor norms',
          actual: s.slice(STATS.tensorNorms, STATS.tensorNorms + tensors.length),
          expected: ref.perTensor,
        },
        { name: 'global norm', actual: [s[STATS.globalNorm]!], expected: [ref.global] },
        { name: 'clip scale', actual: [s[STATS.clipScale]!], expected: [clipScale(ref.global, clip)] },
      ];
    },
  };
}

export const gradNormEntry: KernelEntry = {
  name: 'grad_norm',
  shader: 'grad_norm.wgsl',
  entryPoints: ['partial_sumsq', 'finalize_norms', 'segment_norms'],
  reference: 'reference/optim.ts: gradNorms, clipScale',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [
    normCase([1, 3, 70], 0, false, 1),
    normCase([CHUNK + 5, 3, 2 * CHUNK], 1, false, 2),
    normCase([10, 10], 5, true, 3),
  ],
};
