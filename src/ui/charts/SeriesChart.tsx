// A d3 line chart of series against training step that redraws on requestAnimationFrame when the live ring
// has moved (DESIGN.md §3.5: per-step values never pass through React state). Hover shows every series at
// the nearest step; the toolbar exports PNG, SVG and CSV.
import * as d3 from 'd3';
import { useEffect, useRef, useState } from 'react';
import { live } from '../../state/live';
import { downloadBlob } from '../download';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** Draw points (validation passes) instead of a line. */
  dots?: boolean;
  /** Faint: the raw values behind a smoothed line. */
  faint?: boolean;
  /** A secondary line (per-layer breakdowns). */
  thin?: boolean;
}

interface Props {
  testId: string;
  title: string;
  yLabel: string;
  /** Reads the series to draw from the live ring; called on each redraw. */
  read: (opts: { smoothing: number }) => Series[];
  smoothing?: boolean;
  defaultLog?: boolean;
  height?: number;
  /** What the chart says while it has nothing to draw. */
  empty?: string;
  /** Values are fractions (accuracy): the y axis spans 0–100 % whatever the data, and reads in per cent. */
  percent?: boolean;
}

const M = { top: 10, right: 16, bottom: 30, left: 52 };

export function SeriesChart({
  testId,
  title,
  yLabel,
  read,
  smoothing = false,
  defaultLog = false,
  height = 210,
  empty = 'Press Train to see this chart fill',
  percent = false,
}: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [log, setLog] = useState(defaultLog);
  const [smooth, setSmooth] = useState(0.6);
  const [hover, setHover] = useState<{
    x: number;
    rows: { name: string; color: string; y: number }[];
  } | null>(null);
  const state = useRef({ drawn: -1, width: 0, series: [] as Series[], x: d3.scaleLinear(), log, smooth });
  state.current.log = log;
  state.current.smooth = smooth;

  useEffect(() => {
    const svg = svgRef.current!;
    let frame = 0;
    const ro = new ResizeObserver(() => (state.current.drawn = -1));
    ro.observe(svg);
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const st = state.current;
      const width = svg.clientWidth;
      if (st.drawn === live.version && st.width === width) return;
      st.drawn = live.version;
      st.width = width;
      st.series = read({ smoothing: st.smooth });
      draw(svg, st.series, width, height, st.log, yLabel, empty, percent, st);
    };
    tick();
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
    };
  }, [read, height, yLabel, empty, percent]);

  useEffect(() => {
    state.current.drawn = -1;
  }, [log, smooth]);

  const onMove = (e: React.MouseEvent<SVGSVGElement>) => {
    const st = state.current;
    const rect = e.currentTarget.getBoundingClientRect();
    const step = st.x.invert(e.clientX - rect.left);
    const rows = st.series
      .filter((s) => s.points.length && !s.faint)
      .map((s) => {
        const i = d3.bisector((p: [number, number]) => p[0]).center(s.points, step);
        const p = s.points[i]!;
        return { name: s.name, color: s.color, y: p[1], x: p[0] };
      });
    setHover(rows.length ? { x: rows[0]!.x, rows } : null);
  };

  const exportAs = (kind: 'svg' | 'png' | 'csv') =>
    exportChart(svgRef.current!, state.current.series, kind, testId);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-tools">
          {smoothing && (
            <label title="Exponential moving average of the training loss">
              smoothing
              <input
                type="range"
                min={0}
                max={0.99}
                step={0.01}
                value={smooth}
                onChange={(e) => setSmooth(Number(e.target.value))}
              />
            </label>
          )}
          {!percent && (
            <label>
              <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log y
            </label>
          )}
          <button type="button" className="link" onClick={() => exportAs('png')}>
            PNG
          </button>
          <button type="button" className="link" onClick={() => exportAs('svg')}>
            SVG
          </button>
          <button type="button" className="link" onClick={() => exportAs('csv')}>
            CSV
          </button>
        </span>
      </figcaption>
      <div className="chart-body">
        <svg
          ref={svgRef}
          height={height}
          width="100%"
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        />
        {hover && (
          <div className="chart-readout">
            <strong>step {hover.x}</strong>
            {hover.rows.map((r) => (
              <span key={r.name}>
                <i style={{ background: r.color }} /> {r.name}{' '}
                {percent ? `${(100 * r.y).toFixed(1)} %` : r.y.toPrecision(4)}
              </span>
            ))}
          </div>
        )}
      </div>
    </figure>
  );
}

