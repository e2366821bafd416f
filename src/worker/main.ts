// The dedicated Web Worker that owns the GPU device (DESIGN.md §1): the UI thread never touches WebGPU.
// It turns protocol messages into GpuSession and TrainingRunner calls, and their events into messages.
import { paramLayout } from '../core/params';
import { weightSnapshot } from './weights';
import { GpuSession } from '../engine/session';
import { CharLM } from '../engine/lm';
import { estimateMemory } from '../engine/memory';
import { type Trainable, TrainingRunner } from '../engine/runner';
import { TaskModel } from '../engine/taskModel';
import { ensureTuned, leftOutFor } from '../engine/tuner';
import { indexedDbTileStore } from './tileStore';
import { adapterName } from '../gpu/device';
import { compareRun } from './compare';
import { attend } from '../engine/taskProbe';
import { type TaskSource, examplesFor, taskValEvery } from '../core/tasks';
import { Recovery, type Run } from './recovery';
import type { Backend, FromWorker, RunInfo, RunSetup, SampleRequest, Speed, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(msg, transfer);

const session = new GpuSession(scope.navigator.gpu);
const tileStore = indexedDbTileStore();
session.events.on('ready', (adapter) => post({ type: 'ready', adapter }));
session.events.on('unavailable', (u) => post({ type: 'unavailable', reason: u.reason, message: u.message }));
session.events.on('lost', (l) => {
  // The run's buffers died with the device. Unless the loss was ours (dispose), the worker takes a new
  // device and rebuilds the run from its recovery point, in the message queue so nothing interleaves.
  const expected = l.expected && !simulatingLoss;
  simulatingLoss = false;
  const wasTraining = active()?.runState === 'training';
  const lostAt = active()?.lm.step ?? 0;
  detach();
  for (const r of race) r.dispose();
  if (race.length)
    post({ type: 'raceError', run: raceRun, message: 'The GPU device was lost: start the race again.' });
  race = [];
  const point = recovery.point;
  const recovering = !expected && point !== null && point.backend === 'webgpu';
  post({ type: 'deviceLost', message: l.message, expected, recovering });
  if (recovering) queue = queue.then(() => recover(l.message, wasTraining, lostAt));
});
session.events.on('gpuError', (message) => post({ type: 'gpuError', message }));
session.events.on('selfTestResult', (r) => post({ type: 'selfTestResult', ...r }));

let runner: TrainingRunner | null = null;
let taskRunner: TrainingRunner<TaskModel> | null = null;
let currentRun = 0;
let raceRun = 0;
/** Unsubscribes the current runner's listeners (a replaced or lost run must not post for the new one). */
let detachListeners: (() => void)[] = [];
let simulatingLoss = false;
const recovery = new Recovery();

function detach(): void {
  for (const off of detachListeners) off();
  detachListeners = [];
  runner?.dispose();
  runner = null;
  taskRunner?.dispose();
  taskRunner = null;
}

/** The run being trained: the character LM or a sequence task. */
const active = (): TrainingRunner<Trainable> | null => runner ?? taskRunner;

/** Sets up a sequence task (issue 9) from the examples its source names. */
function setupTask(setup: RunSetup, source: TaskSource, device: GPUDevice | null, run: number): void {
  const examples = examplesFor(source, setup.train.seed);
  const m = TaskModel.create({
    kind: source.kind,
    examples,
    model: setup.model,
    train: setup.train,
    valFraction: setup.valFraction,
    device,
  });
  attach(new TrainingRunner(m, taskValEvery(setup.valEvery)), setup.backend, run);
  recovery.fromSetup(run, setup);
}

/** The events every run posts (state, steps, speed, divergence, errors), tagged with its run id. */
function runnerListeners(r: TrainingRunner<Trainable>, run: number): (() => void)[] {
  return [
    // A pause makes the UI autosave the model, which the recovery point keeps (saveModel below).
    r.events.on('state', (state) => post({ type: 'runState', state, run })),
    r.events.on('steps', (points) => post({ type: 'steps', points, run })),
    r.events.on('speed', (speed) => post({ type: 'speed', speed, run })),
    r.events.on('diverged', (d) => post({ type: 'diverged', ...d, run })),
    r.events.on('error', (message) => post({ type: 'runError', message, run })),
  ];
}

/** Rebuilds the run on a new device from the recovery point; the UI is told what was restored. */
async function recover(message: string, wasTraining: boolean, lostAt: number): Promise<void> {
  const point = recovery.point;
  if (!point || !(await session.start()) || !session.device) return;
  try {
    const r = await recovery.rebuild(session.device);
    attach(r, point.backend, point.run);
    post({ type: 'recovered', run: point.run, step: r.lm.step, lostAt, message });
    if (wasTraining) r.play();
  } catch (e) {
    post({ type: 'runError', message: e instanceof Error ? e.message : String(e), run: point.run });
  }
}

async function deviceFor(backend: Backend): Promise<GPUDevice | null> {
  if (backend === 'cpu') return null;
  if (!session.device && !(await session.start())) throw new Error('No WebGPU device: use the CPU backend.');
  return session.device;
}

/** Tile candidates the tuner left out for this run's shape, their outputs being wrong on this GPU. */
function leftOutOf(lm: Run['lm']): string[] {
  const d = session.device;
  return d ? leftOutFor(d, lm.model.cell, lm.train.batchSize, lm.model.hiddenSize) : [];
}

function infoOf(r: Run, backend: Backend): RunInfo {
  const lm = r.lm;
  const info = {
    model: lm.model,
    train: lm.train,
    paramCount: paramLayout(lm.model).count,
    memoryBytes:
      lm.trainer.kind === 'gpu' ? lm.trainer.memoryBytes() : estimateMemory(lm.model, lm.train).bytes,
    backend,
    step: lm.step,
    ...(lm.trainer.kind === 'gpu' ? { tiles: lm.trainer.cellTiles, tilesLeftOut: leftOutOf(lm) } : {}),
  };
  if (lm instanceof CharLM)
    return {
      ...info,
      vocab: [...lm.corpus.vocab.chars],
      trainChars: lm.corpus.train.length,
      valChars: lm.corpus.val.length,
    };
  return {
    ...info,
    vocab: [...lm.vocab.chars],
    trainChars: lm.trainSet.length,
    valChars: lm.valSet.length,
    task: {
      kind: lm.kind,
      classes: lm.classes,
      trainExamples: lm.trainSet.length,
      valExamples: lm.valSet.length,
      T: lm.T,
    },
  };
}

let race: TrainingRunner[] = [];

async function setupRace(msg: Extract<ToWorker, { type: 'raceSetup' }>): Promise<void> {
  for (const r of race) r.dispose();
  race = [];
  const device = await deviceFor(msg.setup.backend);
  const run = msg.run;
  raceRun = run;
  race = msg.cells.map((cell, lane) => {
    const r = TrainingRunner.create(
      { ...msg.setup, model: { ...msg.setup.model, cell }, device },
      msg.setup.valEvery,
    );
    r.budget = msg.budget;
    let speed: Speed | undefined;
    r.events.on('speed', (sp) => (speed = sp));
    r.events.on('steps', (points) => post({ type: 'raceSteps', run, lane, points }));
    r.events.on('validation', ({ step, result }) =>
      post({ type: 'raceValidation', run, lane, step, nats: result.nats, bits: result.bits }),
    );
    r.events.on('state', (state) =>
      post({ type: 'raceState', run, lane, state, ...(speed ? { speed } : {}) }),
    );
    r.events.on('error', (message) => post({ type: 'raceError', run, message }));
    return r;
  });
  post({ type: 'raceReady', run, lanes: race.map((r) => infoOf(r, msg.setup.backend)) });
}

/** Makes `r` the current run and tells the UI (its events are tagged with `run`). */
function attach(r: Run, backend: Backend, run: number): void {
  detach();
  currentRun = run;
  const listeners = runnerListeners(r, run);
  const lm = r.lm;
  if (lm instanceof TaskModel) {
    taskRunner = r as TrainingRunner<TaskModel>;
    listeners.push(lm.events.on('evaluation', (evaluation) => post({ type: 'taskEval', evaluation, run })));
  } else {
    runner = r as TrainingRunner<CharLM>;
    listeners.push(
      r.events.on('validation', ({ step, result }) =>
        post({ type: 'validation', step, nats: result.nats, bits: result.bits, run }),
      ),
    );
  }
  detachListeners = listeners;
  post({ type: 'runReady', info: infoOf(r, backend), run });
  // A task's first evaluation gives the accuracy chart its starting point.
  if (lm instanceof TaskModel) void lm.startValidation();
}

async function sample(id: number, q: SampleRequest, lane?: number): Promise<void> {
  const source = lane === undefined ? runner : race[lane];
  if (!source) throw new Error('Set up a run first.');
  const t0 = performance.now();
  const text = source.lm.text;
  const step = source.lm.step;
  if (q.beam > 0) {
    const beams = await text.beam(q.prime, q.beam, q.length);
    const list = beams.map((b) => ({ text: b.text, logProb: b.logProb, score: b.score }));
    post({
      type: 'sampleDone',
      id,
      text: list[0]?.text ?? '',
      beams: list,
      ms: performance.now() - t0,
      step,
    });
    return;
  }
  const opts = { temperature: q.temperature, topK: q.topK, topP: q.topP };
  const out = await text.sample(q.prime, q.length, opts, q.seed, (chunk) =>
    post({ type: 'sampleChunk', id, text: chunk }),
  );
  post({ type: 'sampleDone', id, text: out, ms: performance.now() - t0, step });
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      if (msg.gpu) await session.start();
      else
        post({
          type: 'unavailable',
          reason: 'no-webgpu',
          message: 'This browser has no WebGPU.',
        });
      return;
    case 'selfTest': {
      if (!session.device) await session.start();
      const s = await session.selfTest();
      post({ type: 'selfTestDone', passed: s.passed, failed: s.failed, skipped: s.skipped, ms: s.ms });
      return;
    }
    case 'simulateDeviceLoss':
      // Destroying is what a driver reset looks like to the page; handled as an unexpected loss.
      simulatingLoss = true;
      session.device?.destroy();
      return;
    case 'setup': {
      const { setup } = msg;
      try {
        const device = await deviceFor(setup.backend);
        // The first run of a shape on a GPU times the recurrent tile candidates (well under a second); the
        // choice is kept per adapter across reloads.
        if (device)
          await ensureTuned(
            device,
            session.adapter?.isSoftware ?? true,
            setup.model.cell,
            setup.train.batchSize,
            setup.model.hiddenSize,
            setup.train.seqLen,
            {
              onStart: () => post({ type: 'runTuning', run: msg.run }),
              ...(tileStore && session.adapter
                ? { cache: { store: tileStore, adapter: adapterName(session.adapter) } }
                : {}),
            },
          );
        if (setup.task) setupTask(setup, setup.task, device, msg.run);
        else {
          attach(TrainingRunner.create({ ...setup, device }, setup.valEvery), setup.backend, msg.run);
          recovery.fromSetup(msg.run, setup);
        }
      } catch (e) {
        post({ type: 'runError', message: e instanceof Error ? e.message : String(e), run: msg.run });
      }
      return;
    }
    case 'inspect':
      try {
        if (!runner) throw new Error('Set up a run first.');
        const chars = runner.lm.corpus.vocab;
        const text = [...msg.text].filter((ch) => chars.knows(ch)).join('');
        if (!text) throw new Error('The probe text has no character the model knows.');
        const data = await runner.lm.text.inspect(text);
        const transfer = [
          data.logp.buffer,
          ...data.h.map((x) => x.buffer),
          ...data.c.map((x) => x.buffer),
          ...data.gates.map((x) => x.buffer),
        ];
        const weights =
          msg.weightsLayer === undefined ? undefined : await weightSnapshot(runner, msg.weightsLayer);
        if (weights) transfer.push(weights.wih.buffer, weights.whh.buffer);
        post(
          {
            type: 'inspection',
            id: msg.id,
            step: runner.lm.step,
            text,
            data,
            ...(weights ? { weights } : {}),
          },
          transfer as ArrayBuffer[],
        );
      } catch (e) {
        post({ type: 'inspectError', id: msg.id, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'weights':
      try {
        const r = active();
        if (!r) throw new Error('Set up a run first.');
        const weights = await weightSnapshot(r as Run, msg.layer);
        post({ type: 'weights', id: msg.id, step: r.lm.step, weights }, [
          weights.wih.buffer,
          weights.whh.buffer,
        ] as ArrayBuffer[]);
      } catch (e) {
        post({ type: 'weightsError', id: msg.id, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'raceSetup':
      try {
        await setupRace(msg);
      } catch (e) {
        post({ type: 'raceError', run: msg.run, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'racePlay':
      for (const r of race) r.play();
      return;
    case 'racePause':
      for (const r of race) r.pause();
      return;
    case 'play':
      active()?.play();
      return;
    case 'pause':
      active()?.pause();
      return;
    case 'step':
      await active()?.step();
      return;
    case 'setHyper': {
      const r = active();
      if (!r) return;
      try {
        r.setConfig(msg.patch);
        if (msg.valEvery) r.valEvery = msg.valEvery;
      } catch (e) {
        post({ type: 'runError', message: e instanceof Error ? e.message : String(e), run: currentRun });
      }
      return;
    }
    case 'compare': {
      const main = taskRunner;
      try {
        if (!main) throw new Error('Comparing needs a task run: press Train or Step first.');
        main.pause();
        const steps = Math.max(1, Math.min(msg.steps, 100_000));
        const device = main.lm.backend === 'webgpu' ? session.device : null;
        const done = await compareRun(main.lm, steps, device, (step) =>
          post({ type: 'compareProgress', id: msg.id, step, steps }),
        );
        post({ type: 'compareDone', id: msg.id, ...done });
      } catch (e) {
        post({ type: 'compareError', id: msg.id, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    case 'decode': {
      const m = taskRunner?.lm;
      try {
        if (!m?.codec)
          throw new Error('Decoding needs a seq2seq or generate run: press Train or Step first.');
        const outputs = await m.candidates(msg.input, msg.beam);
        // A beam of one is the greedy answer the alignment is drawn for: no second decode.
        const greedy = msg.beam <= 1 ? outputs[0]?.text : undefined;
        const alignment = m.model.attention ? await attend(m, msg.input, m.inference, greedy) : undefined;
        post({ type: 'decoded', id: msg.id, input: msg.input, outputs, ...(alignment ? { alignment } : {}) });
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        post({ type: 'decoded', id: msg.id, input: msg.input, outputs: [], error });
      }
      return;
    }
    case 'sample':
      try {
        await sample(msg.id, msg.request, msg.lane);
      } catch (e) {
        post({ type: 'sampleError', id: msg.id, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'saveModel': {
      const r = active();
      if (!r) throw new Error('Nothing to save yet: set up a run first.');
      const step = r.lm.step;
      const bytes = await r.lm.save(msg.optimizer);
      if (msg.optimizer) recovery.keep(currentRun, bytes, step);
      if (msg.blob) {
        post({ type: 'modelBlob', blob: new Blob([bytes as Uint8Array<ArrayBuffer>]), step });
        return;
      }
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const m = r.lm.model;
      const what = taskRunner ? `${taskRunner.lm.kind}-` : '';
      post(
        {
          type: 'modelFile',
          bytes: buf,
          name: `unroll-${what}${m.cell}-${m.layers}x${m.hiddenSize}-step${step}.safetensors`,
        },
        [buf],
      );
      return;
    }
    case 'loadModel':
      try {
        const current = active();
        current?.pause();
        await current?.idle();
        const device = await deviceFor(msg.backend);
        const bytes = new Uint8Array(msg.bytes);
        if (msg.task) {
          const task = { source: msg.task.source, seed: msg.task.seed };
          const m = await TaskModel.resume(bytes, examplesFor(task.source, task.seed), device);
          attach(new TrainingRunner(m, taskValEvery(msg.valEvery)), msg.backend, msg.run);
          recovery.fromModel(msg.run, bytes, m.step, msg.text, msg.valEvery, msg.backend, task);
          return;
        }
        const lm = await CharLM.resume(bytes, msg.text, device);
        attach(new TrainingRunner(lm, msg.valEvery), msg.backend, msg.run);
        recovery.fromModel(msg.run, bytes, lm.step, msg.text, msg.valEvery, msg.backend);
      } catch (e) {
        post({ type: 'runError', message: e instanceof Error ? e.message : String(e), run: msg.run });
      }
      return;
  }
}

// Messages are handled one at a time, in order, so a pause or sample never interleaves with setup.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  // Play/pause must act at once even while a long message (a sample) is being handled.
  if (msg.type === 'pause' || msg.type === 'play' || msg.type === 'racePause' || msg.type === 'racePlay') {
    void handle(msg);
    return;
  }
  queue = queue.then(() =>
    handle(msg).catch((err: unknown) =>
      post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
    ),
  );
};
