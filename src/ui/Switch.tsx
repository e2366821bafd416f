// A labelled checkbox for the settings panels (carry state, learned h₀, a task's attention or reverse layer).
import type { ReactNode } from 'react';

export function Switch(props: {
  checked: boolean;
  onChange: (on: boolean) => void;
  title: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <label className="switch" title={props.title}>
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />{' '}
      {props.children}
    </label>
  );
}
