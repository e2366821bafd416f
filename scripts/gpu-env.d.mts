// Types for the helpers of gpu-env.mjs that TypeScript tests import.
export function findTorchPython(): string | null;
