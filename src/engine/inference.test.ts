// Forward-only uses on the GPU against the float64 reference backend: validation passes (with padding and
// carried streams), probes, every sampler (same draws ⇒ same characters), and beam search, which itself is
// checked against brute-force enumeration of every continuation of a tiny model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { Rng } from '../core/rng';
import { logSoftmax } from '../reference/sampling';
import { CpuInference } from './cpuInference';
import { Engine } from './engine';
import { type SampleOptions, beamSearch, evalLayout, evalWindow } from './sampling';
import { checkModel, checkTrain } from './selfChecks';
import { chooseTiles } from './tuner';
import { DEFAULT_TILES } from '../core/tiles';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

const tokens = (n: number, V: number, seed: number) => {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: n }, () => rng.int(V));
};

async function pair(cell: 'lstm' | 'gru' | 'rnn', o: Partial<Parameters<typeof checkModel>[1]> = {}) {
  const m = checkModel(cell, o);
  const engine = Engine.create(device, m, checkTrain());
  const params = await engine.readParams();
  return { m, engine, cpu: new CpuInference(m, () => params) };
}

describe('evaluation layout', () => {
  it('scores every prediction of the split exactly once, padding the rest', () => {
    const toks = Uint32Array.from({ length: 23 }, (_, i) => i);
    const lay = evalLayout(toks.length, 4, 3);
    const seen: number[] = [];
    for (let w = 0; w < lay.windows; w++) {
      const win = evalWindow(toks, lay, w, 99);
      win.targets.forEach((y, i) => {
        if (y === 99) return;
        expect(y).toBe(win.inputs[i]! + 1);
        seen.push(y);
      });
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });
});

describe('GpuInference vs the reference (CpuInference)', () => {
  it('validation loss over a split with a partial last window, streams carried (1e-5 relative)', async () => {
    const { engine, cpu, m } = await pair('lstm');
    const toks = tokens(61, m.vocabSize, 1);
    const gpu = await engine.inference.evaluate(toks, 4, 3);
    const ref = await cpu.evaluate(toks, 4, 3);
    expect(gpu.chars).toBe(60);
    expect(Math.abs(gpu.nats - ref.nats) / ref.nats).toBeLessThan(1e-5);
    expect(gpu.bits).toBeCloseTo(gpu.nats / Math.LN2, 10);
    // Streams carry their state across windows, so the window length cannot matter; where the streams
    // start (B) does, so the comparison above can fail.
    const shorter = await engine.inference.evaluate(toks, 2, 3);
    expect(Math.abs(shorter.nats - gpu.nats) / gpu.nats).toBeLessThan(1e-5);
    const fewer = await cpu.evaluate(toks, 4, 2);
    expect(Math.abs(fewer.nats - ref.nats)).toBeGreaterThan(1e-6);
    engine.dispose();
  });

  it('probe: next-character probabilities at every position (1e-5)', async () => {
    const { engine, cpu, m } = await pair('gru');
    const toks = tokens(9, m.vocabSize, 2);
    const g = await engine.inference.probe(toks);
    const c = await cpu.probe(toks);
    expect(g).toHaveLength(9 * m.vocabSize);
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - c[i]!)).toBeLessThan(1e-5);
    engine.dispose();
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it(`inspect (${cell}): states, gates and log-probabilities of a probe text (1e-5)`, async () => {
      const { engine, cpu, m } = await pair(cell);
      const toks = tokens(7, m.vocabSize, 9);
      const g = await engine.inference.inspect(toks);
      const c = await cpu.inspect(toks);
      expect([g.T, g.H, g.A, g.h.length]).toEqual([7, m.hiddenSize, 4, m.layers]);
      const close = (a: Float32Array, b: Float32Array, what: string) => {
        expect(a.length, what).toBe(b.length);
        for (let i = 0; i < a.length; i++)
          expect(Math.abs(a[i]! - b[i]!), `${what}[${i}]`).toBeLessThan(1e-5);
      };
      for (let l = 0; l < m.layers; l++) {
        close(g.h[l]!, c.h[l]!, `h${l}`);
        close(g.gates[l]!, c.gates[l]!, `gates${l}`);
        if (cell === 'lstm') close(g.c[l]!, c.c[l]!, `c${l}`);
      }
      close(g.logp, c.logp, 'logp');
      expect(g.h[1]!.some((v) => v !== 0)).toBe(true);
      engine.dispose();
    });
  }

  it('with tiles that step a wavefront (3 layers): validation, probe and inspect still equal the reference', async () => {
    chooseTiles(device, 'gru', 3, 6, { ...DEFAULT_TILES, wave: true });
    const { engine, cpu, m } = await pair('gru', { layers: 3 });
    const toks = tokens(61, m.vocabSize, 4);
    const gpu = await engine.inference.evaluate(toks, 4, 3);
    const ref = await cpu.evaluate(toks, 4, 3);
    expect(Math.abs(gpu.nats - ref.nats) / ref.nats).toBeLessThan(1e-5);
    const g = await engine.inference.inspect(toks.subarray(0, 7));
    const c = await cpu.inspect(toks.subarray(0, 7));
    for (let l = 0; l < m.layers; l++)
      for (let i = 0; i < g.h[l]!.length; i++) expect(Math.abs(g.h[l]![i]! - c.h[l]![i]!)).toBeLessThan(1e-5);
    const p = await engine.inference.probe(toks.subarray(0, 2));
    const q = await cpu.probe(toks.subarray(0, 2));
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i]! - q[i]!)).toBeLessThan(1e-5);
    // 60 predictions in 3 streams: 5 windows of 4, and the 7-character inspect, stepped as a wavefront; the
    // 2-character probe did not (T < 3).
    expect(engine.inference.waveForwards).toBe(5 + 1);
    engine.dispose();
  });

  const options: SampleOptions[] = [
    { temperature: 1, topK: 0, topP: 1 },
    { temperature: 0, topK: 0, topP: 1 },
    { temperature: 0.8, topK: 3, topP: 1 },
    { temperature: 1.5, topK: 0, topP: 0.7 },
  ];
  for (const o of options) {
    it(`sample τ ${o.temperature}, top-k ${o.topK}, top-p ${o.topP}: same seed ⇒ same 40 characters`, async () => {
      const { engine, cpu, m } = await pair('lstm', { layers: 1 });
      const prime = tokens(3, m.vocabSize, 3);
      const chunks: number[] = [];
      const g = await engine.inference.sample(prime, 40, o, 7, (c) => chunks.push(c.length));
      const c = await cpu.sample(prime, 40, o, 7);
      expect(chunks).toEqual([32, 8]);
      expect([...g]).toEqual([...c]);
      if (o.temperature !== 0) expect(new Set(g).size).toBeGreaterThan(1);
      engine.dispose();
    });
  }

  it('beam search: GPU beams equal the reference beams', async () => {
    const { engine, cpu, m } = await pair('lstm');
    const prime = tokens(4, m.vocabSize, 4);
    const g = await beamSearch(engine.inference.decoder(5), prime, 5, 6, m.vocabSize);
    const c = await beamSearch(cpu.decoder(5), prime, 5, 6, m.vocabSize);
    expect(g.map((b) => [...b.tokens])).toEqual(c.map((b) => [...b.tokens]));
    g.forEach((b, i) => expect(Math.abs(b.logProb - c[i]!.logProb)).toBeLessThan(1e-4));
    engine.dispose();
  });
});

