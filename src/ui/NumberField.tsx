// A labelled number input for the settings panels; `inline` puts the label beside it, `children` after it.
import type { ReactNode } from 'react';

export function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  onChange: (v: number) => void;
  testId?: string;
  title?: string;
  inline?: boolean;
  children?: ReactNode;
}) {
  return (
    <label className={props.inline ? 'field inline' : 'field'} title={props.title}>
      <span>{props.label}</span>
      <input
        type="number"
        value={props.value}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        data-testid={props.testId}
        onChange={(e) => e.target.value !== '' && props.onChange(Number(e.target.value))}
      />
      {props.children}
    </label>
  );
}
