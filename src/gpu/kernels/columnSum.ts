// ColumnSumKernel: shaders/column_sum.wgsl — out[off + c] += Σ_r x[in_off + r·C + c], in two ordered passes.
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const WG = 64;
export const ROWS_PER_CHUNK = 128;

/** Floats of the partials buffer an (R, C) sum needs. */
export function columnSumScratch(R: number, C: number): number {
  return Math.ceil(R / ROWS_PER_CHUNK) * C;
}

export interface ColumnSumCall {
  partialGroup: GPUBindGroup;
  finalGroup: GPUBindGroup;
  uniform: GPUBuffer;
  R: number;
  C: number;
}

export class ColumnSumKernel {
  private readonly partial: Entry;
  private readonly final: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'column_sum.wgsl');
    this.partial = createEntry(device, module, 'ColumnSumKernel.partial', 'colsum_partial', {
      0: 'uniform',
      1: 'read',
      2: 'rw',
    });
    this.final = createEntry(device, module, 'ColumnSumKernel.final', 'colsum_final', {
      0: 'uniform',
      2: 'rw',
      3: 'rw',
    });
  }

  /** Sums the (R, C) matrix at element `inOff` of `x` into `out[outOff …]`, with `partials` as scratch. */
  prepare(
    R: number,
    C: number,
    x: GPUBuffer,
    inOff: number,
    out: GPUBuffer,
    outOff: number,
    partials: GPUBuffer,
    label: string,
  ): ColumnSumCall {
    const uniform = uniformWords(this.device, `${label}.params`, [
      R,
      C,
      inOff,
      outOff,
      Math.ceil(R / ROWS_PER_CHUNK),
      0,
      0,
      0,
    ]);
    const all = { 0: uniform, 1: x, 2: partials, 3: out };
    return {
      partialGroup: bindGroup(this.device, this.partial, all, `${label}.partial`),
      finalGroup: bindGroup(this.device, this.final, all, `${label}.final`),
      uniform,
      R,
      C,
    };
  }

  encode(pass: GPUComputePassEncoder, call: ColumnSumCall): void {
    dispatch(pass, this.partial, call.partialGroup, [
      Math.ceil(call.C / WG),
      Math.ceil(call.R / ROWS_PER_CHUNK),
    ]);
    dispatch(pass, this.final, call.finalGroup, [Math.ceil(call.C / WG)]);
  }
}
