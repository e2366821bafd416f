// The edited configuration's size, memory and problems (state/runActions.ts estimate), for the panel that
// shows them and the Train button that must not start a run they would refuse.
import { estimate } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';
import { useGpuStore } from '../../state/gpuStore';

export function useEstimate(): ReturnType<typeof estimate> {
  const task = useRunStore((s) => s.task.kind);
  const { model, train, run, corpus, backend } = useRunStore();
  const limits = useGpuStore((s) => s.adapter?.limits);
  const vocab = run.info?.vocab.length ?? corpus.stats?.vocab ?? 2;
  return estimate({ model, train, backend, task }, vocab, limits);
}
