// Registry entry for shaders/recurrent_cell.wgsl: for each cell type, initial state, T forward steps, T
// backward steps and the initial-state gradient of one layer, against reference/model.ts layerForward and
// layerBackward (which compose reference/cells.ts), with half the sequences carrying a permuted state from
// slot T. H = 70 spans several unit tiles; B = 9 and 17 several sequence tiles.
import { CELL_TYPES, type CellType, gateCount, isLstm } from '../../core/config';
import { Rng } from '../../core/rng';
import { colSum, layerBackward, layerForward } from '../../reference/model';
import { CaseBuffers } from './caseUtil';
import { DEFAULT_TILES, type Tile, describeTile, tileCandidates } from '../../core/tiles';
import { RESET_ROW, cellKernel } from './recurrentCell';
import { cellBufferFloats, cellLayerInfo } from './cellLayout';
import type { CaseOutput, KernelCase, KernelEntry } from './registry';

/**
 * Every tile shape the tuner may pick for any batch (the candidates depend on B only through the sequences
 * per workgroup: B ≥ 8, 4–7, 2–3 and 1; 2–3's are among B ≥ 8's), each run on a batch and width that leave partial tiles.
 */
function tileCases(): KernelCase[] {
  const seen = new Set<string>();
  const cases: KernelCase[] = [];
  // The peephole cell tiles exactly as the LSTM (same gate count); the three gate counts are what differ.
  (['lstm', 'gru', 'rnn'] as const).forEach((cell, c) => {
    for (const B of [9, 5, 1])
      for (const tiles of tileCandidates(cell, B, 37)) {
        const key = `${cell} ${JSON.stringify(tiles)}`;
        if (tiles === DEFAULT_TILES || seen.has(key)) continue;
        seen.add(key);
        cases.push({ ...cellCase(cell, 3, B, 37, 30 + c, tiles), hardwareOnly: true });
        // A loop tile can also run one step per dispatch (records (t, 1)): once per cell.
        if (tiles.forward.loop && !seen.has(`${cell} stepwise`)) {
          seen.add(`${cell} stepwise`);
          cases.push({ ...cellCase(cell, 3, B, 37, 40 + c, tiles, true), hardwareOnly: true });
        }
      }
  });
  return cases;
}

function cellCase(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  seed: number,
  tiles = DEFAULT_TILES,
  stepwise = false,
): KernelCase {
  return {
    label: `${cell}, T ${T}, B ${B}, H ${H}${tiles === DEFAULT_TILES ? '' : `, tiles ${describeTile(tiles.forward)} / ${describeTile(tiles.backward)}`}${stepwise ? ', step by step' : ''}`,
    async run(device) {
      const rng = new Rng(seed);
      const G = gateCount(cell);
      const N = T * B;
      const bound = 1 / Math.sqrt(H);
      const whh = rng.uniformArray(G * H * H, -bound, bound);
      const bhh = rng.uniformArray(G * H, -bound, bound);
      const peep = rng.uniformArray(3 * H, -bound, bound);
      const h0 = rng.uniformArray(H, -0.5, 0.5);
      const c0 = rng.uniformArray(H, -0.5, 0.5);
      const gx = rng.uniformArray(N * G * H);
      const dabove = rng.uniformArray(N * H, -0.1, 0.1);
      // Flat parameters: W_hh | b_hh | peep | h0 | c0.
      const off = {
        whh: 0,
        bhh: G * H * H,
        peep: G * H * H + G * H,
        h0: G * H * H + G * H + 3 * H,
        c0: G * H * H + G * H + 4 * H,
      };
      const params = [...whh, ...bhh, ...peep, ...h0, ...c0];
      // Sequence b carries from row (b + 1) % B of slot T (a permutation, as beam search uses) when b is
      // odd, and starts from h0/c0 when even: both paths of cell_init and cell_backward_init in one case.
      const carried = rng.uniformArray(2 * B * H, -0.5, 0.5);
      const rows = Uint32Array.from({ length: B }, (_, b) => (b % 2 ? (b + 1) % B : RESET_ROW));
      const size = cellBufferFloats(cell, T, B, H, tiles.backward.subgroups === true);
      const initStates = new Float32Array(size.states);
      initStates.set(carried.subarray(0, B * H), T * B * H);
      initStates.set(carried.subarray(B * H), (2 * T + 1) * B * H);
      const bufs = new CaseBuffers(device);
      const states = bufs.from('states', initStates);
      const act = bufs.zeros('act', size.act);
      const dg = bufs.zeros('dg', size.dg);
      const scratch = bufs.zeros('scratch', size.scratch);
      const grads = bufs.zeros('grads', params.length);
      const k = cellKernel(device, cell, tiles);
      const steps = k.createStepUniform(T);
      const at = (offset: number) => ({ offset });
      const info = cellLayerInfo(
        T,
        B,
        H,
        G,
        {
          weightHh: at(off.whh),
          biasHh: at(off.bhh),
          ...(cell === 'lstm-peephole' ? { peephole: at(off.peep) } : {}),
          h0: at(off.h0),
          c0: at(off.c0),
        },
        true,
      );
      const layer = k.prepare(
        info,
        {
          params: bufs.from('params', params),
          gx: bufs.from('gx', gx),
          states,
          act,
          dabove: bufs.from('dabove', dabove),
          dg,
          scratch,
          grads,
          rows: bufs.from('rows', rows, 'u32'),
        },
        steps,
        'case.layer',
      );
      bufs.own(steps, layer.uniform);
      bufs.run((pass) => {
        k.encodeInit(pass, layer);
        if (stepwise) {
          for (let t = 0; t < T; t++) k.encodeForward(pass, layer, t);
          for (let t = T - 1; t >= 0; t--) k.encodeBackward(pass, layer, t);
        } else {
          k.encodeForwardSteps(pass, layer, 0, T);
          k.encodeBackwardSteps(pass, layer, 0, T);
        }
        k.encodeBackwardInit(pass, layer);
      });
      const weights = { whh, bhh, ...(cell === 'lstm-peephole' ? { peep } : {}) };
      const init = (v: Float32Array, half: number) =>
        Float64Array.from({ length: B * H }, (_, i) => {
          const src = rows[Math.floor(i / H)]!;
          return src === RESET_ROW ? v[i % H]! : carried[half * B * H + src * H + (i % H)]!;
        });
      const c0s = isLstm(cell) ? init(c0, 1) : new Float64Array(B * H);
      const fwd = layerForward(cell, T, B, H, gx, weights, init(h0, 0), c0s);
      const back = layerBackward(cell, T, B, H, dabove, fwd, weights);
      const reset = (d: Float64Array) => d.map((v, i) => (rows[Math.floor(i / H)] === RESET_ROW ? v : 0));
      const sts = await bufs.read(states, 2 * (T + 1) * B * H);
      const outputs: CaseOutput[] = [
        { name: 'h', actual: sts.subarray(0, (T + 1) * B * H), expected: fwd.h },
        { name: 'act', actual: await bufs.read(act, size.act), expected: fwd.act },
        { name: 'dgx', actual: await bufs.read(dg, N * G * H), expected: back.dgx },
        { name: 'dgh', actual: await bufs.read(dg, N * G * H, N * G * H), expected: back.dgh },
        { name: 'dh_t', actual: await bufs.read(scratch, N * H, info.dhFullOff), expected: back.dhFull },
        {
          name: 'grad h0',
          actual: await bufs.read(grads, H, off.h0),
          expected: colSum(B, H, reset(back.dInitH)),
        },
      ];
      if (isLstm(cell)) {
        outputs.push({ name: 'c', actual: sts.subarray((T + 1) * B * H), expected: fwd.c });
        outputs.push({
          name: 'grad c0',
          actual: await bufs.read(grads, H, off.c0),
          expected: colSum(B, H, reset(back.dInitC)),
        });
      }
      if (cell === 'lstm-peephole') {
        const perSample = await bufs.read(scratch, N * 3 * H, info.dpeepOff);
        outputs.push({ name: 'dpeep (summed)', actual: colSum(N, 3 * H, perSample), expected: back.dpeep });
      }
      bufs.destroy();
      return outputs;
    },
  };
}

