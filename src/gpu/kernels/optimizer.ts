// OptimizerKernel: shaders/optimizer.wgsl — clip-and-update over the flat parameter buffer. Hyperparameters
// and Adam's bias corrections are rewritten before each submit, so setConfig needs no new pipeline unless
// the optimiser type changes.
import type { OptimizerType, TrainConfig } from '../../core/config';
import { createUniformBuffer } from '../buffers';
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, grid1d, writeWords } from './pipelines';

export const OPTIMIZER_CODE: Record<OptimizerType, number> = { sgd: 0, rmsprop: 1, adam: 2 };
const WG = 256;

export interface OptimizerBuffers {
  stats: GPUBuffer;
  grads: GPUBuffer;
  params: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
}

export interface OptimizerCall {
  group: GPUBindGroup;
  uniform: GPUBuffer;
  grid: [number, number];
  n: number;
}

export class OptimizerKernel {
  private readonly entry: Entry;

  constructor(
    private readonly device: GPUDevice,
    readonly optimizer: OptimizerType,
  ) {
    const module = createShaderModule(device, 'optimizer.wgsl');
    this.entry = createEntry(
      device,
      module,
      `OptimizerKernel.${optimizer}`,
      'optimizer_step',
      { 0: 'uniform', 1: 'read', 2: 'read', 3: 'rw', 4: 'rw', 5: 'rw' },
      { OPTIMIZER: OPTIMIZER_CODE[optimizer] },
    );
  }

  prepare(n: number, bufs: OptimizerBuffers): OptimizerCall {
    const uniform = createUniformBuffer(this.device, 'OptimizerKernel.params', 48);
    const group = bindGroup(this.device, this.entry, {
      0: uniform,
      1: bufs.stats,
      2: bufs.grads,
      3: bufs.params,
      4: bufs.m,
      5: bufs.v,
    });
    return { group, uniform, grid: grid1d(n, WG), n };
  }

  /** Writes the hyperparameters for update number `step` (counting from 1). */
  setStep(call: OptimizerCall, cfg: TrainConfig, step: number): void {
    const words = [
      call.n,
      0,
      { f32: cfg.learningRate },
      { f32: cfg.momentum },
      { f32: cfg.beta1 },
      { f32: cfg.beta2 },
      { f32: cfg.eps },
      { f32: cfg.weightDecay },
      { f32: 1 - cfg.beta1 ** step },
      { f32: 1 - cfg.beta2 ** step },
      0,
      0,
    ];
    writeWords(this.device, call.uniform, words);
  }

  encode(pass: GPUComputePassEncoder, call: OptimizerCall): void {
    dispatch(pass, this.entry, call.group, call.grid);
  }
}
