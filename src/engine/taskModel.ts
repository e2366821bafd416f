// TaskModel: a sequence task (issue 9) on the same engine as the character LM — many-to-one classification
// (the loss at each sequence's last step), per-character tagging (a loss at every step), and the
// encoder–decoder kinds, seq2seq and generate (engine/seq2seqTask.ts lays out their windows). Each batch holds
// B whole examples, right-padded to the longest input (T), every sequence starting from h0/c0 or zeros; the
// head predicts the task's classes (ModelConfig.outputSize), and unlabelled steps are NO_TARGET, so the loss
// is the mean over labelled positions. Evaluation runs forward-only on the GPU (or the labelled CPU
// reference): loss, accuracy, a confusion matrix (classify, tag) and example predictions; encoder–decoder
// outputs are decoded greedily, as a user would get them.
import { NO_TARGET, type TokenBatch, reverseOf } from '../core/batches';
import { decodeCheckpoint, encodeCheckpoint, textHash } from '../core/checkpoint';
import { type ModelConfig, type TrainConfig } from '../core/config';
import { Emitter } from '../core/emitter';
import { Rng, permutation } from '../core/rng';
import { type Example, MAX_TASK_LENGTH, type TaskKind, isEncoderDecoder, taskClasses } from '../core/tasks';
import { Vocab } from '../core/vocab';
import { CpuInference } from './cpuInference';
import { CpuTrainer } from './cpuTrainer';
import { Engine } from './engine';
import { chooseTiles } from './tuner';
import type { GpuInference } from './inference';
import { attend, probeExamples, probeStates } from './taskProbe';
import {
  type Decoded,
  Seq2SeqCodec,
  type StepDecoder,
  type WindowLogProbs,
  bucketBatches,
  windowDecoder,
} from './seq2seqTask';
import type { TaskEvaluation, TaskEvents, TaskSetup } from './taskTypes';
import { LabelScore } from './labelScore';

export type { Alignment, Prediction, ProbeStates, TaskEvaluation, TaskEvents, TaskSetup } from './taskTypes';

/** Input token after the end of a shorter sequence (never predicted from: its steps are unlabelled). */
export const PAD = '\u0000';

export class TaskModel {
  readonly events = new Emitter<TaskEvents>();
  readonly vocab: Vocab;
  readonly classes: string[];
  readonly model: ModelConfig;
  readonly trainer: Engine | CpuTrainer;
  readonly inference: GpuInference | CpuInference;
  /** The longest input: the window every batch is padded to. */
  readonly T: number;
  /** The examples as given (the split below is drawn from them with the seed). */
  readonly examples: readonly Example[];
  readonly trainSet: Example[];
  readonly valSet: Example[];
  /** Encoder–decoder kinds: the window layout, tokens and decoders. */
  readonly codec: Seq2SeqCodec | null;
  /** Encoder–decoder kinds: this epoch's batches (indices into trainSet, one source length each). */
  private batches: number[][] = [];
  private readonly classIndex: Map<string, number>;
  private readonly rng: Rng;
  private order: number[] = [];
  private cursor = 0;
  private epochs = 0;
  /** Steps taken before this trainer existed (a resume without optimiser state restarts its count). */
  private stepBase = 0;
  private readonly dataHash: string;
  readonly valFraction: number;
  private lastLoss?: number;

