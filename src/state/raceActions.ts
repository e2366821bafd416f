// Race mode: the same corpus, seed, sizes and step budget for two or three cell types, trained side by side
// in the worker; curves overlaid (state/live.ts race lanes) and samples next to each other.
import type { CellType } from '../core/config';
import type { FromWorker } from '../worker/protocol';
import { live } from './live';
import { useRunStore } from './runStore';
import { send } from './workerClient';

const set = useRunStore.setState;
const get = useRunStore.getState;
let raceId = 0;
const sampleIds = new Map<number, number>();
let nextSample = 1_000_000;

function patchLane(lane: number, patch: Partial<ReturnType<typeof get>['race']['lanes'][number]>): void {
  set((s) => ({
    race: { ...s.race, lanes: s.race.lanes.map((l, i) => (i === lane ? { ...l, ...patch } : l)) },
  }));
}

export const raceActions = {
  setCells(cells: CellType[]): void {
    set((s) => ({ race: { ...s.race, cells } }));
  },

  setBudget(budget: number): void {
    set((s) => ({ race: { ...s.race, budget } }));
  },

  /** Builds one run per chosen cell from the current experiment and starts them once they are ready. */
  start(): void {
    const s = get();
    if (s.race.cells.length < 2) return;
    live.resetRace(s.race.cells.length);
    set({ race: { ...s.race, status: 'starting', lanes: [], error: null } });
    send({ type: 'pause' });
    send({
      type: 'raceSetup',
      run: ++raceId,
      cells: s.race.cells,
      budget: s.race.budget,
      setup: {
        text: s.corpus.text,
        model: s.model,
        train: s.train,
        valFraction: s.valFraction,
        maxVocab: s.maxVocab,
        valEvery: Math.max(10, Math.floor(s.race.budget / 5)),
        backend: s.backend,
      },
    });
  },

  pause(): void {
    send({ type: 'racePause' });
  },

  resume(): void {
    send({ type: 'racePlay' });
  },

  /** One sample per lane with the sampling panel's settings, shown side by side. */
  sampleAll(): void {
    const { sampling, race } = get();
    const { prime, length, temperature, topK, topP, seed } = sampling.settings;
    race.lanes.forEach((_, lane) => {
      const id = nextSample++;
      sampleIds.set(id, lane);
      patchLane(lane, { sample: '' });
      send({ type: 'sample', id, lane, request: { prime, length, temperature, topK, topP, beam: 0, seed } });
    });
  },
};

/** Folds race events into the store and live ring; false when the message is not a race event. */
export function handleRaceEvent(msg: FromWorker): boolean {
  if ('run' in msg && msg.type.startsWith('race') && msg.run !== raceId) return true;
  switch (msg.type) {
    case 'raceReady':
      set((s) => ({
        race: {
          ...s.race,
          status: 'ready',
          lanes: msg.lanes.map((info) => ({ info, state: 'paused', speed: null, sample: '' })),
        },
      }));
      send({ type: 'racePlay' });
      return true;
    case 'raceSteps':
      live.pushRace(msg.lane, msg.points);
      return true;
    case 'raceValidation':
      live.pushRace(msg.lane, null, { step: msg.step, nats: msg.nats, bits: msg.bits });
      return true;
    case 'raceState':
      patchLane(msg.lane, { state: msg.state, ...(msg.speed ? { speed: msg.speed } : {}) });
      return true;
    case 'raceError':
      set((s) => ({ race: { ...s.race, status: 'error', error: msg.message } }));
      return true;
    case 'sampleChunk':
    case 'sampleDone':
    case 'sampleError': {
      const lane = sampleIds.get(msg.id);
      if (lane === undefined) return false;
      if (msg.type === 'sampleChunk') patchLane(lane, { sample: get().race.lanes[lane]!.sample + msg.text });
      else {
        sampleIds.delete(msg.id);
        if (msg.type === 'sampleError') patchLane(lane, { sample: `(${msg.message})` });
        else patchLane(lane, { sample: msg.text });
      }
      return true;
    }
    default:
      return false;
  }
}
