// CharLM: a character-level language model end to end — corpus and vocabulary, the training stream with its
// carried state, a backend (the GPU Engine, or the labelled CPU reference), validation passes interleaved
// with training one window per step, text generation (`text`), and checkpoints that resume exactly.
// The CLI drives it in Node; the playground's worker drives the same class in the browser.
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, textHash } from '../core/checkpoint';
import { type Corpus, DEFAULT_VAL_FRACTION, prepareCorpus } from '../core/corpus';
import { type ModelConfig, type TrainConfig } from '../core/config';
import { Emitter, type EventMap } from '../core/emitter';
import { StreamBatcher } from '../core/batches';
import { CpuInference } from './cpuInference';
import { CpuTrainer } from './cpuTrainer';
import { Engine } from './engine';
import type { Evaluation, GpuInference } from './inference';
import type { EvalResult } from './sampling';
import { TextModel } from './textModel';
import { chooseTiles } from './tuner';
import type { CarriedState, StepMetrics } from './types';

/** Model shape without the vocabulary size, which the corpus decides. */
export type ModelShape = Omit<ModelConfig, 'vocabSize'>;

export interface LmSetup {
  text: string;
  model: ModelShape;
  train: TrainConfig;
  valFraction?: number;
  /** Keep at most this many distinct characters, the rarest sharing U+FFFD (0 or absent: no cap). */
  maxVocab?: number;
  /** The GPU to train on; null selects the CPU reference backend (small models only). */
  device: GPUDevice | null;
}

export interface LmEvents extends EventMap {
  metrics: StepMetrics & { epoch: number };
  validation: { step: number; result: EvalResult };
  diverged: StepMetrics;
  error: string;
}

export class CharLM {
  readonly events = new Emitter<LmEvents>();
  readonly corpus: Corpus;
  readonly model: ModelConfig;
  readonly trainer: Engine | CpuTrainer;
  readonly inference: GpuInference | CpuInference;
  /** Text in, text out with the current parameters: sampling, beam search, probes. */
  readonly text: TextModel;
  private batcher: StreamBatcher;
  private evaluation: { ev: Evaluation; step: number; result: Promise<EvalResult> } | null = null;
  /** Steps taken before this trainer existed (a resume without optimiser state restarts its count). */
  private stepBase = 0;
  private readonly corpusHash: string;
  private lastVal?: number;
  private readonly maxVocab: number;

  private constructor(
    setup: LmSetup,
    readonly valFraction: number,
  ) {
    this.maxVocab = setup.maxVocab ?? 0;
    this.corpus = prepareCorpus(setup.text, valFraction, this.maxVocab);
    this.corpusHash = textHash(setup.text);
    this.model = { ...setup.model, vocabSize: this.corpus.vocab.size };
    // Data problems first: a text too short for the window says so before any allocation.
    this.batcher = new StreamBatcher(this.corpus.train, setup.train.batchSize, setup.train.seqLen);
    if (setup.device) {
      const engine = Engine.create(setup.device, this.model, setup.train);
      this.trainer = engine;
      this.inference = engine.inference;
    } else {
      const cpu = new CpuTrainer(this.model, setup.train);
      this.trainer = cpu;
      this.inference = new CpuInference(this.model, () => cpu.params);
    }
    this.text = new TextModel(this.corpus.vocab, this.model, this.inference);
    this.trainer.events.on('metrics', (m) =>
      this.events.emit('metrics', { ...m, step: m.step + this.stepBase, epoch: this.batcher.epoch }),
    );
    this.trainer.events.on('diverged', (m) => this.events.emit('diverged', m));
    this.trainer.events.on('error', (e) => this.events.emit('error', e));
  }

  /** Prepares the corpus and the backend; throws an Error naming every problem with the text or config. */
  static create(setup: LmSetup): CharLM {
    return new CharLM(setup, setup.valFraction ?? DEFAULT_VAL_FRACTION);
  }

  /** Rebuilds a run from a checkpoint and the same corpus; training continues exactly where it stopped. */
  static async resume(bytes: Uint8Array, text: string, device: GPUDevice | null): Promise<CharLM> {
    const ck = decodeCheckpoint(bytes);
    if (ck.task)
      throw new Error(`This model file is a ${ck.task.kind} task model, not a character language model.`);
    if (textHash(text) !== ck.data.corpusHash)
      throw new Error(
        `This checkpoint was trained on a different text (${ck.data.corpusChars} characters, fingerprint ${ck.data.corpusHash}); resume it with the same corpus.`,
      );
    const { cell, embedSize, hiddenSize, layers, learnedInit } = ck.model;
    const model = { cell, embedSize, hiddenSize, layers, learnedInit };
    const maxVocab = ck.data.maxVocab ?? 0;
    if (device && ck.tiles) chooseTiles(device, cell, ck.train.batchSize, hiddenSize, ck.tiles);
    const lm = new CharLM({ text, model, train: ck.train, device, maxVocab }, ck.data.valFraction);
    if (lm.corpus.vocab.chars.join('') !== ck.vocab.join(''))
      throw new Error('The corpus vocabulary differs from the checkpoint’s.');
    await lm.load(ck);
    return lm;
  }

