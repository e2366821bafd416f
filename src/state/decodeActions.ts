// Trying an encoder–decoder model on your own input (issue 9): greedy or beam decoding in the worker, the
// outputs best first with their log-probabilities, and the alignment of the greedy answer for attention models.
import { create } from 'zustand';
import type { Alignment, FromWorker } from '../worker/protocol';
import { send } from './workerClient';

export interface DecodeState {
  input: string;
  beam: number;
  running: boolean;
  result: { input: string; outputs: { text: string; logProb: number }[]; alignment?: Alignment } | null;
  error: string | null;
}

export const useDecodeStore = create<DecodeState>(() => ({
  input: '',
  beam: 1,
  running: false,
  result: null,
  error: null,
}));

let decodeId = 0;

export const decodeActions = {
  set(patch: Partial<Pick<DecodeState, 'input' | 'beam'>>): void {
    useDecodeStore.setState(patch);
  },

  run(): void {
    const { input, beam, running } = useDecodeStore.getState();
    if (running) return;
    if (!input) return void useDecodeStore.setState({ error: 'Type an input to decode.' });
    useDecodeStore.setState({ running: true, error: null });
    send({ type: 'decode', id: ++decodeId, input, beam });
  },
};

/** Folds decode answers into the store; false for other messages. */
export function handleDecodeEvent(msg: FromWorker): boolean {
  if (msg.type !== 'decoded') return false;
  if (msg.id !== decodeId) return true;
  useDecodeStore.setState(
    msg.error
      ? { running: false, error: msg.error }
      : {
          running: false,
          error: null,
          result: {
            input: msg.input,
            outputs: msg.outputs,
            ...(msg.alignment ? { alignment: msg.alignment } : {}),
          },
        },
  );
  return true;
}
