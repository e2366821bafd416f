// Registry entry for shaders/softmax_xent.wgsl: per-row loss, dlogits and the mean, including V > 256
// (strided rows) and large logits (the max-subtraction path), against reference/loss.ts.
import { Rng } from '../../core/rng';
import { softmaxXent } from '../../reference/loss';
import { CaseBuffers, perDevice } from './caseUtil';
import type { KernelCase, KernelEntry } from './registry';
import { SoftmaxXentKernel } from './softmaxXent';

const kernelFor = perDevice((d) => new SoftmaxXentKernel(d));

/** `padded` rows at the end get target V (padding: zero loss and gradient). */
function xentCase(N: number, V: number, scale: number, seed: number, padded = 0): KernelCase {
  return {
    label: `N ${N}, V ${V}, logits ±${scale}${padded ? `, ${padded} padded` : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const logits = rng.uniformArray(N * V, -scale, scale);
      const targets = Array.from({ length: N }, (_, r) => (r >= N - padded ? V : rng.int(V)));
      const bufs = new CaseBuffers(device);
      const dlogits = bufs.zeros('dlogits', N * V);
      const losses = bufs.zeros('losses', N);
      const stats = bufs.zeros('stats', 4);
      const call = kernelFor(device).prepare(
        N,
        V,
        {
          logits: bufs.from('logits', logits),
          targets: bufs.from('targets', targets, 'u32'),
          dlogits,
          losses,
          stats,
        },
        0,
      );
      bufs.own(call.uniform);
      bufs.run((pass) => kernelFor(device).encode(pass, call));
      const ref = softmaxXent(N, V, logits, targets);
      const result = [
        { name: 'dlogits', actual: await bufs.read(dlogits, N * V), expected: ref.dlogits },
        { name: 'losses', actual: await bufs.read(losses, N), expected: ref.losses },
        { name: 'mean', actual: await bufs.read(stats, 1), expected: [ref.loss] },
      ];
      bufs.destroy();
      return result;
    },
  };
}

export const softmaxXentEntry: KernelEntry = {
  name: 'softmax_xent',
  shader: 'softmax_xent.wgsl',
  entryPoints: ['softmax_xent', 'loss_mean'],
  reference: 'reference/loss.ts: softmaxXent',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [xentCase(1, 2, 1, 1), xentCase(13, 65, 3, 2, 4), xentCase(300, 301, 30, 3)],
};
