// A side-by-side run for a task (issue 9): the same examples, split, seed and settings with the task's switch
// flipped (attention for an encoder–decoder, the reverse layer for classify and tag), trained for the same
// number of steps as the run it is compared with, then evaluated like it. Progress every 16 steps.
import type { ModelConfig } from '../core/config';
import type { TaskEvaluation, TaskModel } from '../engine/taskModel';
import { variantOf } from '../engine/taskVariant';

export async function compareRun(
  main: TaskModel,
  steps: number,
  device: GPUDevice | null,
  progress: (step: number) => void,
): Promise<{ model: ModelConfig; evaluation: TaskEvaluation }> {
  const other = variantOf(main, device);
  try {
    for (let s = 1; s <= steps; s++) {
      other.trainStep();
      if (s % 16 === 0 || s === steps) {
        await other.flush();
        progress(s);
      }
    }
    await other.flush();
    return { model: other.model, evaluation: await other.evaluate() };
  } finally {
    other.dispose();
  }
}
