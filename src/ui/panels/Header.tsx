// Top bar: product name and a one-glance GPU status pill.
import { useGpuStore } from '../../state/gpuStore';

export function Header() {
  const status = useGpuStore((s) => s.status);
  const adapter = useGpuStore((s) => s.adapter);
  const label =
    status === 'ready' && adapter
      ? `${adapter.isSoftware ? 'Software GPU' : 'GPU'} · ${adapter.vendor || 'unknown vendor'}`
      : status === 'starting'
        ? 'Looking for a GPU…'
        : status === 'lost'
          ? 'GPU lost'
          : 'No WebGPU';
  return (
    <header className="header">
      <div className="brand">
        <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
          <g fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round">
            <circle cx="8" cy="16" r="3.2" />
            <circle cx="16" cy="16" r="3.2" />
            <circle cx="24" cy="16" r="3.2" />
            <path d="M11.2 16h1.6M19.2 16h1.6" />
          </g>
        </svg>
        <h1>Unroll</h1>
        <span className="tagline">recurrent networks, trained on your GPU, seen from the inside</span>
      </div>
      <span
        className={`pill pill-${status}${adapter?.isSoftware ? ' pill-software' : ''}`}
        data-testid="gpu-pill"
      >
        {label}
      </span>
    </header>
  );
}
