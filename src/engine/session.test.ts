import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../cli/dawn';
import { GpuSession } from './session';

describe('GpuSession', () => {
  it('reports no WebGPU plainly', async () => {
    const s = new GpuSession(undefined);
    const seen: string[] = [];
    s.events.on('unavailable', (u) => seen.push(u.reason));
    expect(await s.start()).toBe(false);
    expect(seen).toEqual(['no-webgpu']);
  });

  it('runs the self-test on Dawn and passes every case', async () => {
    const s = new GpuSession(nodeGpu());
    expect(await s.start()).toBe(true);
    let streamed = 0;
    s.events.on('selfTestResult', () => streamed++);
    const summary = await s.selfTest();
    expect(
      summary.failed,
      summary.results
        .filter((r) => !r.ok)
        .map((r) => r.message)
        .join('\n'),
    ).toBe(0);
    expect(streamed).toBe(summary.results.length);
    s.dispose();
  });

  it('notices a lost device and recovers with a new one', async () => {
    const s = new GpuSession(nodeGpu());
    await s.start();
    const lost = new Promise<string>((resolve) => s.events.on('lost', (l) => resolve(l.message)));
    s.device!.destroy();
    await lost;
    expect(s.device).toBeNull();
    expect(await s.start()).toBe(true);
    expect(s.device).not.toBeNull();
    s.dispose();
  });
});
