// The one place that imports WGSL sources (DESIGN.md §3). `?raw` imports work in Vite, Vitest and the
// esbuild Node bundle (scripts/bundle.mjs has the matching loader), so every runtime sees the same text.
import attentionWgsl from '../../shaders/attention.wgsl?raw';
import columnSumWgsl from '../../shaders/column_sum.wgsl?raw';
import concatWgsl from '../../shaders/concat.wgsl?raw';
import commonWgsl from '../../shaders/common.wgsl?raw';
import embeddingWgsl from '../../shaders/embedding.wgsl?raw';
import gradNormWgsl from '../../shaders/grad_norm.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import recurrentCellWgsl from '../../shaders/recurrent_cell.wgsl?raw';
import recurrentCellSubgroupsWgsl from '../../shaders/recurrent_cell_subgroups.wgsl?raw';
import recurrentCellUpdateWgsl from '../../shaders/recurrent_cell_update.wgsl?raw';
import recurrentWaveWgsl from '../../shaders/recurrent_wave.wgsl?raw';
import sampleWgsl from '../../shaders/sample.wgsl?raw';
import softmaxXentWgsl from '../../shaders/softmax_xent.wgsl?raw';

/** Every WGSL file in shaders/, by file name. A test checks this list against the folder and the registry. */
export const SHADER_SOURCES = {
  'attention.wgsl': attentionWgsl,
  'column_sum.wgsl': columnSumWgsl,
  'common.wgsl': commonWgsl,
  'concat.wgsl': concatWgsl,
  'embedding.wgsl': embeddingWgsl,
  'grad_norm.wgsl': gradNormWgsl,
  'matmul.wgsl': matmulWgsl,
  'optimizer.wgsl': optimizerWgsl,
  'recurrent_cell.wgsl': recurrentCellWgsl,
  'recurrent_cell_subgroups.wgsl': recurrentCellSubgroupsWgsl,
  'recurrent_cell_update.wgsl': recurrentCellUpdateWgsl,
  'recurrent_wave.wgsl': recurrentWaveWgsl,
  'sample.wgsl': sampleWgsl,
  'softmax_xent.wgsl': softmaxXentWgsl,
} as const satisfies Record<string, string>;

export type ShaderFile = keyof typeof SHADER_SOURCES;

/** The `@compute` entry points declared in a WGSL source, in order. */
export function computeEntryPoints(source: string): string[] {
  const re = /@compute[\s\S]*?fn\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  return [...source.matchAll(re)].map((m) => m[1] as string);
}

/** Helper files (no bindings, no entry points) compiled with a kernel file, after it. */
const PARTS: Partial<Record<ShaderFile, ShaderFile[]>> = {
  'recurrent_cell.wgsl': ['recurrent_cell_update.wgsl'],
};

/**
 * A kernel file's source with the shared helpers of common.wgsl in front (it declares no bindings) and its
 * own helper files after it.
 */
export function composedSource(file: ShaderFile): string {
  if (file === 'common.wgsl') return SHADER_SOURCES[file];
  const parts = (PARTS[file] ?? []).map((p) => SHADER_SOURCES[p]);
  return [SHADER_SOURCES['common.wgsl'], SHADER_SOURCES[file], ...parts].join('\n');
}

/**
 * Files compiled after another, with the directives they need in front of everything: they use that
 * file's bindings and functions, and features only some devices have.
 */
const EXTENSIONS: Partial<Record<ShaderFile, { base: ShaderFile; enable?: string }>> = {
  'recurrent_cell_subgroups.wgsl': { base: 'recurrent_cell.wgsl', enable: 'subgroups' },
  'recurrent_wave.wgsl': { base: 'recurrent_cell.wgsl' },
};

/** Creates a labelled shader module for one WGSL file (with common.wgsl prepended). */
export function createShaderModule(device: GPUDevice, file: ShaderFile): GPUShaderModule {
  const ext = EXTENSIONS[file];
  const code = ext
    ? `${ext.enable ? `enable ${ext.enable};\n` : ''}${composedSource(ext.base)}\n${SHADER_SOURCES[file]}`
    : composedSource(file);
  return device.createShaderModule({ label: `shader:${file}`, code });
}
