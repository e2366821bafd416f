// What a task choice in the playground means for the worker: the model its run builds (the task's switch
// applied) and where its examples come from.
import { DEFAULT_TASK_EXAMPLES, type TaskSource, isEncoderDecoder, taskSwitch } from '../core/tasks';
import type { ModelShape } from '../worker/protocol';
import type { TaskChoice } from './runStore';

/**
 * The model a run of this task builds from the edited shape: attention only for encoder–decoder tasks and
 * bidirectional only for classify and tag (each switch is kept while another task is chosen), and no learned
 * h₀ with either (the encoder and both directions start from zeros, the decoder from the encoder).
 */
export function modelForTask(model: ModelShape, kind: TaskChoice['kind']): ModelShape {
  const rest = { ...model };
  delete rest.attention;
  delete rest.bidirectional;
  if (kind === 'lm') return rest;
  const sw = taskSwitch(kind);
  if (model[sw]) return { ...rest, learnedInit: false, [sw]: true };
  return isEncoderDecoder(kind) ? { ...rest, learnedInit: false } : rest;
}

/** The worker's description of a task choice (generated examples, or the user's lines). */
export function taskSource(t: TaskChoice): TaskSource {
  const kind = t.kind === 'lm' ? 'classify' : t.kind;
  return t.generated
    ? { kind, generated: t.generated, count: DEFAULT_TASK_EXAMPLES }
    : { kind, text: t.text };
}
