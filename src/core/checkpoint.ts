// Checkpoints as safetensors with PyTorch state_dict names (`embedding.weight`, `rnn.weight_ih_l0`, …,
// `head.weight`, `head.bias`), so `model.load_state_dict(safetensors.torch.load_file(f), strict=False)` reads
// them. Metadata carries what resuming needs: vocabulary, configs, step, data position, and optionally the
// optimiser moments (`optimizer.m.<name>`, `optimizer.v.<name>`) and the carried state (`state.h_l<k>`).
import {
  type CellType,
  type ModelConfig,
  type TrainConfig,
  DEFAULT_TRAIN,
  validateModel,
  validateTrain,
} from './config';
import { type CellTiles, tileProblem } from './tiles';
import { paramLayout } from './params';
import { TASK_KINDS, type TaskKind } from './tasks';
import { type NamedTensor, SafetensorsError, decodeSafetensors, encodeSafetensors } from './safetensors';

export const CHECKPOINT_FORMAT = 'unroll-checkpoint/1';

/** Where training stands in the corpus, so a resumed run reads the same next window. */
export interface DataPosition {
  epoch: number;
  /** Next window of the current epoch. */
  window: number;
  valFraction: number;
  /** Characters and FNV-1a hash of the corpus trained on: resuming on another text is refused. */
  corpusChars: number;
  corpusHash: string;
  /** Vocabulary cap (core/vocab.ts): the rarest characters share U+FFFD. Absent or 0: no cap. */
  maxVocab?: number;
}

export interface Checkpoint {
  model: ModelConfig;
  train: TrainConfig;
  /** Characters by token id. */
  vocab: string[];
  step: number;
  data: DataPosition;
  /** Flat parameters in core/params.ts layout. */
  params: Float32Array;
  optimizer?: { m: Float32Array; v: Float32Array };
  /** Hidden state carried into the next window, per layer (B, H). */
  state?: { fresh: boolean; h: Float32Array[]; c: Float32Array[] };
  /** Last validation loss, nats/char. */
  valLoss?: number;
  /**
   * A sequence-task model (issue 9): its kind and classes (by head row); `vocab` is then the input alphabet
   * with the padding token (classify, tag) or equals `classes`, the decoder's tokens (encoder–decoder kinds,
   * whose `sources` are the encoder's tokens: characters, or whole labels for generate). Absent for an LM.
   * `decoderSteps`: an encoder–decoder's most decoder steps (the longest output + END), where greedy and beam
   * decoding stop; files written before it existed lack it.
   */
  task?: { kind: TaskKind; classes: string[]; sources?: string[]; decoderSteps?: number };
  /**
   * The recurrent tile shapes the run trained with on a GPU (core/tiles.ts). A resume compiles the same ones
   * so training continues with the same summation order; unusable values are dropped (tiles only affect speed).
   */
  tiles?: CellTiles;
}