  private async load(ck: Checkpoint): Promise<void> {
    await this.trainer.writeParams(ck.params);
    if (ck.optimizer) await this.trainer.writeOptimizerState(ck.optimizer, ck.step);
    else this.stepBase = ck.step;
    if (ck.state && ck.state.h[0]?.length === this.train.batchSize * this.model.hiddenSize)
      this.trainer.writeState(ck.state);
    this.batcher.position = { epoch: ck.data.epoch, window: ck.data.window };
    if (ck.valLoss !== undefined) this.lastVal = ck.valLoss;
  }

  get backend(): 'webgpu' | 'cpu' {
    return this.trainer.kind === 'gpu' ? 'webgpu' : 'cpu';
  }

  get train(): TrainConfig {
    return this.trainer.train;
  }

  get step(): number {
    return this.trainer.stepCount + this.stepBase;
  }

  get epoch(): number {
    return this.batcher.epoch;
  }

  /** Submits one training step, and the next window of a validation pass in progress. */
  trainStep(): void {
    this.trainer.step(this.batcher.next());
    this.evaluation?.ev.step();
  }

  /**
   * Starts a validation pass over the whole validation split (or returns the one in progress); it advances
   * one window per training step, or all at once through validate().
   */
  startValidation(): Promise<EvalResult> {
    if (this.evaluation) return this.evaluation.result;
    const { seqLen: T, batchSize: B } = this.train;
    // A snapshot of the parameters: the pass measures this step's model while training goes on.
    const ev = this.trainer.snapshot().startEvaluation(this.corpus.val, T, B);
    const step = this.step;
    const result = ev.result.then((r) => {
      this.evaluation = null;
      this.lastVal = r.nats;
      this.events.emit('validation', { step, result: r });
      return r;
    });
    this.evaluation = { ev, step, result };
    if (ev.windows === 0) void result;
    return result;
  }

  /** Runs (or finishes) a validation pass now. */
  validate(): Promise<EvalResult> {
    const result = this.startValidation();
    while (this.evaluation?.ev.step());
    return result;
  }

  /** Changes hyperparameters between steps; a new T or B restarts the streams of the current epoch. */
  setConfig(patch: Partial<TrainConfig>): void {
    this.trainer.setConfig(patch);
    const { seqLen: T, batchSize: B } = this.train;
    if (T !== this.batcher.seqLen || B !== this.batcher.batchSize) {
      const epoch = this.batcher.epoch;
      this.batcher = new StreamBatcher(this.corpus.train, B, T);
      this.batcher.position = { epoch, window: 0 };
    }
  }

  flush(): Promise<void> {
    return this.trainer.flush();
  }

  /**
   * A checkpoint of the run as of the steps taken so far (steps submitted while it is being read do not leak
   * in); `optimizer` false leaves out the moments (a file a third the size).
   */
  async save(optimizer = true): Promise<Uint8Array> {
    const position = this.batcher.position;
    const stepBase = this.stepBase;
    const lastVal = this.lastVal;
    const train = this.train;
    const cap = await this.trainer.capture(optimizer);
    const ck: Checkpoint = {
      model: this.model,
      train,
      vocab: [...this.corpus.vocab.chars],
      step: cap.step + stepBase,
      data: {
        ...position,
        valFraction: this.valFraction,
        ...(this.maxVocab ? { maxVocab: this.maxVocab } : {}),
        corpusChars: this.corpus.chars,
        corpusHash: this.corpusHash,
      },
      params: cap.params,
      state: finiteState(cap.state),
      ...(lastVal !== undefined ? { valLoss: lastVal } : {}),
      ...(cap.optimizer ? { optimizer: cap.optimizer } : {}),
      ...(cap.tiles ? { tiles: cap.tiles } : {}),
    };
    return encodeCheckpoint(ck);
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

/** A carried state with an overflow in it is saved as "start afresh": no NaN ever reaches a checkpoint. */
function finiteState(s: CarriedState): CarriedState {
  const ok = [...s.h, ...s.c].every((x) => x.every(Number.isFinite));
  return ok
    ? s
    : {
        fresh: true,
        h: s.h.map((x) => new Float32Array(x.length)),
        c: s.c.map((x) => new Float32Array(x.length)),
      };
}
