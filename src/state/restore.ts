// The next visit: a shared link's experiment, then what the last visit left (experiment, corpus, model and
// its chart history), with the choice to continue that model or start a new one.
import { syntheticTask } from '../core/synthetic';
import { GENERATED_TASKS } from '../core/tasks';
import { persist } from './persist';
import { live } from './live';
import { PRESET_CHARS, useRunStore } from './runStore';
import { runActions, syncHash, updateStats } from './runActions';
import { decodeHash } from './urlHash';
import { send } from './workerClient';

const set = useRunStore.setState;
const get = useRunStore.getState;

/** Applies a shared link's experiment (model, training config, preset corpus) before anything runs. */
export function applyHash(hash: string): void {
  if (!hash || hash === '#') return;
  const s = get();
  const preset = s.corpus.source.kind === 'preset' ? s.corpus.source.id : undefined;
  const e = decodeHash(hash, { model: s.model, train: s.train, ...(preset ? { preset } : {}) });
  set({
    model: e.model,
    train: e.train,
    task: e.task ? { ...s.task, ...e.task } : { ...s.task, kind: 'lm' },
  });
  if (e.preset && e.preset !== preset) runActions.usePreset(e.preset);
  else if (e.preset)
    set({
      corpus: {
        text: syntheticTask(e.preset).generate(e.train.seed, PRESET_CHARS),
        source: { kind: 'preset', id: e.preset },
        stats: null,
      },
    });
}

/**
 * Restores the last visit: the experiment (unless the link states one), the corpus, and the saved model,
 * which is loaded back into the worker. Resolves when the restored state is in the store.
 */
export async function restoreSession(hash: string): Promise<void> {
  const exp = persist.loadExperiment();
  if (exp && (!hash || hash === '#')) {
    set((s) => ({
      ...(exp.model ? { model: exp.model } : {}),
      ...(exp.train ? { train: { ...s.train, ...exp.train } } : {}),
      ...(exp.valEvery ? { valEvery: exp.valEvery } : {}),
      ...(typeof exp.maxVocab === 'number' ? { maxVocab: exp.maxVocab } : {}),
      ...(exp.task ? { task: { ...s.task, ...exp.task } } : {}),
      ...(exp.sampling
        ? { sampling: { ...s.sampling, settings: { ...s.sampling.settings, ...exp.sampling } } }
        : {}),
    }));
  }
  applyHash(hash);
  // Own task examples are not put in links; they come back from storage.
  const t = get().task;
  if (t.kind !== 'lm' && !t.generated && exp?.task?.text && !t.text)
    set({ task: { ...t, text: exp.task.text } });
  // A link to someone's own examples opened where there are none: the kind's first generated task, not an
  // empty box and an error.
  const now = get().task;
  if (now.kind !== 'lm' && !now.generated && !now.text.trim())
    set({ task: { ...now, generated: GENERATED_TASKS.find((g) => g.kind === now.kind)!.id } });
  const linkedPreset = new URLSearchParams(hash.replace(/^#/, '')).has('corpus');
  const corpus = linkedPreset ? undefined : await persist.loadCorpus().catch(() => undefined);
  if (corpus && typeof corpus.text === 'string')
    set((s) => ({ corpus: { ...s.corpus, ...corpus, stats: null } }));
  updateStats();
  syncHash();
  // The saved model comes back only into an experiment of its kind (a language model, or the same task kind).
  const saved = linkedPreset ? undefined : await persist.loadModel().catch(() => undefined);
  const model = saved && (saved.task ?? 'lm') === get().task.kind ? saved : undefined;
  if (model && (corpus || get().task.kind !== 'lm')) {
    runActions.load(
      model.bytes,
      'the model saved on your last visit',
      model.history ? { data: model.history, step: model.step } : undefined,
    );
    set((s) => ({ run: { ...s.run, restored: { step: model.step, savedAt: model.savedAt } } }));
  }
}

export const restoreActions = {
  /** Keeps the restored model (the banner goes away). */
  keep(): void {
    set((s) => ({ run: { ...s.run, restored: undefined } }));
  },
  /** Forgets the restored model and its history; the corpus and settings stay, and Train builds a new model. */
  startFresh(): void {
    send({ type: 'pause' });
    live.reset();
    void persist.forgetModel().catch(() => undefined);
    set((s) => ({
      run: {
        ...s.run,
        status: 'none',
        info: null,
        state: 'idle',
        restored: undefined,
        speed: null,
        notice: null,
      },
      sampling: { ...s.sampling, history: [], current: '' },
    }));
  },
};
