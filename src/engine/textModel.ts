// TextModel: a trained model seen as text in, text out — encoding with its vocabulary (naming characters it
// has never seen), sampling and beam search over strings, per-position probabilities of a probe text.
// openModel() loads one from a checkpoint for the sample and export commands (no corpus needed).
import { decodeCheckpoint } from '../core/checkpoint';
import type { ModelConfig } from '../core/config';
import { UNKNOWN, Vocab } from '../core/vocab';
import { CpuInference } from './cpuInference';
import { Engine } from './engine';
import type { GpuInference, Inspection } from './inference';
import { type Beam, type SampleOptions, beamSearch } from './sampling';

export class TextModel {
  constructor(
    readonly vocab: Vocab,
    readonly model: ModelConfig,
    readonly inference: GpuInference | CpuInference,
    private readonly onDispose: () => void = () => undefined,
  ) {}

  /** Token ids of user text; throws naming the first character outside the vocabulary. */
  encode(text: string): Uint32Array {
    return this.vocab.encode(text);
  }

  /** `length` characters after `prime`; `onText` receives them as they are generated. */
  async sample(
    prime: string,
    length: number,
    o: SampleOptions,
    seed: number,
    onText?: (s: string) => void,
  ): Promise<string> {
    const v = this.vocab;
    const out = await this.inference.sample(this.encode(prime), length, o, seed, (t) =>
      onText?.(v.decode(t)),
    );
    return v.decode(out);
  }

  /** The `width` most likely continuations of `length` characters, best first. */
  async beam(prime: string, width: number, length: number): Promise<(Beam & { text: string })[]> {
    const dec = this.inference.decoder(width);
    try {
      const beams = await beamSearch(dec, this.encode(prime), width, length, this.model.vocabSize);
      return beams.map((b) => ({ ...b, text: this.vocab.decode(b.tokens) }));
    } finally {
      dec.dispose();
    }
  }

  /** Next-character probabilities (len, V) after each character of `text`. */
  probe(text: string): Promise<Float32Array> {
    return this.inference.probe(this.encode(text));
  }

  /** States, gates and predictions over `text` (see GpuInference.inspect). */
  inspect(text: string): Promise<Inspection> {
    return this.inference.inspect(this.encode(text));
  }

  dispose(): void {
    this.onDispose();
  }
}

/** Loads a checkpoint for inference on `device`, or on the CPU reference when null. */
export async function openModel(
  bytes: Uint8Array,
  device: GPUDevice | null,
): Promise<TextModel & { step: number }> {
  const ck = decodeCheckpoint(bytes);
  if (ck.task)
    throw new Error(`This model file is a ${ck.task.kind} task model: it predicts classes, not text.`);
  const vocab = new Vocab(ck.vocab, !!ck.data.maxVocab && ck.vocab.includes(UNKNOWN));
  let tm: TextModel;
  if (device) {
    const engine = Engine.create(device, ck.model, { ...ck.train, batchSize: 1, seqLen: 1 });
    await engine.writeParams(ck.params);
    tm = new TextModel(vocab, ck.model, engine.inference, () => engine.dispose());
  } else {
    tm = new TextModel(vocab, ck.model, new CpuInference(ck.model, () => ck.params));
  }
  return Object.assign(tm, { step: ck.step });
}
