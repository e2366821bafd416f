// The one place that imports WGSL sources (DESIGN.md §3). `?raw` imports work in Vite, Vitest and the
// esbuild Node bundle (scripts/bundle.mjs has the matching loader), so every runtime sees the same text.
import matmulWgsl from '../../shaders/matmul.wgsl?raw';

/** Every WGSL file in shaders/, by file name. A test checks this list against the folder and the registry. */
export const SHADER_SOURCES = {
  'matmul.wgsl': matmulWgsl,
} as const satisfies Record<string, string>;

export type ShaderFile = keyof typeof SHADER_SOURCES;

/** The `@compute` entry points declared in a WGSL source, in order. */
export function computeEntryPoints(source: string): string[] {
  const re = /@compute[\s\S]*?fn\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  return [...source.matchAll(re)].map((m) => m[1] as string);
}

/** Creates a labelled shader module for one WGSL file. */
export function createShaderModule(device: GPUDevice, file: ShaderFile): GPUShaderModule {
  return device.createShaderModule({ label: `shader:${file}`, code: SHADER_SOURCES[file] });
}
