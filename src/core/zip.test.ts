import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, zipStore } from './zip';

describe('zipStore', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes an archive that Python’s zipfile reads back intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unroll-zip-'));
    const bin = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
    const zip = join(dir, 'x.zip');
    writeFileSync(
      zip,
      zipStore([
        { name: 'export/train.py', data: 'print("héllo")\n' },
        { name: 'export/model.safetensors', data: bin },
      ]),
    );
    const py = `import zipfile,sys
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
z.extractall(sys.argv[2]); print(','.join(z.namelist()))`;
    const names = execFileSync('python3', ['-c', py, zip, dir], { encoding: 'utf8' }).trim();
    expect(names).toBe('export/train.py,export/model.safetensors');
    expect(readFileSync(join(dir, 'export/train.py'), 'utf8')).toBe('print("héllo")\n');
    expect(new Uint8Array(readFileSync(join(dir, 'export/model.safetensors')))).toEqual(bin);
  });
});
