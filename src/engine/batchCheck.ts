// What Engine.step refuses before it writes anything: a batch of the wrong size, tokens outside a stack's
// vocabulary, targets outside the head's classes, a labelled count out of range, a bidirectional batch
// without its reversed inputs.
import { NO_TARGET } from '../core/batches';
import { type ModelConfig, outputsOf } from '../core/config';
import { type ParamLayout, segmentsOf } from '../core/params';
import type { Plan } from './plan';
import type { TokenBatch } from './types';

/**
 * Throws an Error naming the first problem; returns the number of labelled positions the loss averages, and
 * the reversed inputs a bidirectional plan needs (present whenever the plan has a reverse direction).
 */
export function checkBatch(
  model: ModelConfig,
  layout: ParamLayout,
  p: Plan,
  batch: TokenBatch,
): { count: number; reverse: TokenBatch['reverse'] } {
  const N = p.T * p.B;
  if (batch.inputs.length !== N || batch.targets.length !== N) {
    throw new Error(
      `Engine.step: expected ${N} inputs and targets (T ${p.T} × B ${p.B}), got ${batch.inputs.length} and ${batch.targets.length}`,
    );
  }
  const O = outputsOf(model);
  // Each stack's steps index its own embedding (an encoder's source tokens, then the decoder's).
  for (const sg of segmentsOf(model, layout, p.T, batch.split ?? 0))
    for (let i = sg.start * p.B; i < sg.end * p.B; i++)
      if (batch.inputs[i]! >= sg.vocabSize)
        throw new Error(`Engine.step: token ${batch.inputs[i]} outside the vocabulary of ${sg.vocabSize}`);
  for (const tok of batch.targets)
    if (tok >= O && tok !== NO_TARGET) throw new Error(`Engine.step: target ${tok} outside the ${O} classes`);
  const count = batch.count ?? N;
  if (!(Number.isInteger(count) && count >= 1 && count <= N))
    throw new Error(`Engine.step: count ${count} must be from 1 to ${N}`);
  const r = batch.reverse;
  if (p.reverse && (!r || r.inputs.length !== N || r.map.length !== N))
    throw new Error(`Engine.step: a bidirectional model needs the reversed inputs and row map (${N} each)`);
  return { count, reverse: r };
}