/** A file Unroll cannot load; the message says why in the user's terms. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** FNV-1a over UTF-16 units: a cheap fingerprint to notice a different corpus, not a security hash. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const layout = paramLayout(ck.model);
  const slice = (flat: Float32Array, off: number, size: number) => flat.slice(off, off + size);
  const tensors: NamedTensor[] = layout.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: slice(ck.params, t.offset, t.size),
  }));
  if (ck.optimizer) {
    for (const [k, flat] of [
      ['m', ck.optimizer.m],
      ['v', ck.optimizer.v],
    ] as const)
      for (const t of layout.tensors)
        tensors.push({
          name: `optimizer.${k}.${t.name}`,
          shape: t.shape,
          data: slice(flat, t.offset, t.size),
        });
  }
  if (ck.state) {
    const H = ck.model.hiddenSize;
    ck.state.h.forEach((h, l) => tensors.push({ name: `state.h_l${l}`, shape: [h.length / H, H], data: h }));
    ck.state.c.forEach((c, l) => tensors.push({ name: `state.c_l${l}`, shape: [c.length / H, H], data: c }));
  }
  const meta: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    model: JSON.stringify(ck.model),
    train: JSON.stringify(ck.train),
    vocab: JSON.stringify(ck.vocab),
    step: String(ck.step),
    data: JSON.stringify(ck.data),
  };
  if (ck.state) meta.state_fresh = String(ck.state.fresh);
  if (ck.valLoss !== undefined) meta.val_loss = String(ck.valLoss);
  if (ck.task) meta.task = JSON.stringify(ck.task);
  if (ck.tiles) meta.tiles = JSON.stringify(ck.tiles);
  return encodeSafetensors(tensors, meta);
}

function parseJson<T>(meta: Record<string, string>, key: string): T {
  const raw = meta[key];
  if (raw === undefined)
    throw new CheckpointError(
      `The model file has no "${key}" metadata; it was not saved by Unroll (or by its train.py).`,
    );
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new CheckpointError(`The model file's "${key}" metadata is damaged (not JSON).`);
  }
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError)
      throw new CheckpointError(`This is not an Unroll model file. ${e.message}`);
    throw e;
  }
  const { metadata: meta, tensors } = file;
  if (meta.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(
      `The model file's format is ${meta.format ? `"${meta.format}"` : 'not stated'}; Unroll reads "${CHECKPOINT_FORMAT}".`,
    );
  const model = parseJson<ModelConfig>(meta, 'model');
  const train = { ...DEFAULT_TRAIN, ...parseJson<Partial<TrainConfig>>(meta, 'train') };
  const vocab = parseJson<string[]>(meta, 'vocab');
  const data = parseJson<DataPosition>(meta, 'data');
  const problems = [...validateModel(model), ...validateTrain(train)];
  if (problems.length)
    throw new CheckpointError(`The model file's configuration is invalid: ${problems.join(' ')}`);
  if (!Array.isArray(vocab) || vocab.length !== model.vocabSize || !vocab.every((c) => typeof c === 'string'))
    throw new CheckpointError(
      `The model file's vocabulary does not have the ${model.vocabSize} characters its model needs.`,
    );
  const step = Number(meta.step);
  if (!Number.isInteger(step) || step < 0)
    throw new CheckpointError('The model file has no valid step count.');
  const layout = paramLayout(model);
  const read = (name: string, shape: number[], into: Float32Array, offset: number, what: string) => {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(`The model file lacks ${what} "${name}".`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new CheckpointError(`Tensor "${name}" has shape [${t.shape}], but this model needs [${shape}].`);
    for (const v of t.data)
      if (!Number.isFinite(v))
        throw new CheckpointError(
          `Tensor "${name}" contains NaN or infinite values: the model diverged before it was saved, or the file is damaged.`,
        );
    into.set(t.data, offset);
  };
  const params = new Float32Array(layout.totalSize);
  for (const t of layout.tensors) read(t.name, t.shape, params, t.offset, 'parameter');
  const ck: Checkpoint = { model, train, vocab, step, data, params };
  if (tensors.has(`optimizer.m.${layout.tensors[0]!.name}`)) {
    const m = new Float32Array(layout.totalSize);
    const v = new Float32Array(layout.totalSize);
    for (const t of layout.tensors) {
      read(`optimizer.m.${t.name}`, t.shape, m, t.offset, 'optimiser state');
      read(`optimizer.v.${t.name}`, t.shape, v, t.offset, 'optimiser state');
    }
    ck.optimizer = { m, v };
  }
  if (tensors.has('state.h_l0')) {
    const H = model.hiddenSize;
    const B = tensors.get('state.h_l0')!.shape[0]!;
    const h: Float32Array[] = [];
    const c: Float32Array[] = [];
    for (let l = 0; l < model.layers; l++) {
      h.push(new Float32Array(B * H));
      c.push(new Float32Array(B * H));
      read(`state.h_l${l}`, [B, H], h[l]!, 0, 'carried state');
      read(`state.c_l${l}`, [B, H], c[l]!, 0, 'carried state');
    }
    ck.state = { fresh: meta.state_fresh === 'true', h, c };
  }
  if (meta.val_loss !== undefined) ck.valLoss = Number(meta.val_loss);
  const tiles = savedTiles(meta.tiles, model.cell);
  if (tiles) ck.tiles = tiles;
  if (meta.task !== undefined) {
    const task = parseJson<{
      kind?: unknown;
      classes?: unknown;
      sources?: unknown;
      decoderSteps?: unknown;
    }>(meta, 'task');
    const { classes, sources, decoderSteps } = task;
    const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((c) => typeof c === 'string');
    if (
      !TASK_KINDS.includes(task.kind as TaskKind) ||
      !strings(classes) ||
      classes.length !== (model.outputSize ?? model.vocabSize)
    )
      throw new CheckpointError(
        `The model file's task metadata does not match its ${model.outputSize ?? '?'} output classes.`,
      );
    if (model.encoder && !(strings(sources) && sources.length === model.encoder.vocabSize))
      throw new CheckpointError(
        `The model file's task metadata does not list the ${model.encoder.vocabSize} input tokens its encoder needs.`,
      );
    const steps =
      model.encoder && Number.isInteger(decoderSteps) && (decoderSteps as number) >= 1
        ? { decoderSteps: decoderSteps as number }
        : {};
    ck.task = { kind: task.kind as TaskKind, classes, ...(strings(sources) ? { sources } : {}), ...steps };
  } else if (model.outputSize !== undefined && model.outputSize !== model.vocabSize)
    throw new CheckpointError('The model file has a classifier head but no task metadata.');
  return ck;
}

/** The tiles metadata when it names shapes this cell can run, else undefined. */
function savedTiles(raw: string | undefined, cell: CellType): CellTiles | undefined {
  if (raw === undefined) return undefined;
  try {
    const t = JSON.parse(raw) as CellTiles;
    return t && typeof t === 'object' && tileProblem(cell, t) === null ? t : undefined;
  } catch {
    return undefined;
  }
}
