// Registry entry for shaders/recurrent_wave.wgsl: a stack of L layers stepped as one wavefront, forward and
// backward, against reference/model.ts layerForward and layerBackward run layer by layer with the input
// projections (x·W_ihᵀ + b_ih) and the gradients handed down (dgx·W_ih) as float64 GEMMs (reference/matmul.ts).
// Every layer's states, act, dg, scratch, gx and dabove sit in one buffer each at a region offset, as in a
// plan (the top layer's dabove at 0); the projections the wave writes are compared too.
import { CELL_TYPES, type CellType, gateCount } from '../../core/config';
import { matmulSpec } from '../../core/matmul';
import { Rng } from '../../core/rng';
import { type CellTiles, DEFAULT_TILES, describeTile } from '../../core/tiles';
import { matmul } from '../../reference/matmul';
import { type LayerForward, layerBackward, layerForward } from '../../reference/model';
import { CaseBuffers } from './caseUtil';
import { RESET_ROW } from './recurrentCell';
import { waveKernel, waveStack } from './recurrentWave';
import type { CaseOutput, KernelCase, KernelEntry } from './registry';

function waveCase(
  cell: CellType,
  L: number,
  T: number,
  B: number,
  H: number,
  seed: number,
  tiles: CellTiles,
) {
  const small = tiles !== DEFAULT_TILES;
  const tileLabel = small ? `, tiles ${describeTile(tiles.forward)} / ${describeTile(tiles.backward)}` : '';
  const kase: KernelCase = {
    label: `${cell}, ${L} layers, T ${T}, B ${B}, H ${H}${tileLabel}`,
    async run(device) {
      const rng = new Rng(seed);
      const G = gateCount(cell);
      const N = T * B;
      const bound = 1 / Math.sqrt(H);
      const { params: nParams, off, size, stride, infos } = waveStack(cell, L, T, B, H);
      const params = rng.uniformArray(nParams, -bound, bound);
      const slice = (o: number, n: number) => params.subarray(o, o + n);
      const weights = (l: number) => ({
        whh: slice(off(l).whh, G * H * H),
        bhh: slice(off(l).bhh, G * H),
        ...(cell === 'lstm-peephole' ? { peep: slice(off(l).peep, 3 * H) } : {}),
      });
      const gx0 = rng.uniformArray(N * G * H);
      const dtop = rng.uniformArray(N * H, -0.1, 0.1);
      const bufs = new CaseBuffers(device);
      const all = (n: keyof typeof stride) => bufs.zeros(n, L * stride[n]);
      const region = (n: 'gx' | 'dabove', data: ArrayLike<number>) => {
        const whole = new Float32Array(L * stride[n]);
        whole.set(data);
        return bufs.from(n, whole);
      };
      const states = all('states');
      const act = all('act');
      const dg = all('dg');
      const scratch = all('scratch');
      const gxAll = region('gx', gx0);
      const daboveAll = region('dabove', dtop);
      const k = waveKernel(device, cell, tiles);
      if (!k) throw new Error(`tiles ${JSON.stringify(tiles)} cannot step a wavefront`);
      const call = k.prepare(
        infos,
        {
          params: bufs.from('params', params),
          gx: gxAll,
          states,
          act,
          dabove: daboveAll,
          dg,
          scratch,
          grads: bufs.zeros('grads', 1),
          rows: bufs.from('rows', new Array<number>(B).fill(RESET_ROW), 'u32'),
        },
        'case.wave',
      );
      bufs.own(call.uniform, call.steps);
      // Slot 0 of every layer's states is zero (the buffers start zeroed): no init dispatch needed.
      bufs.run((pass) => {
        k.encodeForward(pass, call);
        k.encodeBackward(pass, call);
      });

      // The reference, a layer at a time.
      const outputs: CaseOutput[] = [];
      const zeros = new Float64Array(B * H);
      const fwd: LayerForward[] = [];
      for (let l = 0; l < L; l++) {
        const o = off(l);
        const gx =
          l === 0
            ? gx0
            : matmul(
                matmulSpec(N, G * H, H, { transB: true, bias: true }),
                fwd[l - 1]!.h.subarray(B * H),
                slice(o.wih, G * H * H),
                undefined,
                slice(o.bih, G * H),
              );
        fwd.push(layerForward(cell, T, B, H, gx, weights(l), zeros, zeros));
        if (l > 0) {
          const actual = await bufs.read(gxAll, N * G * H, l * stride.gx);
          outputs.push({ name: `gx layer ${l}`, actual, expected: gx });
        }
      }
      let dabove: ArrayLike<number> = dtop;
      for (let l = L - 1; l >= 0; l--) {
        if (l < L - 1) {
          const actual = await bufs.read(daboveAll, N * H, (L - 1 - l) * stride.dabove);
          outputs.push({ name: `dabove layer ${l}`, actual, expected: dabove });
        }
        const back = layerBackward(cell, T, B, H, dabove, fwd[l]!, weights(l));
        const read = (buf: GPUBuffer, n: number, at: number) => bufs.read(buf, n, at);
        const s = l * stride.states;
        outputs.push(
          { name: `h layer ${l}`, actual: await read(states, (T + 1) * B * H, s), expected: fwd[l]!.h },
          {
            name: `act layer ${l}`,
            actual: await read(act, size.act, l * stride.act),
            expected: fwd[l]!.act,
          },
          { name: `dgx layer ${l}`, actual: await read(dg, N * G * H, l * stride.dg), expected: back.dgx },
          {
            name: `dgh layer ${l}`,
            actual: await read(dg, N * G * H, l * stride.dg + N * G * H),
            expected: back.dgh,
          },
          {
            name: `dh_t layer ${l}`,
            actual: await read(scratch, N * H, l * stride.scratch + infos[l]!.dhFullOff),
            expected: back.dhFull,
          },
        );
        if (cell !== 'rnn' && cell !== 'gru')
          outputs.push({
            name: `c layer ${l}`,
            actual: await read(states, (T + 1) * B * H, s + (T + 1) * B * H),
            expected: fwd[l]!.c,
          });
        dabove = matmul(matmulSpec(N, H, G * H), back.dgx, slice(off(l).wih, G * H * H));
      }
      bufs.destroy();
      return outputs;
    },
  };
  return { ...kase, hardwareOnly: true };
}

/** Two unit tiles and several sequence tiles per step, K in chunks split two ways. */
const SMALL: CellTiles = {
  forward: { tj: 4, tb: 2, tk: 4, sk: 2 },
  backward: { tj: 4, tb: 2, tk: 8, sk: 2 },
};

export const recurrentWaveEntry: KernelEntry = {
  name: 'recurrent_wave',
  shader: 'recurrent_wave.wgsl',
  entryPoints: ['cell_forward_wave', 'cell_backward_wave'],
  reference: 'reference/model.ts: layerForward, layerBackward per layer, reference/matmul.ts between them',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [
    // Three layers: the middle one gets both projections (input from below, gradient from above).
    ...CELL_TYPES.map((cell, i) => waveCase(cell, 3, 4, 3, 6, 60 + i, DEFAULT_TILES)),
    waveCase('lstm', 2, 5, 5, 11, 64, SMALL),
    waveCase('gru', 4, 3, 3, 7, 65, SMALL),
  ],
};
