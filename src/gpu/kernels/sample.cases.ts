// Registry entry for shaders/sample.wgsl: the sampled characters of several steps and rows under each kind of
// filtering (exact token equality with reference/sampling.ts for the same draws), and the log-softmax rows.
// V = 300 spans several strides of the 256-invocation workgroup.
import { Rng } from '../../core/rng';
import { type SampleOptions, logSoftmax, sampleToken } from '../../reference/sampling';
import { CaseBuffers, perDevice } from './caseUtil';
import type { KernelCase, KernelEntry } from './registry';
import { SampleKernel } from './sample';

const kernelFor = perDevice((d) => new SampleKernel(d));

function sampleCase(B: number, V: number, o: SampleOptions, seed: number): KernelCase {
  const S = 6;
  return {
    label: `B ${B}, V ${V}, τ ${o.temperature}, top-k ${o.topK}, top-p ${o.topP}`,
    async run(device) {
      const rng = new Rng(seed);
      // Offset by one row, as the sampler reads the last row of a longer prime window.
      const logits = rng.uniformArray((B + 1) * V, -4, 4);
      const draws = rng.uniformArray(S * B, 0, 1);
      const bufs = new CaseBuffers(device);
      const out = bufs.zeros('out', S * B);
      const logp = bufs.zeros('logp', B * V);
      const chosen = bufs.zeros('chosen', S * B);
      const k = kernelFor(device);
      const call = k.prepare(
        B,
        V,
        V,
        {
          logits: bufs.from('logits', logits),
          draws: bufs.from('draws', draws),
          tokens: bufs.zeros('tokens', B),
          out,
          work: bufs.zeros('work', 2 * B * V),
          logp,
          chosen,
        },
        o,
        S,
      );
      bufs.own(call.uniform, call.steps);
      bufs.run((pass) => {
        for (let s = 0; s < S; s++) k.encodeSample(pass, call, s);
        k.encodeLogSoftmax(pass, call);
      });
      const row = (b: number) => logits.subarray((b + 1) * V, (b + 2) * V);
      const expected = Array.from({ length: S * B }, (_, i) => sampleToken(row(i % B), o, draws[i]!));
      const tokens = new Uint32Array((await bufs.read(out, S * B)).buffer);
      const lp = Array.from({ length: B }, (_, b) => [...logSoftmax(row(b), o.temperature)]).flat();
      const result = [
        { name: 'tokens', actual: tokens, expected },
        { name: 'log_softmax', actual: await bufs.read(logp, B * V), expected: lp },
      ];
      // Greedy's chosen token is the row's maximum: its log-probability is the row's largest.
      if (o.temperature === 0)
        result.push({
          name: 'chosen_log_prob',
          actual: await bufs.read(chosen, S * B),
          expected: Array.from({ length: S * B }, (_, i) =>
            Math.max(...lp.slice((i % B) * V, ((i % B) + 1) * V)),
          ),
        });
      bufs.destroy();
      return result;
    },
  };
}

export const sampleEntry: KernelEntry = {
  name: 'sample',
  shader: 'sample.wgsl',
  entryPoints: ['sample_rows', 'log_softmax_rows'],
  reference: 'reference/sampling.ts: sampleToken, logSoftmax',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [
    sampleCase(3, 37, { temperature: 1, topK: 0, topP: 1 }, 1),
    sampleCase(3, 37, { temperature: 0, topK: 0, topP: 1 }, 2),
    sampleCase(3, 300, { temperature: 0, topK: 0, topP: 1 }, 6),
    sampleCase(4, 37, { temperature: 0.7, topK: 5, topP: 1 }, 3),
    sampleCase(4, 37, { temperature: 1.3, topK: 0, topP: 0.6 }, 4),
    sampleCase(2, 300, { temperature: 0.9, topK: 40, topP: 0.9 }, 5),
  ],
};
