// WebGPU in Node through Dawn (npm package `webgpu`): the GPU object for CLI tools, the benchmark and tests.
// On machines without a GPU, scripts/gpu-env.mjs points Vulkan at SwiftShader before Node starts.
import { create, globals } from 'webgpu';
import { type AcquireOptions, type GpuContext, acquireDevice } from '../gpu/device';

let gpu: GPU | undefined;

/** Dawn's GPU object, created once per process with WebGPU's globals (GPUBufferUsage, …) installed. */
export function nodeGpu(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    gpu = create([]);
  }
  return gpu;
}

/** Acquires a device on Dawn; a missing adapter is an error (tests must fail, never skip). */
export function acquireNodeDevice(opts: AcquireOptions = {}): Promise<GpuContext> {
  return acquireDevice(nodeGpu(), opts);
}
