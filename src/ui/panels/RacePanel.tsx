// Race mode: two or three cell types on the same corpus, seed, sizes and step budget, side by side — loss
// curves overlaid, speed and final validation per lane, and a sample from each next to the others.
import { useCallback } from 'react';
import { CELL_TYPES, type CellType } from '../../core/config';
import { live } from '../../state/live';
import { raceActions } from '../../state/raceActions';
import { useRunStore } from '../../state/runStore';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { PALETTE, finitePoints } from '../charts/series';
import { CELL_NOTES } from './cells';

const LANE_COLORS = [PALETTE.vermillion, PALETTE.blue, PALETTE.green, PALETTE.purple];

export function RacePanel() {
  const race = useRunStore((s) => s.race);
  const running = race.lanes.some((l) => l.state === 'training');
  const read = useCallback(
    (): Series[] =>
      live.race.flatMap((lane, i) => {
        const name = race.lanes[i] ? CELL_NOTES[race.lanes[i]!.info.model.cell].name : `lane ${i + 1}`;
        return [
          {
            name,
            color: LANE_COLORS[i]!,
            points: finitePoints(lane.steps.map((p) => [p.step, p.loss])),
          },
          {
            name: `${name} validation`,
            color: LANE_COLORS[i]!,
            points: finitePoints(lane.val.map((v) => [v.step, v.nats])),
            dots: true,
          },
        ];
      }),
    [race.lanes],
  );
  // The vanishing-gradient picture per cell: ‖∂L/∂h_t‖ across the last window of each lane (top layer).
  const readGrads = useCallback(
    (): Series[] =>
      live.race.flatMap((lane, i) => {
        const last = lane.steps[lane.steps.length - 1];
        const info = race.lanes[i]?.info;
        if (!last || !info) return [];
        const dh = last.dhNorms[last.dhNorms.length - 1]!;
        return [
          {
            name: `${CELL_NOTES[info.model.cell].name} (step ${last.step})`,
            color: LANE_COLORS[i]!,
            points: finitePoints(dh.map((v, t) => [t, v])),
          },
        ];
      }),
    [race.lanes],
  );
  const toggle = (c: CellType) =>
    raceActions.setCells(
      race.cells.includes(c) ? race.cells.filter((x) => x !== c) : [...race.cells, c].slice(-3),
    );
  return (
    <section className="card race" aria-labelledby="race-title" data-testid="race-panel">
      <div className="card-head">
        <h2 id="race-title">Race</h2>
        <span className="muted small">
          same corpus, seed, sizes and step budget — which cell learns fastest?
        </span>
      </div>
      <div className="row race-controls">
        {CELL_TYPES.map((c) => (
          <label key={c} className="switch inline">
            <input
              type="checkbox"
              checked={race.cells.includes(c)}
              onChange={() => toggle(c)}
              data-testid={`race-${c}`}
            />
            {CELL_NOTES[c].name}
          </label>
        ))}
        <label className="field inline">
          <span>steps</span>
          <input
            type="number"
            min={10}
            max={100000}
            step={50}
            value={race.budget}
            data-testid="race-budget"
            onChange={(e) => raceActions.setBudget(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
          />
        </label>
        <button
          type="button"
          className="primary"
          data-testid="race-start"
          disabled={race.cells.length < 2 || race.status === 'starting'}
          onClick={running ? raceActions.pause : raceActions.start}
        >
          {running ? 'Pause race' : race.status === 'ready' ? 'Restart race' : 'Start race'}
        </button>
        {race.status === 'ready' && !running && race.lanes.some((l) => (l.info.step ?? 0) >= 0) && (
          <button type="button" onClick={raceActions.sampleAll} data-testid="race-sample">
            Sample each
          </button>
        )}
      </div>
      {race.error && (
        <p className="error" role="alert">
          {race.error}
        </p>
      )}
      {race.status !== 'none' && (
        <>
          <div className="charts">
            <SeriesChart
              testId="race-chart"
              title="Loss by cell"
              yLabel="nats/char"
              read={read}
              height={190}
            />
            <SeriesChart
              testId="race-grads"
              title="Gradient through time by cell"
              yLabel="‖∂L/∂hₜ‖ (t = position)"
              read={readGrads}
              defaultLog
              height={190}
            />
          </div>
          <div className="lanes">
            {race.lanes.map((l, i) => (
              <div key={i} className="lane" data-testid="race-lane">
                <div className="lane-head">
                  <i style={{ background: LANE_COLORS[i] }} /> <b>{CELL_NOTES[l.info.model.cell].name}</b>
                  <span className="muted small">
                    {l.info.paramCount.toLocaleString('en-US')} params
                    {l.speed ? ` · ${Math.round(l.speed.charsPerSec).toLocaleString('en-US')} chars/s` : ''}
                    {l.state === 'training' ? ' · training' : ''}
                  </span>
                </div>
                <pre className="sample-out lane-sample">{l.sample || ' '}</pre>
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