  private constructor(
    readonly kind: TaskKind,
    setup: TaskSetup,
    sources?: string[],
  ) {
    const { examples } = setup;
    this.examples = examples;
    const encDec = isEncoderDecoder(kind);
    const least = kind === 'generate' ? 2 : 4;
    if (examples.length < least)
      throw new Error(`Only ${examples.length} examples: a task needs at least ${least}.`);
    const longest = Math.max(...examples.map((e) => [...(kind === 'generate' ? 'x' : e.input)].length));
    if (longest > MAX_TASK_LENGTH)
      throw new Error(`The longest input has ${longest} characters; the limit is ${MAX_TASK_LENGTH}.`);
    this.classes = taskClasses(examples, setup.kind);
    this.codec = encDec ? new Seq2SeqCodec(kind, examples, this.classes, sources) : null;
    this.T = this.codec?.T ?? longest;
    if (this.classes.length < 2)
      throw new Error(
        `Every example has the same ${setup.kind === 'tag' ? 'tag' : 'label'}: there is nothing to learn.`,
      );
    this.classIndex = new Map(this.classes.map((c, i) => [c, i]));
    const chars = new Set<string>([PAD]);
    for (const e of examples) for (const c of e.input) chars.add(c);
    this.vocab = Vocab.fromText([...chars].join(''));
    // The validation examples are a fixed, seeded sample: the same split for the same data and seed.
    this.rng = new Rng(setup.train.seed);
    const shuffled = permutation(examples.length, new Rng(setup.train.seed + 1)).map((i) => examples[i]!);
    const frac = setup.valFraction ?? 0.1;
    this.valFraction = frac;
    this.dataHash = examplesHash(examples);
    const nVal = Math.min(examples.length - 2, Math.max(2, Math.round(examples.length * frac)));
    // One to many has nothing unseen to generalise to (an unseen label has an untrained embedding): it is
    // evaluated on the labels it trains on.
    this.valSet = kind === 'generate' ? shuffled : shuffled.slice(0, nVal);
    this.trainSet = kind === 'generate' ? shuffled : shuffled.slice(nVal);
    this.model = this.codec
      ? {
          ...setup.model,
          learnedInit: false,
          vocabSize: this.classes.length,
          outputSize: this.classes.length,
          encoder: { vocabSize: this.codec.sources.length },
        }
      : { ...setup.model, vocabSize: this.vocab.size, outputSize: this.classes.length };
    const train: TrainConfig = { ...setup.train, seqLen: this.T, carryState: false };
    if (setup.device) {
      const engine = Engine.create(setup.device, this.model, train);
      this.trainer = engine;
      this.inference = engine.inference;
    } else {
      const cpu = new CpuTrainer(this.model, train);
      this.trainer = cpu;
      this.inference = new CpuInference(this.model, () => cpu.params);
    }
    this.trainer.events.on('metrics', (m) =>
      this.events.emit('metrics', { ...m, step: m.step + this.stepBase, epoch: this.epochs }),
    );
    this.trainer.events.on('diverged', (m) => this.events.emit('diverged', m));
    this.trainer.events.on('error', (e) => this.events.emit('error', e));
  }

  /** Checks the examples and builds the backend; throws an Error naming the problem. */
  static create(setup: TaskSetup): TaskModel {
    return new TaskModel(setup.kind, setup);
  }

  /** Rebuilds a task run from its model file and the same examples; training continues exactly. */
  static async resume(bytes: Uint8Array, examples: Example[], device: GPUDevice | null): Promise<TaskModel> {
    const ck = decodeCheckpoint(bytes);
    if (!ck.task) throw new Error('This model file is a character language model, not a task model.');
    if (examplesHash(examples) !== ck.data.corpusHash)
      throw new Error(
        `This model was trained on other examples (${ck.data.corpusChars} of them, fingerprint ${ck.data.corpusHash}); resume it with the same task data.`,
      );
    const { cell, embedSize, hiddenSize, layers, learnedInit, attention, bidirectional } = ck.model;
    if (device && ck.tiles) chooseTiles(device, cell, ck.train.batchSize, hiddenSize, ck.tiles);
    const m = new TaskModel(
      ck.task.kind,
      {
        kind: ck.task.kind,
        examples,
        model: {
          cell,
          embedSize,
          hiddenSize,
          layers,
          learnedInit,
          ...(attention ? { attention } : {}),
          ...(bidirectional ? { bidirectional } : {}),
        },
        train: ck.train,
        valFraction: ck.data.valFraction,
        device,
      },
      ck.task.sources,
    );
    if (m.savedVocab().join('') !== ck.vocab.join('') || m.classes.join('\n') !== ck.task.classes.join('\n'))
      throw new Error('The examples have other characters or classes than the model file.');
    await m.trainer.writeParams(ck.params);
    if (ck.optimizer) await m.trainer.writeOptimizerState(ck.optimizer, ck.step);
    else m.stepBase = ck.step;
    // Replay the epoch shuffles, so the next batch is the one the saved run would have drawn.
    for (let e = 0; e <= ck.data.epoch; e++) m.shuffle();
    m.epochs = ck.data.epoch;
    m.cursor = ck.data.window;
    if (ck.valLoss !== undefined) m.lastLoss = ck.valLoss;
    return m;
  }

