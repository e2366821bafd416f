import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { ReadbackRing, createStorageBufferFrom, readFloats } from './buffers';
import { GpuTimer } from './timing';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

describe('buffers', () => {
  it('round-trips data, including sizes that are not a multiple of 4 floats', async () => {
    const data = new Float32Array([1.5, -2, 3.25]);
    const buf = createStorageBufferFrom(device, 'test.buf', data);
    expect([...(await readFloats(device, buf))]).toEqual([1.5, -2, 3.25]);
    expect([...(await readFloats(device, buf, 1, 4))]).toEqual([-2]);
  });
});

describe('ReadbackRing', () => {
  it('delivers each step’s data later, in order, without blocking the submits', async () => {
    const ring = new ReadbackRing(device, 8, 3, 'test.ring');
    const got: number[][] = [];
    const pending: Promise<void>[] = [];
    for (let step = 0; step < 3; step++) {
      const src = createStorageBufferFrom(device, 'test.src', new Float32Array([step, step * 10]));
      const slot = ring.acquire();
      expect(slot).not.toBeNull();
      const enc = device.createCommandEncoder();
      ring.copy(enc, slot!, src, 0, 0, 8);
      device.queue.submit([enc.finish()]);
      pending.push(
        new Promise((resolve) =>
          ring.commit(slot!, (data) => (got.push([...new Float32Array(data)]), resolve())),
        ),
      );
    }
    // All three slots are in flight: a fourth step must skip its readback instead of waiting.
    expect(ring.inFlight).toBe(3);
    expect(ring.acquire()).toBeNull();
    expect(ring.dropped).toBe(1);
    await Promise.all(pending);
    expect(got).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
    ]);
    expect(ring.inFlight).toBe(0);
    expect(ring.acquire()).not.toBeNull();
    ring.destroy();
  });

  it('refuses to commit a slot it did not hand out', () => {
    const ring = new ReadbackRing(device, 4, 1);
    const slot = ring.acquire()!;
    ring.release(slot);
    expect(() => ring.commit(slot, () => undefined)).toThrow(/without acquire/);
    ring.destroy();
  });
});

describe('GpuTimer', () => {
  it('times named passes when timestamp-query exists, and is inert otherwise', async () => {
    const timer = new GpuTimer(device);
    expect(timer.begin()).toBe(timer.enabled);
    const enc = device.createCommandEncoder();
    for (const phase of ['forward', 'backward', 'forward']) {
      const pass = enc.beginComputePass({ ...timer.passTimestamps(phase) });
      pass.end();
    }
    const ring = new ReadbackRing(device, timer.bytes, 1, 'test.timer');
    const slot = ring.acquire()!;
    const phases = timer.resolve(enc, slot.buffer, 0);
    device.queue.submit([enc.finish()]);
    const data = await new Promise<ArrayBuffer>((resolve) => ring.commit(slot, resolve));
    const times = GpuTimer.decode(phases, data, 0);
    ring.destroy();
    if (!timer.enabled) {
      expect(times).toBeNull();
      return;
    }
    expect(Object.keys(times!).sort()).toEqual(['backward', 'forward']);
    for (const ms of Object.values(times!)) expect(ms).toBeGreaterThanOrEqual(0);
    timer.destroy();
  });
});

describe('ReadbackRing growth', () => {
  it('adds slots up to maxSlots before dropping', () => {
    const ring = new ReadbackRing(device, 4, 1, 'grow', 3);
    expect([ring.acquire(), ring.acquire(), ring.acquire()].every((s) => s !== null)).toBe(true);
    expect(ring.acquire()).toBeNull();
    expect(ring.dropped).toBe(1);
    ring.destroy();
  });
});
