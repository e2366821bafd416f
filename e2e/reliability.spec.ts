// Nothing lost (issue 7, docs/RELIABILITY.md): a GPU device lost mid-run, a reload with its chart history and
// the choice to continue or start afresh, storage that refuses writes, a hostile file name, right-to-left text
// and combining marks, and a corpus with more distinct characters than the vocabulary limit.
import { expect, test } from './fixtures';
import { SMALL, TEXT, lossOf, paste, stepOf, steps } from './journey';

test.describe.configure({ retries: 1 });

const lossLine = '[data-testid="loss-chart"] path[stroke-width="1.8"]';

test('a GPU device lost mid-run: the worker takes a new device and restores the model', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`/${SMALL}&cell=lstm`);
  await paste(page, TEXT);
  await steps(page, 3);
  await page.waitForTimeout(2500); // the autosave after the last step is the worker's recovery point too
  await page.getByText('Diagnostics').click();
  await page.getByTestId('simulate-loss').click();
  await expect(page.getByTestId('run-notice')).toContainText('restored the model at step 3');
  await expect(page.getByTestId('adapter-info')).toBeVisible();
  expect(await stepOf(page)).toBe(3);
  await steps(page, 1);
  expect(Number.isFinite(await lossOf(page))).toBe(true);
  // Training goes on on the new device.
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(6);
  await page.getByTestId('train-toggle').click();
  await page.screenshot({ path: 'test-results/reliability-device-restored.png', fullPage: true });
});

test('after a reload the chart history is back, and the user continues or starts a new model', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(`/${SMALL}&cell=gru`);
  await paste(page, TEXT);
  await steps(page, 3);
  await page.waitForTimeout(2500);
  await page.reload();
  await expect(page.getByTestId('run-restored')).toContainText('model at step 3');
  await expect(page.locator(lossLine)).toHaveCount(1); // the curve of steps 1–3, before any new step
  await page.screenshot({ path: 'test-results/reliability-restored.png', fullPage: true });
  await page.getByTestId('restored-continue').click();
  await expect(page.getByTestId('run-restored')).toHaveCount(0);
  await steps(page, 1);
  expect(await stepOf(page)).toBe(4);

  await page.waitForTimeout(2500);
  await page.reload();
  await expect(page.getByTestId('run-restored')).toContainText('model at step 4');
  await page.getByTestId('restored-fresh').click();
  await expect(page.getByTestId('run-restored')).toHaveCount(0);
  await expect(page.locator(lossLine)).toHaveCount(0);
  await expect(page.getByTestId('corpus-input')).toHaveValue(TEXT); // the corpus stays
  await page.reload();
  await expect(page.getByTestId('corpus-input')).toHaveValue(TEXT);
  await page.waitForTimeout(2000);
  await expect(page.getByTestId('run-restored')).toHaveCount(0);
});

test('the autosaved model is kept as a Blob, and one kept as bytes by an older version comes back', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`/${SMALL}&cell=rnn`);
  await paste(page, TEXT);
  await steps(page, 2);
  // The record the page wrote, then rewritten as the earlier format (the file's bytes in the record).
  const record = (rewrite: boolean) =>
    page.evaluate(async (rewrite) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('unroll', 1);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const get = <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>) =>
        new Promise<T>((res, rej) => {
          const q = op(db.transaction('files', mode).objectStore('files'));
          q.onsuccess = () => res(q.result);
          q.onerror = () => rej(q.error);
        });
      const m = await get<{ file?: Blob; step: number } | undefined>('readonly', (s) => s.get('model'));
      const isBlob = m?.file instanceof Blob;
      if (rewrite && m?.file) {
        const { file, ...rest } = m;
        const bytes = await file.arrayBuffer();
        await get('readwrite', (s) => s.put({ ...rest, bytes }, 'model'));
      }
      db.close();
      return { step: m?.step, isBlob };
    }, rewrite);
  await expect.poll(async () => (await record(false)).step, { timeout: 30_000 }).toBe(2);
  expect(await record(true)).toEqual({ step: 2, isBlob: true });
  await page.reload();
  await expect(page.getByTestId('run-restored')).toContainText('model at step 2');
  await page.getByTestId('restored-continue').click();
  await steps(page, 1);
  expect(await stepOf(page)).toBe(3);
});

test('storage that refuses writes is reported, and training goes on', async ({ page }) => {
  test.setTimeout(120_000);
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value: unknown, key?: IDBValidKey) {
      if (key === 'model') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
  });
  await page.goto(`/${SMALL}&cell=rnn`);
  await paste(page, TEXT);
  await steps(page, 1);
  await expect(page.getByTestId('storage-error')).toContainText('storage for this page is full');
  await expect(page.getByTestId('storage-error')).toContainText('download the model');
  await steps(page, 1);
  expect(await stepOf(page)).toBe(2);
});

