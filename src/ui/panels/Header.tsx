// Top bar: product name, the light/dark switch and a one-glance GPU status pill.
import { useEffect, useState } from 'react';
import { useGpuStore } from '../../state/gpuStore';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('unroll.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function Header() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('unroll.theme', theme);
  }, [theme]);
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
      <span className="header-right">
        <button
          type="button"
          className="theme-toggle"
          data-testid="theme-toggle"
          aria-label={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        <span
          className={`pill pill-${status}${adapter?.isSoftware ? ' pill-software' : ''}`}
          data-testid="gpu-pill"
        >
          {label}
        </span>
      </span>
    </header>
  );
}
