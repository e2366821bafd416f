import { describe, expect, it } from 'vitest';
import { type Checkpoint, CheckpointError, decodeCheckpoint, encodeCheckpoint, textHash } from './checkpoint';
import { DEFAULT_TRAIN, type ModelConfig } from './config';
import { initParams, paramLayout } from './params';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const model: ModelConfig = {
  cell: 'lstm',
  vocabSize: 5,
  embedSize: 3,
  hiddenSize: 4,
  layers: 2,
  learnedInit: true,
};

function checkpoint(): Checkpoint {
  const layout = paramLayout(model);
  const params = initParams(model, layout, 9);
  const m = initParams(model, layout, 10);
  const v = initParams(model, layout, 11).map(Math.abs);
  const h = [Float32Array.from({ length: 8 }, (_, i) => i / 8), new Float32Array(8).fill(-0.5)];
  return {
    model,
    train: { ...DEFAULT_TRAIN, batchSize: 2 },
    vocab: ['\n', ' ', 'a', '中', '😀'],
    step: 123,
    data: { epoch: 2, window: 7, valFraction: 0.1, corpusChars: 1000, corpusHash: textHash('x') },
    params,
    optimizer: { m, v },
    state: { fresh: false, h, c: h.map((x) => x.map((y) => y * 2)) },
    valLoss: 1.25,
  };
}

describe('checkpoints', () => {
  it('keep the recurrent tiles a GPU run trained with, and drop tiles no kernel can run', () => {
    const tiles = { forward: { tj: 4, tb: 2, tk: 32, sk: 8 }, backward: { tj: 16, tb: 2, tk: 32, sk: 8 } };
    expect(decodeCheckpoint(encodeCheckpoint({ ...checkpoint(), tiles })).tiles).toEqual(tiles);
    // A run whose tuner chose the layer wavefront resumes with it (same summation order).
    const wave = { ...tiles, wave: true };
    expect(decodeCheckpoint(encodeCheckpoint({ ...checkpoint(), tiles: wave })).tiles).toEqual(wave);
    const file = decodeSafetensors(encodeCheckpoint({ ...checkpoint(), tiles }));
    const loopWave = JSON.stringify({ ...tiles, forward: { ...tiles.forward, loop: true }, wave: true });
    for (const bad of ['{"forward":{"tj":512,"tb":8,"tk":32,"sk":1}}', 'not json', '{}', loopWave]) {
      const tensors = [...file.tensors].map(([name, t]) => ({ name, ...t }));
      const bytes = encodeSafetensors(tensors, { ...file.metadata, tiles: bad });
      expect(decodeCheckpoint(bytes).tiles).toBeUndefined();
    }
  });

  it('round-trips bitwise: parameters, optimiser state, carried state and metadata', () => {
    const ck = checkpoint();
    const bytes = encodeCheckpoint(ck);
    const back = decodeCheckpoint(bytes);
    expect(Buffer.from(back.params.buffer).equals(Buffer.from(ck.params.buffer))).toBe(true);
    expect(Buffer.from(back.optimizer!.v.buffer).equals(Buffer.from(ck.optimizer!.v.buffer))).toBe(true);
    expect(back.state).toEqual(ck.state);
    expect({ ...back, params: 0, optimizer: 0, state: 0 }).toEqual({
      ...ck,
      params: 0,
      optimizer: 0,
      state: 0,
    });
    expect(Buffer.from(encodeCheckpoint(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('uses PyTorch state_dict names and shapes for the parameters', () => {
    const names = [...decodeSafetensors(encodeCheckpoint(checkpoint())).tensors.entries()]
      .filter(([n]) => !n.startsWith('optimizer.') && !n.startsWith('state.'))
      .map(([n, t]) => `${n} ${t.shape.join('×')}`);
    expect(names).toEqual([
      'embedding.weight 5×3',
      'rnn.weight_ih_l0 16×3',
      'rnn.weight_hh_l0 16×4',
      'rnn.bias_ih_l0 16',
      'rnn.bias_hh_l0 16',
      'rnn.h0_l0 4',
      'rnn.c0_l0 4',
      'rnn.weight_ih_l1 16×4',
      'rnn.weight_hh_l1 16×4',
      'rnn.bias_ih_l1 16',
      'rnn.bias_hh_l1 16',
      'rnn.h0_l1 4',
      'rnn.c0_l1 4',
      'head.weight 5×4',
      'head.bias 5',
    ]);
  });

  it('refuses broken files with messages a user can act on', () => {
    const ck = checkpoint();
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"not": "a model"}'))).toThrow(CheckpointError);
    const bytes = encodeCheckpoint(ck);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 10))).toThrow(/not an Unroll model file/);
    const nan = { ...ck, params: ck.params.slice() };
    nan.params[paramLayout(model).layers[1]!.weightHh.offset + 2] = NaN;
    expect(() => decodeCheckpoint(encodeCheckpoint(nan))).toThrow(/rnn.weight_hh_l1.*NaN/);
    const foreign = encodeSafetensors([{ name: 'w', shape: [1], data: new Float32Array(1) }], {});
    expect(() => decodeCheckpoint(foreign)).toThrow(/format is not stated/);
    const file = decodeSafetensors(bytes);
    const meta = { ...file.metadata, model: JSON.stringify({ ...model, hiddenSize: 5 }) };
    const tensors = [...file.tensors].map(([name, t]) => ({ name, ...t }));
    expect(() => decodeCheckpoint(encodeSafetensors(tensors, meta))).toThrow(
      /shape \[16,3\].*needs \[20,3\]/,
    );
    expect(() => decodeCheckpoint(encodeSafetensors(tensors, { ...file.metadata, vocab: '["a"]' }))).toThrow(
      /vocabulary/,
    );
  });

  it('round-trips a task model (its classes) and refuses a classifier head without them', () => {
    const head = { ...model, outputSize: 3 };
    const layout = paramLayout(head);
    const base = { ...checkpoint(), model: head, params: initParams(head, layout, 5) };
    delete base.optimizer;
    delete base.state;
    const task = { kind: 'classify' as const, classes: ['no', 'maybe', 'yes'] };
    expect(decodeCheckpoint(encodeCheckpoint({ ...base, task })).task).toEqual(task);
    expect(() => decodeCheckpoint(encodeCheckpoint(base))).toThrow(/classifier head but no task metadata/);
    expect(() =>
      decodeCheckpoint(encodeCheckpoint({ ...base, task: { ...task, classes: ['a', 'b'] } })),
    ).toThrow(/task metadata does not match its 3 output classes/);
  });

  it("keeps an encoder–decoder's decoder steps, and drops a value that is no step count", () => {
    const encDec = { ...model, learnedInit: false, outputSize: model.vocabSize, encoder: { vocabSize: 2 } };
    const base = { ...checkpoint(), model: encDec, params: initParams(encDec, paramLayout(encDec), 5) };
    delete base.optimizer;
    delete base.state;
    const task = { kind: 'seq2seq' as const, classes: base.vocab, sources: ['x', 'y'], decoderSteps: 5 };
    expect(decodeCheckpoint(encodeCheckpoint({ ...base, task })).task).toEqual(task);
    const older = { kind: task.kind, classes: task.classes, sources: task.sources };
    expect(
      decodeCheckpoint(encodeCheckpoint({ ...base, task: { ...task, decoderSteps: 0.5 } })).task,
    ).toEqual(older);
  });
});
