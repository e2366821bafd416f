// How every CLI command ends: bad input (UsageError, or any error before the command's work starts) is one
// line on stderr and exit code 2; a failure during the work is one line and exit code 1.
import { UsageError } from './args';
import { GpuUnavailableError } from '../gpu/device';

/** Thrown for input problems found while preparing (a corpus too short, an unreadable model file). */
export class InputError extends Error {
  override name = 'InputError';
}

export function runCommand(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`unroll ${name}: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
      const usage = err instanceof UsageError || err instanceof InputError;
      process.exit(usage ? 2 : err instanceof GpuUnavailableError ? 3 : 1);
    },
  );
}
