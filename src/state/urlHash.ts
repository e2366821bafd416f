// The experiment in the URL hash (DESIGN.md §5): model, training config, seed and — for the generated
// presets — the corpus by name, so a link reproduces a run. Pasted texts are not put in links.
import {
  CELL_TYPES,
  type CellType,
  OPTIMIZER_TYPES,
  type OptimizerType,
  type TrainConfig,
} from '../core/config';
import { SYNTHETIC_TASKS } from '../core/synthetic';
import { GENERATED_TASKS, TASK_KINDS, type TaskKind } from '../core/tasks';
import type { ModelShape } from '../worker/protocol';

export interface Experiment {
  model: ModelShape;
  train: TrainConfig;
  preset?: string;
  /** A sequence task and, when generated, its data by name (own examples are not put in links). */
  task?: { kind: TaskKind; generated: string };
}

export function encodeHash(e: Experiment): string {
  const m = e.model;
  const t = e.train;
  const q = new URLSearchParams({
    cell: m.cell,
    hidden: String(m.hiddenSize),
    embed: String(m.embedSize),
    layers: String(m.layers),
    h0: m.learnedInit ? '1' : '0',
    seq: String(t.seqLen),
    batch: String(t.batchSize),
    opt: t.optimizer,
    lr: String(t.learningRate),
    clip: String(t.clipNorm),
    carry: t.carryState ? '1' : '0',
    seed: String(t.seed),
  });
  if (m.attention) q.set('attention', '1');
  if (m.bidirectional) q.set('bi', '1');
  if (e.task) {
    q.set('task', e.task.kind);
    if (e.task.generated) q.set('data', e.task.generated);
  } else if (e.preset) q.set('corpus', e.preset);
  return `#${q.toString()}`;
}

/** Applies what the hash states over `base`; unknown or malformed values are ignored (never trusted). */
export function decodeHash(hash: string, base: Experiment): Experiment {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const int = (k: string, v: number, lo: number, hi: number) => {
    const n = Number(q.get(k));
    return q.has(k) && Number.isInteger(n) && n >= lo && n <= hi ? n : v;
  };
  const real = (k: string, v: number, lo: number, hi: number) => {
    const n = Number(q.get(k));
    return q.has(k) && Number.isFinite(n) && n >= lo && n <= hi ? n : v;
  };
  const cell = q.get('cell');
  const opt = q.get('opt');
  const preset = q.get('corpus');
  const model: ModelShape = {
    cell: CELL_TYPES.includes(cell as CellType) ? (cell as CellType) : base.model.cell,
    hiddenSize: int('hidden', base.model.hiddenSize, 1, 1024),
    embedSize: int('embed', base.model.embedSize, 1, 4096),
    layers: int('layers', base.model.layers, 1, 4),
    learnedInit: q.has('h0') ? q.get('h0') === '1' : base.model.learnedInit,
    ...((q.has('attention') ? q.get('attention') === '1' : base.model.attention) ? { attention: true } : {}),
    ...((q.has('bi') ? q.get('bi') === '1' : base.model.bidirectional) ? { bidirectional: true } : {}),
  };
  const train: TrainConfig = {
    ...base.train,
    seqLen: int('seq', base.train.seqLen, 1, 1024),
    batchSize: int('batch', base.train.batchSize, 1, 1024),
    optimizer: OPTIMIZER_TYPES.includes(opt as OptimizerType) ? (opt as OptimizerType) : base.train.optimizer,
    learningRate: real('lr', base.train.learningRate, 1e-7, 10),
    clipNorm: real('clip', base.train.clipNorm, 0, 1e6),
    carryState: q.has('carry') ? q.get('carry') === '1' : base.train.carryState,
    seed: int('seed', base.train.seed, 0, 2 ** 32 - 1),
  };
  const known = SYNTHETIC_TASKS.some((t) => t.id === preset);
  const kind = q.get('task');
  const data = q.get('data') ?? '';
  const task: Experiment['task'] = TASK_KINDS.includes(kind as TaskKind)
    ? {
        kind: kind as TaskKind,
        generated: GENERATED_TASKS.some((t) => t.id === data && t.kind === kind) ? data : '',
      }
    : q.has('task')
      ? undefined
      : base.task;
  return {
    model,
    train,
    ...(known ? { preset: preset! } : base.preset ? { preset: base.preset } : {}),
    ...(task ? { task } : {}),
  };
}
