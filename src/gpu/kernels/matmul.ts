// MatmulKernel: owns shaders/matmul.wgsl's layout and its pipelines (one per variant, cached), and turns a
// MatmulSpec plus buffers into a prepared call that a step encodes without any per-step uploads.
import type { MatmulSpec } from '../../core/matmul';
import { createUniformBuffer } from '../buffers';
import { createShaderModule } from '../shaders';

const TILE = 64;

/** Buffers of one multiply; offsets are in f32 elements, so views of flat buffers need no alignment. */
export interface MatmulBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  bias?: GPUBuffer;
  offA?: number;
  offB?: number;
  offC?: number;
  offBias?: number;
}

/** A multiply ready to encode: its pipeline, bind group and grid, fixed at preparation time. */
export interface MatmulCall {
  readonly spec: MatmulSpec;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: [number, number];
  readonly params: GPUBuffer;
}

/** The tiled f32 GEMM of shaders/matmul.wgsl (reference: reference/matmul.ts `matmul`). */
export class MatmulKernel {
  readonly bindGroupLayout: GPUBindGroupLayout;
  private readonly layout: GPUPipelineLayout;
  private readonly module: GPUShaderModule;
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {
    this.module = createShaderModule(device, 'matmul.wgsl');
    const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type },
    });
    this.bindGroupLayout = device.createBindGroupLayout({
      label: 'MatmulKernel.bindGroupLayout',
      entries: [
        storage(0, 'uniform'),
        storage(1, 'read-only-storage'),
        storage(2, 'read-only-storage'),
        storage(3, 'storage'),
        storage(4, 'read-only-storage'),
      ],
    });
    this.layout = device.createPipelineLayout({
      label: 'MatmulKernel.layout',
      bindGroupLayouts: [this.bindGroupLayout],
    });
  }

  /** The pipeline for a variant (transposes, accumulate, bias are override constants). */
  pipeline(spec: MatmulSpec): GPUComputePipeline {
    const key = `${+spec.transA}${+spec.transB}${+spec.accumulate}${+spec.bias}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: `MatmulKernel.pipeline[${key}]`,
        layout: this.layout,
        compute: {
          module: this.module,
          entryPoint: 'main',
          constants: {
            TRANS_A: +spec.transA,
            TRANS_B: +spec.transB,
            ACCUMULATE: +spec.accumulate,
            HAS_BIAS: +spec.bias,
          },
        },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Prepares a call: writes its parameters once and builds its bind group. */
  prepare(spec: MatmulSpec, buf: MatmulBuffers, label = 'MatmulKernel.call'): MatmulCall {
    if (spec.bias && !buf.bias) throw new Error(`${label}: spec.bias set but no bias buffer given`);
    const params = createUniformBuffer(this.device, `${label}.params`, 32);
    this.device.queue.writeBuffer(
      params,
      0,
      new Uint32Array([
        spec.m,
        spec.n,
        spec.k,
        buf.offA ?? 0,
        buf.offB ?? 0,
        buf.offC ?? 0,
        buf.offBias ?? 0,
        0,
      ]),
    );
    const bindGroup = this.device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: this.bindGroupLayout,
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: buf.a } },
        { binding: 2, resource: { buffer: buf.b } },
        { binding: 3, resource: { buffer: buf.c } },
        // An unused bias still needs a binding; A is read-only already, so it serves.
        { binding: 4, resource: { buffer: buf.bias ?? buf.a } },
      ],
    });
    const workgroups: [number, number] = [Math.ceil(spec.n / TILE), Math.ceil(spec.m / TILE)];
    return { spec, pipeline: this.pipeline(spec), bindGroup, workgroups, params };
  }

  /** Records the multiply into an open compute pass. */
  encode(pass: GPUComputePassEncoder, call: MatmulCall): void {
    if (call.workgroups[0] === 0 || call.workgroups[1] === 0) return;
    pass.setPipeline(call.pipeline);
    pass.setBindGroup(0, call.bindGroup);
    pass.dispatchWorkgroups(call.workgroups[0], call.workgroups[1]);
  }
}