/**
 * Subgroup tiles, forward and backward, for every cell (the peephole cell too: cell_update's and
 * backward_update's peephole paths), with a batch that leaves a partial sequence tile (9) and a batch of 1,
 * the most units per workgroup (and the fewest for the LSTM), a width below every subgroup size (H 3: lanes
 * past H add nothing), fewer subgroups than units, each half beside a tiled other half, and the backward
 * step by step.
 */
function subgroupCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  CELL_TYPES.forEach((cell, c) => {
    for (const B of [9, 1]) {
      const sg = tileCandidates(cell, B, 37, true).filter((t) => t.forward.subgroups);
      // The most units per workgroup (a partial unit tile at H 37); the fewest once, for the LSTM.
      for (const tiles of cell === 'lstm' ? [sg[0]!, sg.at(-1)!] : [sg.at(-1)!])
        cases.push(cellCase(cell, 3, B, 37, 50 + c, tiles));
    }
  });
  cases.push(cellCase('lstm', 2, 3, 3, 55, tileCandidates('lstm', 3, 3, true).at(-1)!));
  // Two invocations per unit: fewer subgroups than units for any width ≥ 4, so subgroups walk several.
  const few: Tile = { tj: 16, tb: 2, tk: 1, sk: 2, subgroups: true };
  cases.push(cellCase('gru', 3, 5, 37, 56, { forward: few, backward: few }));
  // Each subgroup half with a tiled other half, and the backward step by step (a transpose before each).
  cases.push(cellCase('lstm', 3, 5, 37, 57, { forward: few, backward: DEFAULT_TILES.backward }));
  cases.push(cellCase('rnn', 3, 5, 37, 58, { forward: DEFAULT_TILES.forward, backward: few }, true));
  return cases.map((k) => ({ ...k, hardwareOnly: true, subgroups: true }));
}

/** recurrent_cell_subgroups.wgsl: the subgroup steps and W_hh's transpose, checked in whole layers. */
export const recurrentCellSubgroupsEntry: KernelEntry = {
  name: 'recurrent_cell_subgroups',
  shader: 'recurrent_cell_subgroups.wgsl',
  entryPoints: ['cell_forward_sg', 'cell_transpose_whh', 'cell_backward_sg'],
  reference: 'reference/model.ts: layerForward, layerBackward (reference/cells.ts)',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: subgroupCases,
};

export const recurrentCellEntry: KernelEntry = {
  name: 'recurrent_cell',
  shader: 'recurrent_cell.wgsl',
  entryPoints: [
    'cell_init',
    'cell_forward',
    'cell_backward',
    'cell_forward_loop',
    'cell_backward_loop',
    'cell_backward_init',
  ],
  reference: 'reference/model.ts: layerForward, layerBackward (reference/cells.ts)',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [
    ...CELL_TYPES.map((c, i) => cellCase(c, 4, 3, 5, 10 + i)),
    cellCase('lstm-peephole', 3, 2, 70, 20),
    cellCase('gru', 3, 9, 70, 21),
    cellCase('rnn', 2, 17, 40, 22),
    ...tileCases(),
  ],
};