  /** A model file of the run as of the steps taken so far (PyTorch names, the task's classes in metadata). */
  async save(optimizer = true): Promise<Uint8Array> {
    const position = { epoch: this.epochs, window: this.cursor };
    const stepBase = this.stepBase;
    const train = this.train;
    const lastLoss = this.lastLoss;
    const cap = await this.trainer.capture(optimizer);
    return encodeCheckpoint({
      model: this.model,
      train,
      vocab: this.savedVocab(),
      step: cap.step + stepBase,
      data: {
        ...position,
        valFraction: this.valFraction,
        corpusChars: this.trainSet.length + this.valSet.length,
        corpusHash: this.dataHash,
      },
      params: cap.params,
      ...(cap.optimizer ? { optimizer: cap.optimizer } : {}),
      ...(cap.tiles ? { tiles: cap.tiles } : {}),
      ...(lastLoss !== undefined ? { valLoss: lastLoss } : {}),
      task: {
        kind: this.kind,
        classes: this.classes,
        ...(this.codec ? { sources: this.codec.sources, decoderSteps: this.codec.D } : {}),
      },
    });
  }

  /** The checkpoint's `vocab`: the input alphabet with padding, or the decoder's tokens (encoder–decoder). */
  private savedVocab(): string[] {
    return this.codec ? this.classes : [...this.vocab.chars];
  }

  /** A new epoch order (seeded), and for encoder–decoder kinds its batches of one source length each. */
  private shuffle(): void {
    this.order = permutation(this.trainSet.length, this.rng);
    const codec = this.codec;
    if (codec)
      this.batches = bucketBatches(
        this.order,
        (i) => codec.sourceLength(this.trainSet[i]!.input),
        this.train.batchSize,
      );
  }

  get backend(): 'webgpu' | 'cpu' {
    return this.trainer.kind === 'gpu' ? 'webgpu' : 'cpu';
  }

  get step(): number {
    return this.trainer.stepCount + this.stepBase;
  }

  get epoch(): number {
    return this.epochs;
  }

  get train(): TrainConfig {
    return this.trainer.train;
  }

  /** Up to B inputs as (T, B) tokens, t-major, right-padded; missing rows are all padding. */
  encodeInputs(inputs: readonly string[], B = this.train.batchSize): Uint32Array {
    const pad = this.vocab.encode(PAD)[0]!;
    const out = new Uint32Array(this.T * B).fill(pad);
    inputs.forEach((input, b) => this.vocab.encode(input).forEach((id, t) => (out[t * B + b] = id)));
    return out;
  }

  /** B examples as one padded batch with targets at the labelled steps only. */
  encode(batch: readonly Example[], B = this.train.batchSize): TokenBatch {
    if (this.codec) return this.codec.encode(batch, B);
    const inputs = this.encodeInputs(
      batch.map((e) => e.input),
      B,
    );
    const targets = new Uint32Array(this.T * B).fill(NO_TARGET);
    let count = 0;
    batch.forEach((e, b) => {
      const len = [...e.input].length;
      if (this.kind === 'classify') {
        targets[(len - 1) * B + b] = this.classOf(e.target);
        count++;
      } else {
        [...e.target].forEach((c, t) => (targets[t * B + b] = this.classOf(c)));
        count += len;
      }
    });
    return {
      inputs,
      targets,
      count: Math.max(1, count),
      startsEpoch: true,
      ...this.reverseFor(batch, inputs, B),
    };
  }

  private classOf(label: string): number {
    const k = this.classIndex.get(label);
    if (k === undefined) throw new Error(`"${label}" is not one of the task's classes`);
    return k;
  }

  /**
   * The next B training examples, reshuffled every epoch (seeded); for encoder–decoder kinds the next batch of
   * the epoch's length buckets (up to B examples of one source length).
   */
  private nextExamples(): Example[] {
    const size = () => (this.codec ? this.batches.length : this.order.length);
    const out: Example[] = [];
    while (out.length < this.train.batchSize) {
      if (this.cursor >= size()) {
        if (this.order.length) this.epochs++;
        this.shuffle();
        this.cursor = 0;
      }
      if (this.codec) return this.batches[this.cursor++]!.map((i) => this.trainSet[i]!);
      out.push(this.trainSet[this.order[this.cursor++]!]!);
    }
    return out;
  }

