// ConcatKernel: shaders/concat.wgsl — a bidirectional model's [forward; reverse] head input (N, 2H) and the
// split of its gradient back to each direction (the reverse rows through `map`).
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const WG = 64;
const MAX_ROWS = 65535;

export interface ConcatBuffers {
  fwd: GPUBuffer;
  bwd: GPUBuffer;
  map: GPUBuffer;
  cat: GPUBuffer;
  dcat: GPUBuffer;
  dfwd: GPUBuffer;
  dbwd: GPUBuffer;
}

export interface ConcatCall {
  N: number;
  H: number;
  uniform: GPUBuffer;
  forward: GPUBindGroup;
  backward: GPUBindGroup;
}

export class ConcatKernel {
  private readonly fwd: Entry;
  private readonly bwd: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'concat.wgsl');
    const c = { WG };
    this.fwd = createEntry(
      device,
      module,
      'ConcatKernel.forward',
      'concat_forward',
      { 0: 'uniform', 1: 'read', 2: 'read', 3: 'read', 4: 'rw' },
      c,
    );
    this.bwd = createEntry(
      device,
      module,
      'ConcatKernel.backward',
      'concat_backward',
      { 0: 'uniform', 3: 'read', 5: 'read', 6: 'rw', 7: 'rw' },
      c,
    );
  }

  /** N rows of H from element `off` of `fwd` and `bwd` (the first output slot of their state buffers). */
  prepare(N: number, H: number, off: number, bufs: ConcatBuffers, label: string): ConcatCall {
    if (N > MAX_ROWS) throw new Error(`ConcatKernel: ${N} rows exceed ${MAX_ROWS}`);
    const uniform = uniformWords(this.device, `${label}.params`, [N, H, off, 0]);
    const all = {
      0: uniform,
      1: bufs.fwd,
      2: bufs.bwd,
      3: bufs.map,
      4: bufs.cat,
      5: bufs.dcat,
      6: bufs.dfwd,
      7: bufs.dbwd,
    };
    return {
      N,
      H,
      uniform,
      forward: bindGroup(this.device, this.fwd, all, `${label}.forward`),
      backward: bindGroup(this.device, this.bwd, all, `${label}.backward`),
    };
  }

  encodeForward(pass: GPUComputePassEncoder, call: ConcatCall): void {
    dispatch(pass, this.fwd, call.forward, [Math.ceil(call.H / WG), call.N]);
  }

  encodeBackward(pass: GPUComputePassEncoder, call: ConcatCall): void {
    dispatch(pass, this.bwd, call.backward, [Math.ceil(call.H / WG), call.N]);
  }
}
