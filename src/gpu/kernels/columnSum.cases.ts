// Registry entry for shaders/column_sum.wgsl: row counts below, at and across the 128-row chunk, accumulated
// into an offset output, against reference/model.ts colSum.
import { Rng } from '../../core/rng';
import { colSum } from '../../reference/model';
import { CaseBuffers, perDevice } from './caseUtil';
import { ColumnSumKernel, columnSumScratch } from './columnSum';
import type { KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice((d) => new ColumnSumKernel(d));

function colsumCase(R: number, C: number, seed: number): KernelCase {
  return {
    label: `${R} rows × ${C} columns, += into offset 3`,
    async run(device) {
      const rng = new Rng(seed);
      const x = rng.uniformArray(5 + R * C);
      const out0 = rng.uniformArray(3 + C);
      const bufs = new CaseBuffers(device);
      const out = bufs.from('out', out0);
      const call = kernelFor(device).prepare(
        R,
        C,
        bufs.from('x', x),
        5,
        out,
        3,
        bufs.zeros('partials', columnSumScratch(R, C)),
        'case.colsum',
      );
      bufs.own(call.uniform);
      bufs.run((pass) => kernelFor(device).encode(pass, call));
      const expected = colSum(R, C, x.subarray(5)).map((v, c) => v + (out0[3 + c] as number));
      const actual = await bufs.read(out, C, 3);
      bufs.destroy();
      return [{ name: 'sums', actual, expected }];
    },
  };
}

export const columnSumEntry: KernelEntry = {
  name: 'column_sum',
  shader: 'column_sum.wgsl',
  entryPoints: ['colsum_partial', 'colsum_final'],
  reference: 'reference/model.ts: colSum',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [colsumCase(1, 1, 1), colsumCase(128, 70, 2), colsumCase(300, 65, 3)],
};
