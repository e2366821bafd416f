// SoftmaxXentKernel: shaders/softmax_xent.wgsl — per-row loss and dlogits, then the mean loss into stats.
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, grid1d, uniformWords } from './pipelines';

export interface SoftmaxXentBuffers {
  logits: GPUBuffer;
  targets: GPUBuffer;
  dlogits: GPUBuffer;
  losses: GPUBuffer;
  stats: GPUBuffer;
}

export interface SoftmaxXentCall {
  rows: GPUBindGroup;
  mean: GPUBindGroup;
  grid: [number, number];
  uniform: GPUBuffer;
}

export class SoftmaxXentKernel {
  private readonly rows: Entry;
  private readonly mean: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'softmax_xent.wgsl');
    this.rows = createEntry(device, module, 'SoftmaxXentKernel.rows', 'softmax_xent', {
      0: 'uniform',
      1: 'read',
      2: 'read',
      3: 'rw',
      4: 'rw',
    });
    this.mean = createEntry(device, module, 'SoftmaxXentKernel.mean', 'loss_mean', {
      0: 'uniform',
      4: 'rw',
      5: 'rw',
    });
  }

  /** N rows of V logits; the mean loss lands in stats[lossIndex]. */
  prepare(N: number, V: number, bufs: SoftmaxXentBuffers, lossIndex = 0): SoftmaxXentCall {
    const uniform = uniformWords(this.device, 'SoftmaxXentKernel.params', [N, V, { f32: 1 / N }, lossIndex]);
    const all = {
      0: uniform,
      1: bufs.logits,
      2: bufs.targets,
      3: bufs.dlogits,
      4: bufs.losses,
      5: bufs.stats,
    };
    return {
      rows: bindGroup(this.device, this.rows, all),
      mean: bindGroup(this.device, this.mean, all),
      grid: grid1d(N, 1),
      uniform,
    };
  }

  encode(pass: GPUComputePassEncoder, call: SoftmaxXentCall): void {
    dispatch(pass, this.rows, call.rows, call.grid);
    dispatch(pass, this.mean, call.mean, [1]);
  }
}
