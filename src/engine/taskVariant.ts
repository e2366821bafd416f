// The other side of a side-by-side task run (issue 9): the same task, examples, split and settings with the
// task's switch flipped — attention for an encoder–decoder, the reverse layer for classify and tag (one layer
// when switched on) — so the comparison isolates what that switch buys.
import { taskSwitch } from '../core/tasks';
import { TaskModel } from './taskModel';

export function variantOf(m: TaskModel, device: GPUDevice | null): TaskModel {
  const { cell, embedSize, hiddenSize, layers, learnedInit } = m.model;
  const sw = taskSwitch(m.kind);
  const on = !m.model[sw];
  const flip = on ? { [sw]: true } : {};
  return TaskModel.create({
    kind: m.kind,
    examples: [...m.examples],
    model: {
      cell,
      embedSize,
      hiddenSize,
      layers: on ? 1 : layers,
      learnedInit: on ? false : learnedInit,
      ...flip,
    },
    train: m.train,
    valFraction: m.valFraction,
    device,
  });
}
