// Helpers shared by the kernel classes: explicit bind group layouts from a compact binding list, compute
// pipelines with override constants and 'Class.member' labels, bind groups from buffers, uniform blocks,
// dispatches and grid shapes.
import { createUniformBuffer } from '../buffers';

/** How an entry point uses a binding: uniform, uniform with a dynamic offset, read-only or read-write storage. */
export type BindingKind = 'uniform' | 'dynamic' | 'read' | 'rw';

/** binding number → kind, for the bindings one entry point uses. */
export type BindingList = Record<number, BindingKind>;

const TYPES: Record<BindingKind, GPUBufferBindingLayout> = {
  uniform: { type: 'uniform' },
  dynamic: { type: 'uniform', hasDynamicOffset: true },
  read: { type: 'read-only-storage' },
  rw: { type: 'storage' },
};

/** A pipeline with its explicit bind group layout. */
export interface Entry {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  bindings: BindingList;
  label: string;
}

/** What a compute entry point is made from: its module, label, entry point, bindings and override constants. */
export type EntryArgs = [
  device: GPUDevice,
  module: GPUShaderModule,
  label: string,
  entryPoint: string,
  bindings: BindingList,
  constants?: Record<string, number>,
];

export function createEntry(...a: EntryArgs): Entry {
  const { descriptor, entry } = entryParts(...a);
  return { pipeline: a[0].createComputePipeline(descriptor), ...entry };
}

/**
 * createEntry, compiled without blocking the caller: many variants (the tile tuner's candidates) compile in
 * parallel where the implementation can.
 */
export async function createEntryAsync(...a: EntryArgs): Promise<Entry> {
  const { descriptor, entry } = entryParts(...a);
  return { pipeline: await a[0].createComputePipelineAsync(descriptor), ...entry };
}

function entryParts(...[device, module, label, entryPoint, bindings, constants = {}]: EntryArgs): {
  descriptor: GPUComputePipelineDescriptor;
  entry: Omit<Entry, 'pipeline'>;
} {
  const layout = device.createBindGroupLayout({
    label: `${label}.layout`,
    entries: Object.entries(bindings).map(([b, kind]) => ({
      binding: Number(b),
      visibility: GPUShaderStage.COMPUTE,
      buffer: TYPES[kind],
    })),
  });
  return {
    descriptor: {
      label: `${label}.pipeline`,
      layout: device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants },
    },
    entry: { layout, bindings, label },
  };
}

/** A buffer, or a buffer window (dynamic-offset uniforms bind a window of `size` bytes). */
export type BindingResource = GPUBuffer | { buffer: GPUBuffer; size: number };

/** A bind group for an entry; every binding the entry uses must be given. */
export function bindGroup(
  device: GPUDevice,
  entry: Entry,
  resources: Record<number, BindingResource>,
  label = entry.label,
): GPUBindGroup {
  return device.createBindGroup({
    label: `${label}.bindGroup`,
    layout: entry.layout,
    entries: Object.keys(entry.bindings).map((b) => {
      const r = resources[Number(b)];
      if (!r) throw new Error(`${label}: binding ${b} has no buffer`);
      return {
        binding: Number(b),
        resource: 'buffer' in r ? { buffer: r.buffer, size: r.size } : { buffer: r },
      };
    }),
  });
}

/** Workgroups for `n` invocations of size `wg` laid out 2D when x would exceed the per-dimension limit. */
export function grid1d(n: number, wg: number, maxPerDim = 65535): [number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

/** A 32-bit word of a uniform block: u32 as a number, f32 as `{ f32: x }`. */
export type Word = number | { f32: number };

/** A uniform buffer holding the given words, written once (rewrite with writeWords). */
export function uniformWords(device: GPUDevice, label: string, words: Word[]): GPUBuffer {
  const buf = createUniformBuffer(device, label, words.length * 4);
  writeWords(device, buf, words);
  return buf;
}

/** Rewrites a uniform block; lands before the next submit. */
export function writeWords(device: GPUDevice, buf: GPUBuffer, words: Word[]): void {
  const data = new ArrayBuffer(buf.size);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  words.forEach((w, i) => {
    if (typeof w === 'number') u[i] = w;
    else f[i] = w.f32;
  });
  device.queue.writeBuffer(buf, 0, data);
}

/** What a pass has bound: its pipeline, its group 0 and that group's (single) dynamic offset. */
interface PassState {
  pipeline: GPUComputePipeline | null;
  group: GPUBindGroup | null;
  offset: number;
}

/**
 * Per pass, what dispatch() last bound. Every call into the WebGPU implementation costs the host microseconds
 * (about 1.7 µs each through Dawn's Node bindings on the 2-core dev machine), and a training iteration records
 * hundreds of dispatches that mostly repeat the previous pipeline (T steps of one layer), so dispatch() skips
 * the calls that would bind what is already bound. A pass keeps its bindings across setPipeline, so skipping
 * is exact. Keyed weakly: a pass ends and is dropped with its entry.
 */
const bound = new WeakMap<GPUComputePassEncoder, PassState>();

/** Records one dispatch of an entry point with its bind group (and dynamic offsets, if any). */
export function dispatch(
  pass: GPUComputePassEncoder,
  entry: Entry,
  group: GPUBindGroup,
  grid: readonly number[],
  dynamicOffsets?: number[],
): void {
  let state = bound.get(pass);
  if (!state) bound.set(pass, (state = { pipeline: null, group: null, offset: -1 }));
  if (state.pipeline !== entry.pipeline) {
    pass.setPipeline(entry.pipeline);
    state.pipeline = entry.pipeline;
  }
  // Only single-offset groups are remembered (every dynamic group here has one); others always rebind.
  const offset = dynamicOffsets === undefined ? -1 : dynamicOffsets.length === 1 ? dynamicOffsets[0]! : -2;
  if (state.group !== group || state.offset !== offset || offset === -2) {
    if (dynamicOffsets) pass.setBindGroup(0, group, dynamicOffsets);
    else pass.setBindGroup(0, group);
    state.group = group;
    state.offset = offset;
  }
  pass.dispatchWorkgroups(grid[0] ?? 1, grid[1] ?? 1, grid[2] ?? 1);
}

/**
 * A uniform array of n step records, one per `stride` bytes, written once: kernels that run once per step read
 * theirs through a dynamic offset, so one submit can hold many steps. Record s holds the words `record(s)`
 * (by default `{ s }`).
 */
export function stepUniform(
  device: GPUDevice,
  label: string,
  n: number,
  record: (s: number) => number[] = (s) => [s],
): { buffer: GPUBuffer; stride: number } {
  const stride = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
  const buffer = device.createBuffer({
    label,
    size: n * stride,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const words = new Uint32Array((n * stride) / 4);
  for (let s = 0; s < n; s++) words.set(record(s), (s * stride) / 4);
  device.queue.writeBuffer(buffer, 0, words);
  return { buffer, stride };
}
