// The kernel registry: kernel ↔ WGSL file ↔ reference ↔ tolerance, and the runner that checks a case.
import { compareArrays } from '../../core/tolerance';
import { withErrorScopes } from '../device';
import { attentionEntry } from './attention.cases';
import { columnSumEntry } from './columnSum.cases';
import { concatEntry } from './concat.cases';
import { embeddingEntry } from './embedding.cases';
import { gradNormEntry } from './gradNorm.cases';
import { matmulEntry } from './matmul.cases';
import { optimizerEntry } from './optimizer.cases';
import { recurrentCellEntry, recurrentCellSubgroupsEntry } from './recurrentCell.cases';
import { recurrentWaveEntry } from './recurrentWave.cases';
import { sampleEntry } from './sample.cases';
import { softmaxXentEntry } from './softmaxXent.cases';
import type { CheckResult, KernelCase, KernelEntry } from './registry';

export type { CaseOutput, CheckResult, KernelCase, KernelEntry } from './registry';

/** Every registered kernel family. A test fails when a shader file or entry point is missing here. */
export const KERNELS: readonly KernelEntry[] = [
  matmulEntry,
  embeddingEntry,
  recurrentCellEntry,
  recurrentCellSubgroupsEntry,
  recurrentWaveEntry,
  softmaxXentEntry,
  gradNormEntry,
  optimizerEntry,
  columnSumEntry,
  sampleEntry,
  attentionEntry,
  concatEntry,
];

const now = (): number => globalThis.performance.now();

/** Runs one case under validation error scopes and compares it with the reference under the entry's tolerance. */
export async function runCheck(
  device: GPUDevice,
  entry: KernelEntry,
  kase: KernelCase,
): Promise<CheckResult> {
  const t0 = now();
  try {
    const outputs = await withErrorScopes(device, () => kase.run(device));
    const reports = outputs.map((o) =>
      compareArrays(`${entry.name} ${kase.label} ${o.name}`, o.actual, o.expected, entry.tolerance),
    );
    const failed = reports.filter((r) => !r.ok);
    return {
      kernel: entry.name,
      case: kase.label,
      ok: failed.length === 0 && reports.length > 0,
      maxAbsError: Math.max(...reports.map((r) => r.maxAbsError)),
      worstRatio: Math.max(...reports.map((r) => r.worstRatio)),
      message: failed.length
        ? failed.map((r) => r.message).join('\n')
        : `${reports.length} outputs within tolerance`,
      ms: now() - t0,
    };
  } catch (err) {
    return {
      kernel: entry.name,
      case: kase.label,
      ok: false,
      maxAbsError: Infinity,
      worstRatio: Infinity,
      message: `${entry.name} ${kase.label}: ${err instanceof Error ? err.message : String(err)}`,
      ms: now() - t0,
    };
  }
}

/**
 * Runs every case of every registered kernel (without the hardware-only paths when `hardwareCases` is false, and
 * without the subgroup shapes on a device that lacks the feature: they are counted as skipped), reporting
 * each result as it completes.
 */
export async function runSelfTest(
  device: GPUDevice,
  onResult?: (r: CheckResult, done: number, total: number) => void,
  hardwareCases = true,
): Promise<{ results: CheckResult[]; skipped: number }> {
  const cases = KERNELS.flatMap((entry) => entry.cases().map((kase) => ({ entry, kase })));
  const all = cases.filter(
    ({ kase }) =>
      (hardwareCases || !kase.hardwareOnly) && (!kase.subgroups || device.features.has('subgroups')),
  );
  const results: CheckResult[] = [];
  for (const { entry, kase } of all) {
    const r = await runCheck(device, entry, kase);
    results.push(r);
    onResult?.(r, results.length, all.length);
  }
  return { results, skipped: cases.length - all.length };
}