function draw(
  svg: SVGSVGElement,
  series: Series[],
  width: number,
  height: number,
  log: boolean,
  yLabel: string,
  empty: string,
  percent: boolean,
  st: { x: d3.ScaleLinear<number, number> },
): void {
  const root = d3.select(svg);
  root.selectAll('*').remove();
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]) && (!log || p[1] > 0));
  const innerW = Math.max(10, width - M.left - M.right);
  const innerH = height - M.top - M.bottom;
  const g = root.append('g').attr('transform', `translate(${M.left},${M.top})`);
  if (!all.length) {
    g.append('text')
      .attr('class', 'chart-empty')
      .attr('x', innerW / 2)
      .attr('y', innerH / 2)
      .attr('text-anchor', 'middle')
      .text(empty);
    return;
  }
  const [x0, x1] = d3.extent(all, (p) => p[0]) as [number, number];
  const x = d3
    .scaleLinear()
    .domain([x0, Math.max(x1, x0 + 1)])
    .range([0, innerW]);
  st.x = x.copy().range([M.left, M.left + innerW]);
  const [y0, y1] = d3.extent(all, (p) => p[1]) as [number, number];
  const y = (log ? d3.scaleLog() : d3.scaleLinear())
    .domain(percent ? [0, 1] : log ? [y0 * 0.9, y1 * 1.1] : [Math.min(0, y0), y1 * 1.05 || 1])
    .range([innerH, 0])
    .nice();
  g.append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(d3.axisBottom(x).tickValues(x.ticks(6).filter(Number.isInteger)).tickFormat(d3.format('~s')));
  // A log scale's ticks(5) holds every minor tick (1…9 per decade), labelled or blank; below 0.001 a label is
  // written 1e-5 (0.00001 crowds the axis title), and grid lines go only where the axis has labels.
  const labelled = y.tickFormat(5, log ? '~g' : percent ? '.0%' : undefined);
  const small = d3.format('.0e');
  g.append('g')
    .attr('class', 'axis')
    .call(
      log
        ? d3
            .axisLeft(y)
            .tickValues(y.ticks(5))
            .tickFormat((v) => {
              const s = labelled(v);
              return s && Math.abs(+v) < 1e-3 ? small(+v) : s;
            })
        : d3.axisLeft(y).ticks(5).tickFormat(labelled),
    );
  g.append('g')
    .attr('class', 'grid')
    .call(
      d3
        .axisLeft(y)
        .tickValues(y.ticks(5).filter((v) => labelled(v) !== ''))
        .tickSize(-innerW)
        .tickFormat(() => ''),
    );
  g.append('text')
    .attr('class', 'axis-label')
    .attr('x', -innerH / 2)
    .attr('y', -40)
    .attr('transform', 'rotate(-90)')
    .attr('text-anchor', 'middle')
    .text(yLabel);
  const ok = (p: [number, number]) => Number.isFinite(p[1]) && (!log || p[1] > 0);
  for (const s of series) {
    if (s.dots) {
      g.append('g')
        .selectAll('circle')
        .data(s.points.filter(ok))
        .join('circle')
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('r', 3.5)
        .attr('fill', s.color)
        .attr('stroke', 'var(--surface)');
      continue;
    }
    const line = d3
      .line<[number, number]>()
      .defined(ok)
      .x((p) => x(p[0]))
      .y((p) => y(p[1]));
    g.append('path')
      .attr('fill', 'none')
      .attr('stroke', s.color)
      .attr('stroke-width', s.faint || s.thin ? 1 : 1.8)
      .attr('stroke-opacity', s.faint ? 0.3 : 1)
      .attr('stroke-dasharray', s.dashed ? '5 4' : null)
      .attr('d', line(s.points));
    // The latest value as a dot: a line of one point (after the first step) draws nothing.
    const last = s.points.findLast(ok);
    if (last && !s.faint && !s.dashed)
      g.append('circle')
        .attr('class', 'last-point')
        .attr('cx', x(last[0]))
        .attr('cy', y(last[1]))
        .attr('r', 2.5)
        .attr('fill', s.color);
  }
  const legend = g
    .append('g')
    .attr('class', 'legend')
    .attr('transform', `translate(${innerW - 4},4)`);
  const shown = series.filter((s) => !s.faint).length;
  legend
    .append('rect')
    .attr('class', 'legend-bg')
    .attr('x', -170)
    .attr('y', -7)
    .attr('width', 174)
    .attr('height', shown * 15 + 4);
  series
    .filter((s) => !s.faint)
    .forEach((s, i) => {
      const row = legend.append('g').attr('transform', `translate(0,${i * 15})`);
      row.append('text').attr('text-anchor', 'end').attr('x', -14).attr('y', 4).text(s.name);
      if (s.dots) {
        row.append('circle').attr('cx', -5).attr('cy', 0).attr('r', 3.5).attr('fill', s.color);
        return;
      }
      row
        .append('line')
        .attr('x1', -10)
        .attr('x2', 0)
        .attr('stroke', s.color)
        .attr('stroke-width', 2.5)
        .attr('stroke-dasharray', s.dashed ? '3 2' : null);
    });
}

function exportChart(svg: SVGSVGElement, series: Series[], kind: 'svg' | 'png' | 'csv', name: string): void {
  if (kind === 'csv') {
    const rows = [
      'series,step,value',
      ...series.flatMap((s) => s.points.map((p) => `${s.name},${p[0]},${p[1]}`)),
    ];
    downloadBlob(new Blob([rows.join('\n')], { type: 'text/csv' }), `${name}.csv`);
    return;
  }
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const css = getComputedStyle(svg);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(svg.clientWidth));
  clone.setAttribute('style', `font: 11px ${css.fontFamily}; background: #fff`);
  const text = new XMLSerializer().serializeToString(clone).replaceAll('var(--surface)', '#fff');
  if (kind === 'svg') {
    downloadBlob(new Blob([text], { type: 'image/svg+xml' }), `${name}.svg`);
    return;
  }
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = svg.clientWidth * 2;
    canvas.height = svg.clientHeight * 2;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    canvas.toBlob((b) => b && downloadBlob(b, `${name}.png`));
  };
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
}