  /** Submits one training step. */
  trainStep(): void {
    this.trainer.step(this.encode(this.nextExamples()));
  }

  flush(): Promise<void> {
    return this.trainer.flush();
  }

  /** An evaluation is a chain of round trips (batches, decoded tokens): training waits for it (runner.ts). */
  readonly validationHoldsTraining = true;

  private evaluating: Promise<TaskEvaluation> | null = null;

  /**
   * Evaluates the validation examples (or joins the pass in progress) and emits `evaluation`. Like the LM's
   * validation it runs on a snapshot of the parameters, so training steps submitted meanwhile do not leak in.
   */
  startValidation(): Promise<TaskEvaluation> {
    this.evaluating ??= this.evaluate(12, true).then(
      (e) => {
        this.evaluating = null;
        this.lastLoss = e.loss;
        this.events.emit('evaluation', e);
        return e;
      },
      (err: unknown) => {
        this.evaluating = null;
        throw err;
      },
    );
    return this.evaluating;
  }

  validate(): Promise<TaskEvaluation> {
    return this.startValidation();
  }

  /** Learning rate, optimiser, clipping and batch size change between steps; the window stays the longest input. */
  setConfig(patch: Partial<TrainConfig>): void {
    const rest = { ...patch };
    delete rest.seqLen;
    delete rest.carryState;
    const resize = rest.batchSize !== undefined && rest.batchSize !== this.train.batchSize;
    this.trainer.setConfig(rest);
    // This epoch's length buckets were cut for the old batch size: cut them again, keeping the position.
    const codec = this.codec;
    if (resize && codec && this.order.length) {
      const done = new Set(this.batches.slice(0, this.cursor).flat());
      const left = this.order.filter((i) => !done.has(i));
      this.batches = bucketBatches(
        left,
        (i) => codec.sourceLength(this.trainSet[i]!.input),
        this.train.batchSize,
      );
      this.cursor = 0;
    }
  }

  /** Encoder–decoder kinds: greedy decoding of each input, with the model as it is now or on `frozen` ones. */
  async decode(inputs: readonly string[], frozen = this.inference): Promise<Decoded[]> {
    if (!this.codec) throw new Error(`A ${this.kind} model does not decode outputs.`);
    return this.codec.decode(inputs, this.train.batchSize, this.decoderOf(frozen));
  }

  /** Encoder–decoder kinds: the greedy output of `input`, or the best outputs of a beam of `beam`. */
  async candidates(input: string, beam = 1): Promise<Decoded[]> {
    const codec = this.codec;
    if (!codec) throw new Error(`A ${this.kind} model does not decode outputs.`);
    if (beam <= 1) return this.decode([input]);
    return codec.beam(input, beam, this.train.batchSize, this.decoderOf(this.inference));
  }

  private logProbsOf(frozen: GpuInference | CpuInference): WindowLogProbs {
    return (tokens, split) => frozen.batchLogProbs(tokens, this.T, this.train.batchSize, split);
  }

  /** One token per step from carried states, or (attention on the CPU) the window re-run with the tokens so far. */
  decoderOf(frozen: GpuInference | CpuInference): StepDecoder {
    const B = this.train.batchSize;
    return (
      frozen.taskDecoder(B, this.T) ?? windowDecoder(this.logProbsOf(frozen), this.T, B, this.classes.length)
    );
  }

  /** Answers and class probabilities for `inputs` (characters the model never saw are refused). */
  async predict(inputs: readonly string[]): Promise<{ predicted: string; probs: number[][] }[]> {
    if (this.codec) return (await this.decode(inputs)).map((d) => ({ predicted: d.text, probs: [] }));
    const B = this.train.batchSize;
    const out: { predicted: string; probs: number[][] }[] = [];
    for (let a = 0; a < inputs.length; a += B) {
      const chunk = inputs.slice(a, a + B);
      for (const input of chunk) {
        const len = [...input].length;
        if (len === 0 || len > this.T)
          throw new Error(`Inputs must have 1 to ${this.T} characters (the longest training input).`);
        const unknown = [...input].find((c) => !this.vocab.knows(c) || c === PAD);
        if (unknown !== undefined)
          throw new Error(`The model has never seen the character ${JSON.stringify(unknown)}.`);
      }
      const logp = await this.forward(chunk);
      chunk.forEach((input, b) => out.push(this.answer(logp, input, b)));
    }
    return out;
  }

