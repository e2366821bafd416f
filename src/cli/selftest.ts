// `npm run selftest`: runs every registered kernel's GPU-vs-reference check on Dawn (SwiftShader here, the
// real GPU on a GPU machine) and prints one line per case; exits non-zero on any failure.
import { GpuSession } from '../engine/session';
import { adapterName } from '../gpu/device';
import { nodeGpu } from './dawn';

async function main(): Promise<void> {
  const session = new GpuSession(nodeGpu());
  session.events.on('unavailable', (u) => console.error(`no GPU: ${u.message}`));
  if (!(await session.start())) process.exit(1);
  const a = session.adapter!;
  console.log(`adapter: ${adapterName(a, ' · ')}${a.isSoftware ? ' (software)' : ''}`);
  session.events.on('selfTestResult', ({ result: r }) =>
    console.log(
      `${r.ok ? 'pass' : 'FAIL'}  ${r.kernel.padEnd(10)} ${r.case.padEnd(28)} max|err| ${r.maxAbsError.toExponential(1)}  ratio ${r.worstRatio.toFixed(3)}${r.ok ? '' : `\n      ${r.message}`}`,
    ),
  );
  const s = await session.selfTest();
  console.log(`${s.passed} passed, ${s.failed} failed in ${(s.ms / 1000).toFixed(2)} s`);
  session.dispose();
  process.exit(s.failed ? 1 : 0);
}

void main();
