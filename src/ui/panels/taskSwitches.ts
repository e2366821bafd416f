// How the playground names a task's model switch (core/tasks.ts taskSwitch) on the model panel and in Compare.
import type { TaskSwitch } from '../../core/tasks';

export const TASK_SWITCHES: Record<TaskSwitch, { label: string; title: string; on: string; off: string }> = {
  attention: {
    label: 'attention',
    title:
      'Additive attention: before each output character the decoder weighs every encoder state (one layer each side)',
    on: 'with attention',
    off: 'without attention',
  },
  bidirectional: {
    label: 'bidirectional',
    title: 'A second layer reads each line backwards; the head sees both directions (one layer each)',
    on: 'bidirectional',
    off: 'forward only',
  },
};
