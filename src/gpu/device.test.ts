import { describe, expect, it } from 'vitest';
import { acquireNodeDevice, nodeGpu } from '../cli/dawn';
import {
  GpuUnavailableError,
  REQUIRED_LIMITS,
  acquireDevice,
  missingLimits,
  withErrorScopes,
} from './device';

describe('acquireDevice', () => {
  it('explains a missing WebGPU', async () => {
    await expect(acquireDevice(undefined)).rejects.toMatchObject({ reason: 'no-webgpu' });
  });

  it('explains a missing adapter', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const err = await acquireDevice(noAdapter).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect((err as GpuUnavailableError).reason).toBe('no-adapter');
    expect((err as Error).message).toMatch(/no GPU adapter/);
  });

  it('names every limit below the minimum', () => {
    expect(missingLimits(REQUIRED_LIMITS)).toEqual([]);
    const small = { ...REQUIRED_LIMITS, maxComputeWorkgroupStorageSize: 8192 };
    expect(missingLimits(small)).toEqual([
      'maxComputeWorkgroupStorageSize: adapter offers 8192, Unroll needs 16384',
    ]);
  });

  it('gets a Dawn device (an adapter must exist here) and reports it', async () => {
    const ctx = await acquireNodeDevice();
    expect(ctx.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(
      REQUIRED_LIMITS.maxStorageBufferBindingSize,
    );
    expect(ctx.device.limits.maxComputeWorkgroupStorageSize).toBe(
      ctx.adapter.limits.maxComputeWorkgroupStorageSize,
    );
    expect(ctx.adapter.features).toEqual(expect.any(Array));
    ctx.device.destroy();
    const lost = await ctx.lost;
    expect(lost.reason).toBe('destroyed');
  });

  it('reports a software adapter as such', async () => {
    const ctx = await acquireDevice(nodeGpu());
    const text = `${ctx.adapter.vendor} ${ctx.adapter.architecture} ${ctx.adapter.description}`;
    if (/swiftshader/i.test(text)) expect(ctx.adapter.isSoftware).toBe(true);
    ctx.device.destroy();
  });
});

describe('withErrorScopes', () => {
  it('turns a validation error into a thrown error', async () => {
    const { device } = await acquireNodeDevice();
    await expect(
      withErrorScopes(device, () => {
        // MAP_READ may only be combined with COPY_DST: invalid on purpose.
        device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      }),
    ).rejects.toThrow(/validation/);
    await expect(withErrorScopes(device, () => 7)).resolves.toBe(7);
    device.destroy();
  });
});
