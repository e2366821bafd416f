// Registry entry for shaders/embedding.wgsl: gather and the deterministic gradient, with repeated tokens
// (rows that receive several positions) and rows that receive none, against reference/embedding.ts.
import { Rng } from '../../core/rng';
import { embeddingBackward, embeddingGather } from '../../reference/embedding';
import { CaseBuffers, perDevice } from './caseUtil';
import { EmbeddingKernel } from './embedding';
import type { KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice((d) => new EmbeddingKernel(d));

function embeddingCase(N: number, E: number, V: number, offset: number, seed: number): KernelCase {
  return {
    label: `N ${N}, E ${E}, V ${V}${offset ? ` @+${offset}` : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const table = rng.uniformArray(V * E);
      const tokens = Array.from({ length: N }, () => rng.int(V - 1)); // row V−1 never used
      const dout = rng.uniformArray(N * E);
      const gradInit = rng.uniformArray(offset + V * E);
      const bufs = new CaseBuffers(device);
      const params = bufs.from('params', [...new Float32Array(offset), ...table]);
      const grads = bufs.from('grads', gradInit);
      const out = bufs.zeros('out', N * E);
      const call = kernelFor(device).prepare(N, E, V, offset, {
        params,
        tokens: bufs.from('tokens', tokens, 'u32'),
        out,
        dout: bufs.from('dout', dout),
        grads,
      });
      bufs.own(call.uniform);
      bufs.run((pass) => {
        kernelFor(device).encodeForward(pass, call);
        kernelFor(device).encodeBackward(pass, call);
      });
      const dTable = embeddingBackward(V, E, dout, tokens).map(
        (g, i) => g + (gradInit[offset + i] as number),
      );
      const result = [
        { name: 'out', actual: await bufs.read(out, N * E), expected: embeddingGather(E, table, tokens) },
        { name: 'grad (accumulated)', actual: await bufs.read(grads, V * E, offset), expected: dTable },
      ];
      bufs.destroy();
      return result;
    },
  };
}

export const embeddingEntry: KernelEntry = {
  name: 'embedding',
  shader: 'embedding.wgsl',
  entryPoints: ['embedding_forward', 'embedding_backward'],
  reference: 'reference/embedding.ts: embeddingGather, embeddingBackward',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [embeddingCase(1, 1, 2, 0, 1), embeddingCase(37, 70, 9, 64, 2)],
};
