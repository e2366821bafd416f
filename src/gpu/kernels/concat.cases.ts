// Registry entry for shaders/concat.wgsl: [forward; reverse] rows through a mirrored map (tagging) and the
// gradient split back, against reference/concat.ts. H = 70 spans two workgroups of a row.
import { Rng } from '../../core/rng';
import { concatBackward, concatForward } from '../../reference/concat';
import { CaseBuffers, perDevice } from './caseUtil';
import { ConcatKernel } from './concat';
import type { KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice((d) => new ConcatKernel(d));

function concatCase(T: number, B: number, H: number, seed: number): KernelCase {
  return {
    label: `T ${T}, B ${B}, H ${H}, mirrored rows`,
    async run(device) {
      const rng = new Rng(seed);
      const N = T * B;
      const off = B * H;
      const fwd = rng.uniformArray(off + N * H);
      const bwd = rng.uniformArray(off + N * H);
      // Sequence b has length 1 + (b mod T): its steps mirror within that length, padding maps to itself.
      const map = Array.from({ length: N }, (_, n) => {
        const t = Math.floor(n / B);
        const b = n % B;
        const len = 1 + (b % T);
        return t < len ? (len - 1 - t) * B + b : n;
      });
      const dcat = rng.uniformArray(N * 2 * H);
      const bufs = new CaseBuffers(device);
      const cat = bufs.zeros('cat', N * 2 * H);
      const dfwd = bufs.zeros('dfwd', N * H);
      const dbwd = bufs.zeros('dbwd', N * H);
      const k = kernelFor(device);
      const call = k.prepare(
        N,
        H,
        off,
        {
          fwd: bufs.from('fwd', fwd),
          bwd: bufs.from('bwd', bwd),
          map: bufs.from('map', map, 'u32'),
          cat,
          dcat: bufs.from('dcat', dcat),
          dfwd,
          dbwd,
        },
        'case.concat',
      );
      bufs.own(call.uniform);
      bufs.run((pass) => {
        k.encodeForward(pass, call);
        k.encodeBackward(pass, call);
      });
      const back = concatBackward(N, H, dcat, map);
      const out = [
        {
          name: 'cat',
          actual: await bufs.read(cat, N * 2 * H),
          expected: concatForward(N, H, fwd.slice(off), bwd.slice(off), map),
        },
        { name: 'dfwd', actual: await bufs.read(dfwd, N * H), expected: back.dfwd },
        { name: 'dbwd', actual: await bufs.read(dbwd, N * H), expected: back.dbwd },
      ];
      bufs.destroy();
      return out;
    },
  };
}

export const concatEntry: KernelEntry = {
  name: 'concat',
  shader: 'concat.wgsl',
  entryPoints: ['concat_forward', 'concat_backward'],
  reference: 'reference/concat.ts: concatForward, concatBackward',
  tolerance: { atol: 0, rtol: 0 },
  cases: () => [concatCase(1, 1, 1, 1), concatCase(5, 3, 70, 2)],
};
