// "Your GPU": which adapter Unroll got, whether it is a software one, and the limits that bound model size.
// Without WebGPU it says so plainly and what the user can do.
import { useGpuStore } from '../../state/gpuStore';
import { gpuActions } from '../../state/workerClient';
import { formatBytes } from '../format';
import { describeTile } from '../../core/tiles';
import { useRunStore } from '../../state/runStore';

const LIMIT_ROWS: { key: string; label: string; bytes?: boolean; why: string }[] = [
  {
    key: 'maxStorageBufferBindingSize',
    label: 'Largest storage binding',
    bytes: true,
    why: 'caps the biggest tensor',
  },
  { key: 'maxBufferSize', label: 'Largest buffer', bytes: true, why: 'caps activations kept for BPTT' },
  {
    key: 'maxComputeWorkgroupStorageSize',
    label: 'Workgroup memory',
    bytes: true,
    why: 'tiles of fused kernels',
  },
  {
    key: 'maxComputeInvocationsPerWorkgroup',
    label: 'Threads per workgroup',
    why: 'width of one fused step',
  },
  {
    key: 'maxStorageBuffersPerShaderStage',
    label: 'Storage buffers per kernel',
    why: 'inputs of one kernel',
  },
  { key: 'maxComputeWorkgroupsPerDimension', label: 'Workgroups per dimension', why: 'largest grid' },
];

/** One empty list: a selector returning a new [] each call would re-render without end (zustand). */
const NONE: string[] = [];

export function GpuStatusPanel() {
  const { status, adapter, message, errors } = useGpuStore();
  const tiles = useRunStore((s) => s.run.info?.tiles);
  const leftOut = useRunStore((s) => s.run.info?.tilesLeftOut ?? NONE);
  return (
    <section className="card" aria-labelledby="gpu-title" data-testid="gpu-panel">
      <h2 id="gpu-title">Your GPU</h2>
      {status === 'starting' && <p className="muted">Asking the browser for a WebGPU adapter…</p>}
      {status === 'unavailable' && (
        <div className="notice notice-bad" role="alert" data-testid="gpu-unavailable">
          <strong>WebGPU is not available.</strong>
          <p>{message}</p>
          <p className="muted">
            Training falls back to Unroll's CPU reference (float64, plain loops): correct but slow, for small
            models only, and labelled CPU wherever it runs.
          </p>
        </div>
      )}
      {status === 'lost' && (
        <div className="notice notice-warn" role="alert">
          <strong>{message}</strong>
          <p>
            <button type="button" onClick={gpuActions.reconnect}>
              Reconnect to the GPU
            </button>
          </p>
        </div>
      )}
      {adapter && status === 'ready' && (
        <>
          <dl className="facts" data-testid="adapter-info">
            <dt>Adapter</dt>
            <dd data-testid="adapter-name">
              {[adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' · ') ||
                'unnamed adapter'}
            </dd>
            {adapter.description && (
              <>
                <dt>Description</dt>
                <dd>{adapter.description}</dd>
              </>
            )}
            <dt>Kind</dt>
            <dd data-testid="adapter-kind">
              {adapter.isSoftware ? (
                <span className="tag tag-warn">software (CPU) adapter — correct but slow</span>
              ) : (
                <span className="tag tag-good">hardware GPU</span>
              )}
            </dd>
            <dt>GPU timing</dt>
            <dd>
              {adapter.hasTimestampQuery ? 'timestamp-query available' : 'not available (wall-clock only)'}
            </dd>
            {tiles && (
              <>
                <dt title="Units × sequences per workgroup, K chunk / K split of the fused recurrent steps">
                  Recurrent tiles
                </dt>
                <dd data-testid="recurrent-tiles">
                  <span className="mono small">
                    forward {describeTile(tiles.forward)} · backward {describeTile(tiles.backward)}
                    {tiles.wave ? ' · stacked layers as one wavefront' : ''}
                  </span>{' '}
                  <span className="muted small">
                    {adapter.isSoftware
                      ? '(defaults: timings on a software adapter mean nothing, so it is not tuned)'
                      : '(the fastest of the candidates timed on this GPU for this shape)'}
                  </span>
                  {leftOut.length > 0 && (
                    <div className="notice notice-warn small" role="alert" data-testid="tiles-left-out">
                      <strong>
                        {leftOut.length === 1
                          ? 'One of the tuner’s candidates'
                          : `${leftOut.length} of the tuner’s candidates`}{' '}
                        computed different results on this GPU than the default tiles
                      </strong>{' '}
                      and {leftOut.length === 1 ? 'was' : 'were'} left out, however fast: {leftOut.join(', ')}
                      . Training uses what agrees. Run the kernel self-test: a failure there names the kernel.
                    </div>
                  )}
                </dd>
              </>
            )}
          </dl>
          <table className="limits">
            <caption>Key limits</caption>
            <tbody>
              {LIMIT_ROWS.map((row) => {
                const v = (adapter.limits as Record<string, number>)[row.key] ?? 0;
                return (
                  <tr key={row.key} title={row.key}>
                    <th scope="row">{row.label}</th>
                    <td className="num">{row.bytes ? formatBytes(v) : v.toLocaleString('en-US')}</td>
                    <td className="muted">{row.why}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <details>
            <summary>
              {adapter.features.length} optional {adapter.features.length === 1 ? 'feature' : 'features'}{' '}
              enabled
            </summary>
            <p className="mono small">{adapter.features.join(', ') || 'none beyond core'}</p>
          </details>
          <details>
            <summary>Diagnostics</summary>
            <p className="small muted">
              Laptops that sleep or drivers that reset lose the GPU device. Unroll notices and reconnects; try
              it.
            </p>
            <button type="button" onClick={gpuActions.simulateDeviceLoss} data-testid="simulate-loss">
              Simulate GPU device loss
            </button>
          </details>
        </>
      )}
      {errors.length > 0 && (
        <div className="notice notice-bad" data-testid="gpu-errors">
          <strong>GPU errors</strong>
          <ul>
            {errors.map((e, i) => (
              <li key={i} className="mono small">
                {e}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
