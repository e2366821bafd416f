// Registry entry for shaders/embedding.wgsl: gather and the deterministic gradient, with repeated tokens
// (rows that receive several positions) and rows that receive none, against reference/embedding.ts.
import { Rng } from '../../core/rng';
import { embeddingBackward, embeddingGather } from '../../reference/embedding';
import { CaseBuffers, perDevice } from './caseUtil';
import { EmbeddingKernel } from './embedding';
import type { KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice((d) => new EmbeddingKernel(d));

/** `first` > 0: the call covers positions [first, first + N) of a longer window (one stack of an encoder–decoder). */
function embeddingCase(N: number, E: number, V: number, offset: number, seed: number, first = 0): KernelCase {
  return {
    label: `N ${N}, E ${E}, V ${V}${offset ? ` @+${offset}` : ''}${first ? `, from position ${first}` : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const table = rng.uniformArray(V * E);
      const all = Array.from({ length: first + N }, () => rng.int(V - 1)); // row V−1 never used
      const tokens = all.slice(first);
      const dout = rng.uniformArray((first + N) * E);
      const gradInit = rng.uniformArray(offset + V * E);
      const bufs = new CaseBuffers(device);
      const params = bufs.from('params', [...new Float32Array(offset), ...table]);
      const grads = bufs.from('grads', gradInit);
      const out = bufs.zeros('out', (first + N) * E);
      const call = kernelFor(device).prepare(
        N,
        E,
        V,
        offset,
        { params, tokens: bufs.from('tokens', all, 'u32'), out, dout: bufs.from('dout', dout), grads },
        first,
      );
      bufs.own(call.uniform);
      bufs.run((pass) => {
        kernelFor(device).encodeForward(pass, call);
        kernelFor(device).encodeBackward(pass, call);
      });
      const dTable = embeddingBackward(V, E, dout.slice(first * E), tokens).map(
        (g, i) => g + (gradInit[offset + i] as number),
      );
      const result = [
        {
          name: 'out',
          actual: await bufs.read(out, (first + N) * E),
          expected: [...new Float64Array(first * E), ...embeddingGather(E, table, tokens)],
        },
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
  cases: () => [
    embeddingCase(1, 1, 2, 0, 1),
    embeddingCase(37, 70, 9, 64, 2),
    embeddingCase(12, 5, 4, 0, 3, 9),
  ],
};
