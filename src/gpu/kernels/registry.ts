// Types of the kernel registry (DESIGN.md §3 rule 6): every WGSL entry point is listed with its float64
// reference and its tolerance, and carries the cases that prove it. Tests and the in-browser self-test
// both iterate the registry, so a kernel is checked the same way on Dawn and in Chromium.
import type { Tolerance } from '../../core/tolerance';
import type { ShaderFile } from '../shaders';

/** One output of a case: what the GPU produced and what the float64 reference expects. */
export interface CaseOutput {
  name: string;
  actual: ArrayLike<number>;
  expected: ArrayLike<number>;
}

/** One GPU-vs-reference comparison over the outputs of a kernel run on the same inputs. */
export interface KernelCase {
  label: string;
  run(device: GPUDevice): Promise<CaseOutput[]>;
  /**
   * A path only a hardware GPU takes: a shape only the tile tuner can choose (engine/tuner.ts), or the
   * layer wavefront (a speed option). A software adapter is never tuned and never asked for speed, so its
   * self-test may leave these out; tests and the GPU self-test run them all.
   */
  hardwareOnly?: boolean;
  /** Needs the device's subgroups feature: the self-test leaves it out (as skipped) on devices without it. */
  subgroups?: boolean;
}

/** A registered kernel family: one WGSL file, its entry points, its reference and how close it must be. */
export interface KernelEntry {
  name: string;
  shader: ShaderFile;
  entryPoints: string[];
  /** Where the reference lives, `file: function`, for reports and docs. */
  reference: string;
  tolerance: Tolerance;
  cases(): KernelCase[];
}

/** The outcome of one case, as the self-test page and the test runners show it. */
export interface CheckResult {
  kernel: string;
  case: string;
  ok: boolean;
  maxAbsError: number;
  worstRatio: number;
  message: string;
  ms: number;
}