test('markup in a file name is shown as text, never run', async ({ page }) => {
  page.on('dialog', (d) => void d.dismiss());
  await page.goto(`/${SMALL}`);
  const name = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>.txt';
  await page
    .getByTestId('corpus-file')
    .setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(TEXT) });
  await expect(page.getByTestId('corpus-name')).toHaveText(name);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], main script').count()).toBe(0);
});

test('right-to-left text and combining marks: one code point per token, shown legibly', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(`/${SMALL}&cell=gru`);
  // Hebrew with points, Arabic, Latin with combining accents, and one rare combining cedilla.
  const text = 'שָׁלוֹם עוֹלָם. مرحبا بالعالم. cafe\u0301 nai\u0308ve. '.repeat(30) + 'c\u0327';
  await paste(page, text);
  await expect(page.getByTestId('corpus-stats')).toContainText(`vocabulary ${new Set(text).size}`);
  await expect(page.locator('.rare-chars')).toContainText('◌\u0327');
  await steps(page, 1);
  await page.getByTestId('sample-prime').fill('שָׁ');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('sample-button')).toContainText('Sample', { timeout: 60_000 });
  const out = page.getByTestId('sample-output');
  await expect(out).toHaveText(/^שָׁ/);
  expect(await out.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('plaintext');
  await page.screenshot({ path: 'test-results/reliability-rtl.png', fullPage: true });
});

test('more distinct characters than the vocabulary limit: a clear message, and a cap that trains', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`/${SMALL}&cell=gru`);
  const cjk = Array.from({ length: 5000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
  await paste(page, TEXT.slice(0, 400) + cjk);
  await expect(page.getByTestId('corpus-stats')).toContainText('vocabulary 5,0');
  await expect(page.getByTestId('vocab-problem')).toContainText('the vocabulary limit is 4,096');
  await page.getByTestId('max-vocab').fill('300');
  await expect(page.getByTestId('vocab-problem')).toHaveCount(0);
  await expect(page.getByText('keeps the 299 most frequent')).toBeVisible();
  await steps(page, 1);
  expect(Number.isFinite(await lossOf(page))).toBe(true);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
});

test('a damaged or foreign model file is refused with the reason, and the current model is untouched', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`/${SMALL}&cell=gru`);
  await paste(page, TEXT);
  await steps(page, 2);
  const files: [string, Buffer, RegExp][] = [
    ['notes.safetensors', Buffer.from('definitely not a model'), /not an Unroll model file/],
    // A header length of 2^40 bytes: rejected before anything is allocated.
    ['huge.safetensors', Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 123, 125]), /not an Unroll model file/],
  ];
  for (const [name, buffer, reason] of files) {
    await page
      .getByTestId('load-model')
      .setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    const error = page.getByTestId('run-error');
    await expect(error).toContainText(`Could not load ${name}`);
    await expect(error).toContainText(reason);
    await expect(error).toContainText('The current model is unchanged.');
    expect(await stepOf(page)).toBe(2);
  }
  await expect(page.locator('[data-testid="loss-chart"] path[stroke-width="1.8"]')).toHaveCount(1);
  await steps(page, 1);
  expect(await stepOf(page)).toBe(3);
});

test('absurd hyperparameters are refused before allocation, naming the limit', async ({ page }) => {
  await page.goto(`/${SMALL}&cell=lstm`);
  await paste(page, TEXT);
  await page.getByTestId('batch-input').fill('-3');
  await expect(page.getByTestId('config-problems')).toContainText('Batch size');
  // Train and Step refuse what the panel refuses, and say why on hover.
  await expect(page.getByTestId('train-toggle')).toBeDisabled();
  await expect(page.getByTestId('step-button')).toBeDisabled();
  await expect(page.getByTestId('train-toggle')).toHaveAttribute('title', /Batch size/);
  await expect(page.getByTestId('run-blocked')).toContainText('Fix the settings to train: Batch size');
  // So do the shortcuts (space outside any field would otherwise start a run the worker refuses).
  await page.getByRole('heading', { name: /Model/ }).first().click();
  await page.keyboard.press(' ');
  await page.waitForTimeout(500);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await page.getByTestId('hidden-select').selectOption('1024');
  await page.getByTestId('batch-input').fill('1024');
  await page.getByTestId('seq-input').fill('1024');
  await expect(page.getByTestId('config-problems')).toContainText('maxStorageBufferBindingSize');
  await expect(page.getByTestId('train-toggle')).toHaveAttribute('title', /maxStorageBufferBindingSize/);
  // Sizes the panel accepts but this text cannot fill (64 streams of 65 characters): refused by the run
  // before anything is allocated, and the page keeps working.
  await page.getByTestId('hidden-select').selectOption('16');
  await page.getByTestId('batch-input').fill('64');
  await page.getByTestId('seq-input').fill('64');
  await expect(page.getByTestId('config-problems')).toHaveCount(0);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('run-error')).toContainText('too short for 64 streams');
  await page.getByTestId('hidden-select').selectOption('16');
  await page.getByTestId('batch-input').fill('8');
  await page.getByTestId('seq-input').fill('16');
  await expect(page.getByTestId('config-problems')).toHaveCount(0);
  await steps(page, 1);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
});
