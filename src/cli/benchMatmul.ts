// `npm run bench -- --kernel matmul`: times the matmul kernel alone on the shapes training uses.
// Prints one JSON line per configuration. GPU time comes from timestamp-query when available.
import {
  type MatmulSpec,
  describeMatmul,
  matmulFlops,
  matmulSizes,
  matmulSpec as spec,
  splitOf,
} from '../core/matmul';
import { Rng } from '../core/rng';
import { ReadbackRing, createStorageBuffer, createStorageBufferFrom } from '../gpu/buffers';
import { MatmulKernel } from '../gpu/kernels/matmul';
import { GpuTimer } from '../gpu/timing';
import type { Args } from './args';
import { type GpuContext, adapterName, withErrorScopes } from '../gpu/device';

/** Shapes of a 2×512 LSTM, batch 32, T 128, V 65 step, plus a square peak-throughput shape. */
const FULL: { name: string; spec: MatmulSpec }[] = [
  { name: 'square 4096³', spec: spec(4096, 4096, 4096) },
  {
    name: 'recurrent step h·W_hhᵀ (B32, 4H 2048, H 512)',
    spec: spec(32, 2048, 512, { transB: true, accumulate: true }),
  },
  { name: 'input projection X·W_ihᵀ (T·B 4096)', spec: spec(4096, 2048, 512, { transB: true, bias: true }) },
  { name: 'weight gradient dGᵀ·X', spec: spec(2048, 512, 4096, { transA: true, accumulate: true }) },
  { name: 'output head H·Wᵀ + b (V 65)', spec: spec(4096, 65, 512, { transB: true, bias: true }) },
  {
    name: 'weight gradient dW_hh at H 256',
    spec: spec(1024, 256, 4096, { transA: true, accumulate: true }),
  },
  { name: 'head gradient dW_head (V 65)', spec: spec(65, 512, 4096, { transA: true, accumulate: true }) },
];

/** The same kinds of shapes, small enough for a software adapter (SwiftShader) to finish in seconds. */
const SMALL: { name: string; spec: MatmulSpec }[] = [
  { name: 'square 256³', spec: spec(256, 256, 256) },
  { name: 'recurrent step (B8, 4H 256, H 64)', spec: spec(8, 256, 64, { transB: true, accumulate: true }) },
  { name: 'weight gradient dGᵀ·X', spec: spec(256, 64, 512, { transA: true, accumulate: true }) },
];

import { median } from '../core/stats';

/** Runs the matmul benchmark; prints JSON lines. */
export async function benchMatmul(ctx: GpuContext, args: Args): Promise<void> {
  const steps = args.int('steps', 30);
  const warmup = args.int('warmup', 5);
  const { device, adapter } = ctx;
  const small = args.flag('small') || adapter.isSoftware;
  const kernel = new MatmulKernel(device);
  const timer = new GpuTimer(device);
  const ring = new ReadbackRing(device, timer.bytes, 1, 'bench.timer');
  const rng = new Rng(1);
  // Each shape as one pass over K, and split as the engine splits it (core/matmul.ts splitOf) when it does.
  const runs = (small ? SMALL : FULL).flatMap((x) => [
    { ...x, split: 1 },
    ...(splitOf(x.spec) > 1 ? [{ ...x, split: splitOf(x.spec) }] : []),
  ]);
  for (const { name, spec: s, split } of runs) {
    const sizes = matmulSizes(s);
    const a = createStorageBufferFrom(device, 'bench.a', rng.uniformArray(sizes.a));
    const b = createStorageBufferFrom(device, 'bench.b', rng.uniformArray(sizes.b));
    const c = createStorageBuffer(device, 'bench.c', sizes.c);
    const bias = createStorageBufferFrom(device, 'bench.bias', rng.uniformArray(s.n));
    const part = createStorageBuffer(device, 'bench.part', Math.max(1, split * sizes.c));
    const call = kernel.prepare(s, { a, b, c, bias, part }, 'bench.call', split);
    // Enough dispatches per submit that submit overhead does not hide the kernel (≥ ~2 ms of work).
    const flops = matmulFlops(s);
    const reps = args.int('reps', Math.max(1, Math.min(200, Math.round(2e9 / flops / (small ? 200 : 1)))));
    const gpuMs: number[] = [];
    const wallMs: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      timer.begin();
      const t0 = performance.now();
      const enc = device.createCommandEncoder({ label: 'bench.encoder' });
      const pass = enc.beginComputePass({ label: 'bench.pass', ...timer.passTimestamps('matmul') });
      for (let r = 0; r < reps; r++) kernel.encode(pass, call);
      pass.end();
      const slot = ring.acquire()!;
      const phases = timer.resolve(enc, slot.buffer, 0);
      await withErrorScopes(device, () => device.queue.submit([enc.finish()]));
      await device.queue.onSubmittedWorkDone();
      const wall = performance.now() - t0;
      const data = await new Promise<ArrayBuffer>((resolve) => ring.commit(slot, resolve));
      const times = GpuTimer.decode(phases, data, 0);
      if (i < warmup) continue;
      wallMs.push(wall / reps);
      if (times?.matmul !== undefined) gpuMs.push(times.matmul / reps);
    }
    const ms = gpuMs.length ? median(gpuMs) : median(wallMs);
    console.log(
      JSON.stringify({
        impl: 'unroll-webgpu',
        kernel: 'matmul',
        shape: name,
        op: describeMatmul(s),
        split,
        reps_per_submit: reps,
        ms_per_call: +ms.toPrecision(4),
        timing: gpuMs.length ? 'gpu-timestamp' : 'wall-clock',
        wall_ms_per_call: +median(wallMs).toPrecision(4),
        gflops: +(flops / ms / 1e6).toPrecision(4),
        device: adapterName(adapter),
        date: new Date().toISOString().slice(0, 10),
      }),
    );
    for (const buf of [a, b, c, bias, part, call.params]) buf.destroy();
  }
  timer.destroy();
  ring.destroy();
}
