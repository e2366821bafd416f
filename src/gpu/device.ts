// Acquires a GPUDevice from any `GPU` object — navigator.gpu in a page or a Web Worker, Dawn's `webgpu`
// package in Node — with the limits the engine needs, and reports what the adapter is and can do.
// Failures come back as GpuUnavailableError with a sentence a user can act on.

/** Limits the engine asks for, up to what the adapter offers. The engine later checks its shapes against these. */
export const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

export type LimitName = (typeof WANTED_LIMITS)[number];

/** Minimums below which Unroll cannot run at all (the WebGPU defaults for compute). */
export const REQUIRED_LIMITS: Record<LimitName, number> = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** What a user and the engine need to know about the adapter in use. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, WARP, llvmpipe): correct but far slower than a GPU. */
  isSoftware: boolean;
  features: string[];
  limits: Record<LimitName, number>;
  hasTimestampQuery: boolean;
}

/** A device with its report and the way to learn it was lost. */
export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterReport;
  /** Resolves when the device is lost (destroyed, driver reset, GPU removed). */
  lost: Promise<GPUDeviceLostInfo>;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Request timestamp-query when the adapter has it (GPU timing in the benchmark and status bar). */
  timestamps?: boolean;
  /** Called for errors no error scope caught: validation errors outside tests, out-of-memory, internal. */
  onUncapturedError?: (message: string) => void;
}

/** No usable WebGPU: `reason` says why and what the user can do. */
export class GpuUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: 'no-webgpu' | 'no-adapter' | 'limits' | 'device',
  ) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

const SOFTWARE_PATTERN = /swiftshader|llvmpipe|lavapipe|warp|software|cpu/i;

function describeAdapter(adapter: GPUAdapter, features: Iterable<string>): AdapterReport {
  const info = adapter.info;
  const limits = {} as Record<LimitName, number>;
  for (const name of WANTED_LIMITS) limits[name] = adapter.limits[name];
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const featureList = [...features].sort();
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware: fallback || SOFTWARE_PATTERN.test(text),
    features: featureList,
    limits,
    hasTimestampQuery: featureList.includes('timestamp-query'),
  };
}

/** One line naming the adapter (vendor, architecture, device, description), for logs and benchmark records. */
export function adapterName(a: AdapterReport, separator = ' '): string {
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(separator);
}

/** Names the limits the adapter offers below Unroll's minimum, or returns an empty list. */
export function missingLimits(offered: Record<LimitName, number>): string[] {
  return WANTED_LIMITS.filter((n) => offered[n] < REQUIRED_LIMITS[n]).map(
    (n) => `${n}: adapter offers ${offered[n]}, Unroll needs ${REQUIRED_LIMITS[n]}`,
  );
}

/**
 * Requests an adapter and a device with the adapter's best compute limits.
 * @param gpu navigator.gpu (page or worker) or Dawn's `create([])` in Node; undefined when WebGPU is absent.
 */
export async function acquireDevice(gpu: GPU | undefined, opts: AcquireOptions = {}): Promise<GpuContext> {
  if (!gpu) {
    throw new GpuUnavailableError(
      'This browser has no WebGPU. Use a current Chrome, Edge or Safari 26+, or Firefox 141+ on Windows; on Linux, Chrome with chrome://flags/#enable-unsafe-webgpu.',
      'no-webgpu',
    );
  }
  const adapter = await gpu.requestAdapter(
    opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined,
  );
  if (!adapter) {
    throw new GpuUnavailableError(
      'WebGPU is present but no GPU adapter is available (blocklisted driver, disabled hardware acceleration, or no GPU). Check chrome://gpu, enable hardware acceleration, or update the graphics driver.',
      'no-adapter',
    );
  }
  const wanted: string[] = [];
  if (opts.timestamps !== false && adapter.features.has('timestamp-query')) wanted.push('timestamp-query');
  // Subgroup tiles of the recurrent step are tuner candidates only where the device has the feature; their
  // shader also needs WGSL's subgroup_id (newer than the feature), so without it the feature is not asked for.
  if (adapter.features.has('subgroups') && gpu.wgslLanguageFeatures?.has('subgroup_id'))
    wanted.push('subgroups');
  const report = describeAdapter(adapter, wanted);
  const missing = missingLimits(report.limits);
  if (missing.length > 0) {
    throw new GpuUnavailableError(
      `This GPU's limits are too small for Unroll: ${missing.join('; ')}.`,
      'limits',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = report.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'Unroll.device',
      requiredFeatures: wanted as GPUFeatureName[],
      requiredLimits,
    });
  } catch (err) {
    throw new GpuUnavailableError(`The GPU refused to create a device: ${String(err)}`, 'device');
  }
  device.addEventListener('uncapturederror', (ev) => {
    const message = (ev as GPUUncapturedErrorEvent).error.message;
    if (opts.onUncapturedError) opts.onUncapturedError(message);
    else console.error(`WebGPU uncaptured error: ${message}`);
  });
  return { device, adapter: report, lost: device.lost };
}

/**
 * Runs `fn` inside validation and out-of-memory error scopes and throws the first error either caught.
 * Tests wrap every kernel call in it, so a malformed dispatch fails the test instead of printing a warning.
 */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = await fn();
  } catch (err) {
    thrown = err ?? new Error('unknown error');
  }
  // Pop both scopes whatever happened, so a failure never leaves scopes pushed for the next caller.
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const gpuError = validation ?? oom;
  if (gpuError)
    throw new Error(`WebGPU ${validation ? 'validation' : 'out-of-memory'} error: ${gpuError.message}`);
  if (thrown !== null) throw thrown;
  return result as T;
}