  /** Bidirectional models: what the reverse direction reads for these (padded) inputs. */
  private reverseFor(examples: readonly { input: string }[], inputs: Uint32Array, B: number) {
    if (!this.model.bidirectional) return {};
    const lengths = examples.map((e) => [...e.input].length);
    while (lengths.length < B) lengths.push(0);
    return { reverse: reverseOf(inputs, lengths, this.T, B, this.kind === 'tag') };
  }

  private forward(inputs: readonly string[]): Promise<Float64Array> {
    const B = this.train.batchSize;
    const tokens = this.encodeInputs(inputs);
    const rev = this.reverseFor(
      inputs.map((input) => ({ input })),
      tokens,
      B,
    );
    return this.inference.batchLogProbs(tokens, this.T, B, 0, rev.reverse);
  }

  /** The predicted label (classify) or tag string (tag) of row b, with the class probabilities per step. */
  private answer(logp: Float64Array, input: string, b: number): { predicted: string; probs: number[][] } {
    const O = this.classes.length;
    const B = this.train.batchSize;
    const len = [...input].length;
    const steps = this.kind === 'classify' ? [len - 1] : Array.from({ length: len }, (_, t) => t);
    const probs = steps.map((t) => Array.from(logp.subarray((t * B + b) * O, (t * B + b + 1) * O), Math.exp));
    const best = probs.map((p) => this.classes[p.indexOf(Math.max(...p))]!);
    return { predicted: best.join(''), probs };
  }

  /**
   * Loss, accuracy, confusion matrix (or, for attention models, the first example's alignment) and example
   * predictions over the validation examples; with `probe`, also the first example's hidden states (the
   * playground's evaluations ask for them, startValidation).
   */
  async evaluate(shown = 12, probe = false): Promise<TaskEvaluation> {
    const step = this.step;
    const first = this.valSet[0]!;
    if (this.codec) {
      const frozen = this.trainer.snapshot();
      const e = await this.codec.evaluate(
        this.valSet,
        this.train.batchSize,
        this.logProbsOf(frozen),
        this.decoderOf(frozen),
        shown,
      );
      // The first prediction is the first validation example's greedy answer: no second decode for it.
      const answer = e.predictions[0]?.predicted;
      const alignment = this.model.attention ? await attend(this, first.input, frozen, answer) : undefined;
      const states = probe ? await probeStates(this, this.probed(), frozen) : undefined;
      return {
        step,
        ...e,
        classes: this.classes,
        confusion: [],
        ...(states ? { states } : {}),
        ...(alignment ? { alignment } : {}),
      };
    }
    const B = this.train.batchSize;
    const score = new LabelScore(this.classes, (y) => this.classOf(y), this.kind === 'tag', shown);
    const frozen = this.trainer.snapshot();
    for (let a = 0; a < this.valSet.length; a += B) {
      const chunk = this.valSet.slice(a, a + B);
      const enc = this.encode(chunk, B);
      const logp = await frozen.batchLogProbs(enc.inputs, this.T, B, 0, enc.reverse);
      score.add(chunk, (b) => this.answer(logp, chunk[b]!.input, b).predicted, logp, enc.targets);
    }
    return {
      step,
      ...score.result(),
      ...(probe ? { states: await probeStates(this, this.probed(), frozen) } : {}),
    };
  }

  /** The validation examples an evaluation probes from inside (the first, and a few like it). */
  private probed(): Example[] {
    const codec = this.codec;
    return probeExamples(this.valSet, this.train.batchSize, codec && ((x) => codec.sourceLength(x)));
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

/** The fingerprint of a task's examples: resuming on other data is refused. */
function examplesHash(examples: readonly Example[]): string {
  return textHash(examples.map((e) => `${e.input}\t${e.target}`).join('\n'));
}
