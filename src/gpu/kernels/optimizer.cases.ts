// Registry entry for shaders/optimizer.wgsl: SGD-momentum, RMSProp and Adam updates with clipping and weight
// decay from existing state, and the skipped update when the gradient was flagged non-finite.
import { DEFAULT_TRAIN, type OptimizerType } from '../../core/config';
import { Rng } from '../../core/rng';
import { optimizerUpdate } from '../../reference/optim';
import { CaseBuffers, perDevice } from './caseUtil';
import { OptimizerKernel } from './optimizer';
import type { KernelCase, KernelEntry } from './registry';

const kernels = new Map<OptimizerType, (d: GPUDevice) => OptimizerKernel>();
const kernelFor = (d: GPUDevice, o: OptimizerType): OptimizerKernel => {
  if (!kernels.has(o))
    kernels.set(
      o,
      perDevice((dev) => new OptimizerKernel(dev, o)),
    );
  return kernels.get(o)!(d);
};

function optCase(optimizer: OptimizerType, nonFinite: boolean, seed: number): KernelCase {
  return {
    label: `${optimizer}, step 3, clip 0.5, decay 0.01${nonFinite ? ', non-finite ⇒ no update' : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const n = 300;
      const cfg = { ...DEFAULT_TRAIN, optimizer, learningRate: 0.01, weightDecay: 0.01 };
      const params = rng.uniformArray(n);
      const grads = rng.uniformArray(n);
      const m = rng.uniformArray(n, -0.1, 0.1);
      const v = rng.uniformArray(n, 0, 0.01);
      const bufs = new CaseBuffers(device);
      const b = {
        stats: bufs.from('stats', [0, 1, 0.5, nonFinite ? 1 : 0]),
        grads: bufs.from('grads', grads),
        params: bufs.from('params', params),
        m: bufs.from('m', m),
        v: bufs.from('v', v),
      };
      const k = kernelFor(device, optimizer);
      const call = k.prepare(n, b);
      bufs.own(call.uniform);
      k.setStep(call, cfg, 3);
      bufs.run((pass) => k.encode(pass, call));
      const ref = { p: Float64Array.from(params), m: Float64Array.from(m), v: Float64Array.from(v) };
      if (!nonFinite) optimizerUpdate(cfg, 3, ref.p, grads, { m: ref.m, v: ref.v }, 0.5);
      const out = [
        { name: 'params', actual: await bufs.read(b.params, n), expected: ref.p },
        { name: 'm', actual: await bufs.read(b.m, n), expected: ref.m },
        { name: 'v', actual: await bufs.read(b.v, n), expected: ref.v },
      ];
      bufs.destroy();
      return out;
    },
  };
}

export const optimizerEntry: KernelEntry = {
  name: 'optimizer',
  shader: 'optimizer.wgsl',
  entryPoints: ['optimizer_step'],
  reference: 'reference/optim.ts: optimizerUpdate',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [
    optCase('sgd', false, 1),
    optCase('rmsprop', false, 2),
    optCase('adam', false, 3),
    optCase('adam', true, 4),
  ],
};
