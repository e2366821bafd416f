// EmbeddingKernel: shaders/embedding.wgsl — row gather forward and the deterministic per-row gradient.
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const WG = 64;
const MAX_DIM = 65535;

export interface EmbeddingBuffers {
  params: GPUBuffer;
  tokens: GPUBuffer;
  out: GPUBuffer;
  dout: GPUBuffer;
  grads: GPUBuffer;
}

export interface EmbeddingCall {
  N: number;
  E: number;
  V: number;
  forward: GPUBindGroup;
  backward: GPUBindGroup;
  uniform: GPUBuffer;
}

export class EmbeddingKernel {
  private readonly fwd: Entry;
  private readonly bwd: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'embedding.wgsl');
    const c = { WG };
    this.fwd = createEntry(
      device,
      module,
      'EmbeddingKernel.forward',
      'embedding_forward',
      { 0: 'uniform', 1: 'read', 2: 'read', 3: 'rw' },
      c,
    );
    this.bwd = createEntry(
      device,
      module,
      'EmbeddingKernel.backward',
      'embedding_backward',
      { 0: 'uniform', 2: 'read', 4: 'read', 5: 'rw' },
      c,
    );
  }

  /** N positions from `first`, width E, V rows; the table sits at `offTable` in params and grads. */
  prepare(
    N: number,
    E: number,
    V: number,
    offTable: number,
    bufs: EmbeddingBuffers,
    first = 0,
  ): EmbeddingCall {
    if (V > MAX_DIM) throw new Error(`EmbeddingKernel: vocabulary of ${V} exceeds ${MAX_DIM} rows`);
    const uniform = uniformWords(this.device, 'EmbeddingKernel.params', [N, E, V, offTable, first, 0, 0, 0]);
    const all = { 0: uniform, 1: bufs.params, 2: bufs.tokens, 3: bufs.out, 4: bufs.dout, 5: bufs.grads };
    return {
      N,
      E,
      V,
      forward: bindGroup(this.device, this.fwd, all),
      backward: bindGroup(this.device, this.bwd, all),
      uniform,
    };
  }

  encodeForward(pass: GPUComputePassEncoder, call: EmbeddingCall): void {
    const y = Math.min(call.N, MAX_DIM);
    dispatch(pass, this.fwd, call.forward, [Math.ceil(call.E / WG), y, Math.ceil(call.N / y)]);
  }

  encodeBackward(pass: GPUComputePassEncoder, call: EmbeddingCall): void {
    dispatch(pass, this.bwd, call.backward, [Math.ceil(call.E / WG), call.V]);
  }
}