describe('beam search against brute force', () => {
  const m = checkModel('gru', { vocabSize: 3, layers: 1 });
  const length = 4;
  it('width V^(L−1) finds the exact top continuations; width 1 is greedy', async () => {
    const engine = Engine.create(device, m, checkTrain({ seed: 11 }));
    const params = await engine.readParams();
    engine.dispose();
    const cpu = new CpuInference(m, () => params);
    const prime = Uint32Array.from([0, 2]);
    const all: { seq: number[]; lp: number }[] = [];
    for (let code = 0; code < 3 ** length; code++) {
      const seq = Array.from({ length }, (_, i) => Math.floor(code / 3 ** (length - 1 - i)) % 3);
      const probs = await cpu.probe(Uint32Array.from([...prime, ...seq]));
      let lp = 0;
      seq.forEach((tok, i) => {
        const t = prime.length - 1 + i;
        lp += logSoftmax(Array.from(probs.subarray(t * 3, t * 3 + 3), Math.log))[tok]!;
      });
      all.push({ seq, lp });
    }
    all.sort((a, b) => b.lp - a.lp);
    const width = 3 ** (length - 1);
    const beams = await beamSearch(cpu.decoder(width), prime, width, length, 3);
    expect(beams.map((b) => [...b.tokens])).toEqual(all.slice(0, width).map((a) => a.seq));
    beams.forEach((b, i) => expect(Math.abs(b.logProb - all[i]!.lp)).toBeLessThan(1e-5));
    expect(beams[0]!.score).toBeCloseTo(beams[0]!.logProb / length, 12);
    const [greedy] = await beamSearch(cpu.decoder(1), prime, 1, length, 3);
    const argmax = await cpu.sample(prime, length, { temperature: 0, topK: 0, topP: 1 }, 1);
    expect([...greedy!.tokens]).toEqual([...argmax]);
  });
});
