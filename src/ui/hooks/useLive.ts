// Reads a value derived from the live ring a few times a second (not per step), so status read-outs stay
// current without routing per-step values through React state on every step.
import { useEffect, useState } from 'react';
import { live } from '../../state/live';

export function useLive<T>(read: () => T, intervalMs = 150): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    let seen = -1;
    const id = setInterval(() => {
      if (live.version === seen) return;
      seen = live.version;
      setValue(read());
    }, intervalMs);
    return () => clearInterval(id);
  }, [read, intervalMs]);
  return value;
}
