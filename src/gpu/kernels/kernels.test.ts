import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../../cli/dawn';
import { compareArrays } from '../../core/tolerance';
import { SHADER_SOURCES, computeEntryPoints } from '../shaders';
import { KERNELS, runCheck } from './index';

let device: GPUDevice;

beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

describe('kernel registry', () => {
  it('lists every WGSL file in shaders/ and nothing else', () => {
    const files = readdirSync(new URL('../../../shaders', import.meta.url)).filter((f) =>
      f.endsWith('.wgsl'),
    );
    const helpers = files.filter(
      (f) => computeEntryPoints(SHADER_SOURCES[f as keyof typeof SHADER_SOURCES] ?? '').length === 0,
    );
    expect(Object.keys(SHADER_SOURCES).sort()).toEqual(files.sort());
    const registered = new Set(KERNELS.map((k) => k.shader));
    for (const f of files)
      if (!helpers.includes(f)) expect(registered, `${f} has no registry entry`).toContain(f);
  });

  it('covers every @compute entry point of every shader', () => {
    for (const entry of KERNELS) {
      expect(computeEntryPoints(SHADER_SOURCES[entry.shader]).sort(), entry.name).toEqual(
        [...entry.entryPoints].sort(),
      );
    }
  });
});

for (const entry of KERNELS) {
  describe(`${entry.name} (${entry.shader}) vs ${entry.reference}`, () => {
    for (const kase of entry.cases()) {
      it(kase.label, async () => {
        const r = await runCheck(device, entry, kase);
        expect(r.ok, r.message).toBe(true);
      });
    }
  });
}

describe('the comparison can fail', () => {
  it('rejects a GPU result against a perturbed reference', async () => {
    const entry = KERNELS[0]!;
    const kase = entry.cases()[1]!;
    const [out] = await kase.run(device);
    const expected = Float64Array.from(out!.expected);
    expected[3] = (expected[3] as number) + 1e-3;
    const report = compareArrays('perturbed', out!.actual, expected, entry.tolerance);
    expect(report.ok).toBe(false);
    expect(report.offenders[0]?.index).toBe(3);
  });
});
