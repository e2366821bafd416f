// The playground's journeys on SwiftShader with small models: paste a corpus and train each cell until the
// shown loss falls (with no main-thread task over 50 ms while training), pause and sample, download the model
// and load it back to the same next loss, and open a shared link to the same configuration.
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SMALL, TEXT, lossOf, paste, stepOf, steps } from './journey';

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/playground-${name}.png`, fullPage: true });
}

// One retry: on this 2-core machine SwiftShader, Chromium's GPU process and a GC pause now and then push a
// single main-thread task past 50 ms (about 1 run in 10 of the training journey). A second failure is real.
test.describe.configure({ retries: 1 });

/** Trains until the shown loss is below `below` (or fails after the test's timeout). */
async function trainUntil(page: Page, below: number) {
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('train-toggle')).toContainText('Pause');
  await expect.poll(() => lossOf(page), { timeout: 90_000, intervals: [500] }).toBeLessThan(below);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('train-toggle')).toContainText('Train');
}

test('paste → train each cell type until the loss falls, smoothly → pause → sample', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/${SMALL}`);
  await expect(page.getByTestId('gpu-pill')).toContainText('GPU');
  await paste(page, TEXT);
  await shot(page, '1-pasted');
  for (const cell of ['rnn', 'lstm', 'gru']) {
    await page.getByTestId('cell-select').selectOption(cell);
    await page.getByTestId('reset-button').click();
    await page.getByTestId('step-button').click();
    // Exactly step 1 of the new run: the previous cell's run may still be on screen for a moment.
    await expect.poll(() => stepOf(page)).toBe(1);
    const first = await lossOf(page);
    expect(first).toBeGreaterThan(2);
    // Watch the main thread while the worker trains: no task may take over 50 ms.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await trainUntil(page, first - 0.3);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    expect(longTasks, `${cell}: main-thread tasks over 50 ms while training`).toEqual([]);
    await expect(page.getByTestId('loss-chart').locator('path').first()).toBeVisible();
    // The GPU panel names the recurrent tiles the run compiled (defaults: SwiftShader is never tuned).
    await expect(page.getByTestId('recurrent-tiles')).toContainText('forward 8u×8b k32/1 · backward 32u×8b');
    await shot(page, `2-trained-${cell}`);
  }
  await page.getByTestId('sample-prime').fill('the ');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('sample-button')).toContainText('Sample', { timeout: 90_000 });
  const out = (await page.getByTestId('sample-output').textContent()) ?? '';
  expect(out.startsWith('the ')).toBe(true);
  expect(out.length).toBeGreaterThan(100);
  await shot(page, '3-sampled');
});

test('download the model, load it back, and the next step has the same loss', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`/${SMALL}&cell=gru`);
  await paste(page, TEXT);
  await steps(page, 3);
  const download = page.waitForEvent('download');
  await page.getByTestId('download-model').click();
  const file = await (await download).path();
  expect(file).toBeTruthy();
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepOf(page)).toBe(4);
  const next = await page.getByTestId('status-loss').textContent();

  await page.getByTestId('load-model').setInputFiles(file!);
  await expect.poll(() => stepOf(page)).toBe(3);
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepOf(page)).toBe(4);
  expect(await page.getByTestId('status-loss').textContent()).toBe(next);
  await shot(page, '4-reloaded');
});

test('a shared link opens the same configuration and corpus preset', async ({ page }) => {
  await page.goto(
    '/#cell=gru&hidden=32&embed=32&layers=2&seq=24&batch=12&lr=0.005&opt=rmsprop&clip=2&carry=0&seed=7&corpus=copy',
  );
  await expect(page.getByTestId('cell-select')).toHaveValue('gru');
  await expect(page.getByTestId('hidden-select')).toHaveValue('32');
  await expect(page.getByTestId('seq-input')).toHaveValue('24');
  await expect(page.getByTestId('batch-input')).toHaveValue('12');
  await expect(page.getByTestId('corpus-preset')).toHaveValue('copy');
  await expect(page.getByTestId('corpus-input')).toHaveValue(/^[a-h]{6}\.{24}[a-h]{6}\n/);
  // Editing updates the link, and a copy of it reproduces the edit.
  await page.getByTestId('cell-select').selectOption('lstm');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('cell=lstm');
  const link = await page.evaluate(() => location.href);
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('cell-select')).toHaveValue('lstm');
  await expect(other.getByTestId('seq-input')).toHaveValue('24');
  await shot(other, '5-shared-link');
});

test('a large .txt file loads without freezing the page; the model exports for PyTorch as a zip', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`/${SMALL}&cell=lstm`);
  await expect(page.getByTestId('corpus-stats')).toContainText('characters');
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  const line = 'It was the best of times, it was the worst of times; 春眠不覚暁 🌸\n';
  const big = line.repeat(Math.ceil(8e6 / line.length));
  // From a path: a buffer payload would be decoded by Playwright's own script in the page (a long task of
  // the harness, not of Unroll).
  const path = test.info().outputPath('big.txt');
  writeFileSync(path, big);
  await page.getByTestId('corpus-file').setInputFiles(path);
  await expect(page.getByTestId('corpus-stats')).toContainText([...big].length.toLocaleString('en-US'), {
    timeout: 30_000,
  });
  await expect(page.getByTestId('corpus-stats')).toContainText(`vocabulary ${new Set([...big]).size}`);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  // "Without freezing": no task near the 2.5 s a one-piece decode took. The 50 ms bound of the training test
  // is too tight here: a major GC of the 16 MB string sometimes takes 60 ms on this 2-core machine.
  expect(
    longTasks.filter((d) => d > 200),
    'main-thread tasks over 200 ms while loading an 8 MB file',
  ).toEqual([]);

  await paste(page, TEXT);
  await page.getByTestId('step-button').click();
  await expect.poll(() => stepOf(page)).toBe(1);
  const download = page.waitForEvent('download');
  await page.getByTestId('export-torch').click();
  expect((await download).suggestedFilename()).toMatch(/^unroll-lstm-1x16-step1\.zip$/);
});

test('the corpus and the trained model survive a reload, and training continues exactly', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await page.goto(`/${SMALL}&cell=lstm`);
  await paste(page, TEXT);
  await steps(page, 3);
  await page.waitForTimeout(2500); // the autosave runs a second after the last step
  await page.reload();
  await expect(page.getByTestId('run-restored')).toContainText('step 3');
  await expect(page.getByTestId('corpus-input')).toHaveValue(TEXT);
  await expect(page.getByTestId('cell-select')).toHaveValue('lstm');
  await expect.poll(() => stepOf(page)).toBe(3);
  await steps(page, 1);
  const resumed = await page.getByTestId('status-loss').textContent();
  await shot(page, '6-restored');

  // The same run without the reload reaches the same loss at step 4.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(`/${SMALL}&cell=lstm`);
  await paste(fresh, TEXT);
  await steps(fresh, 4);
  expect(await fresh.getByTestId('status-loss').textContent()).toBe(resumed);
});

test('race mode trains two cells on the same budget side by side and samples each', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`/${SMALL}`);
  await paste(page, TEXT);
  await page.getByTestId('race-lstm').uncheck();
  await expect(page.getByTestId('race-rnn')).toBeChecked();
  await expect(page.getByTestId('race-gru')).toBeChecked();
  await page.getByTestId('race-budget').fill('6');
  await page.getByTestId('race-start').click();
  await expect(page.getByTestId('race-lane')).toHaveCount(2);
  await expect(page.getByTestId('race-start')).toHaveText('Restart race', { timeout: 120_000 });
  // Each lane drew its curve and one validation pass at the budget.
  await expect(page.getByTestId('race-chart').locator('path[stroke-width="1.8"]')).toHaveCount(2);
  await expect(
    page.getByTestId('race-chart').locator(':not(.legend) > g > circle:not(.last-point)'),
  ).toHaveCount(2);
  await expect(page.getByTestId('race-grads').locator('path[stroke-width="1.8"]')).toHaveCount(2);
  await page.getByTestId('race-sample').click();
  for (const lane of await page.getByTestId('race-lane').all())
    await expect(lane.locator('pre')).toHaveText(/^.{150,}/s, { timeout: 60_000 });
  await shot(page, '7-race');
});

test('inside views render real data, change as the model trains, and respond to selection', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(`/${SMALL}&cell=lstm`);
  await paste(page, TEXT);
  await steps(page, 2);
  const graph = page.getByTestId('unrolled-graph');
  await expect(graph.locator('rect.cell')).toHaveCount(16);
  await expect(graph).toContainText('BPTT stops');
  await graph.locator('circle.state-node').nth(3).hover();
  await expect(graph.locator('.vector i')).toHaveCount(16);
  await page.getByTestId('fold-toggle').check();
  await expect(graph.locator('rect.cell')).toHaveCount(1);
  await page.getByTestId('fold-toggle').uncheck();
  await page.getByTestId('tab-predictions').click();
  const strip = page.getByTestId('prediction-strip');
  await expect(strip.locator('.pred-col')).toHaveCount(64);
  await page.getByTestId('probe-input').fill('the dog sat on the mat.');
  await expect(strip.locator('.pred-col')).toHaveCount(23);

  await page.getByTestId('tab-states').click();
  const heat = page.getByTestId('state-heatmap').locator('canvas');
  await expect(heat).toBeVisible();
  await expect(page.getByTestId('gate-heatmap').locator('canvas')).toBeVisible();
  const before = await heat.evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await steps(page, 3);
  await expect.poll(() => heat.evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(before);
  await heat.click({ position: { x: 5, y: 35 } });
  await page.mouse.move(0, 0);
  await expect(page.getByTestId('state-heatmap')).toContainText(/selected unit [1-9]/);

  await page.getByTestId('tab-neuron').click();
  await expect(page.getByTestId('neuron-text').locator('span')).toHaveCount(23);
  const finder = page.getByTestId('neuron-finder');
  await expect(finder.locator('li')).toHaveCount(5);
  await finder.locator('li button').nth(1).click();
  await expect(finder.locator('li button.current')).toHaveCount(1);

  await page.getByTestId('tab-weights').click();
  await expect(page.getByTestId('weight-heatmap').locator('canvas')).toHaveCount(2);
  await expect(page.getByTestId('weight-heatmap')).toContainText('W_hh, gate f (forget)');

  await page.getByTestId('tab-gradients').click();
  await expect(page.getByTestId('grad-through-time').locator('path[stroke-width="1.8"]')).toHaveCount(1);
  await page.locator('.inside').screenshot({ path: 'test-results/playground-8-inside.png' });
});

test('a corpus file over 50 MB is refused with the limit, and the current corpus stays', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('corpus-stats')).toContainText('characters');
  const before = await page.getByTestId('corpus-input').inputValue();
  const path = test.info().outputPath('huge.txt');
  writeFileSync(path, Buffer.alloc(51 * 2 ** 20, 'a'));
  await page.getByTestId('corpus-file').setInputFiles(path);
  await expect(page.getByRole('alert')).toContainText('huge.txt is 51 MB; the limit is 50 MB.');
  await expect(page.getByTestId('corpus-input')).toHaveValue(before);
});

test('markup and script in a corpus are shown as text, never run', async ({ page }) => {
  test.setTimeout(120_000);
  page.on('dialog', (d) => void d.dismiss());
  await page.goto(`/${SMALL}&cell=gru`);
  const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>&amp; '.repeat(30);
  await paste(page, hostile);
  await steps(page, 1);
  await page.getByTestId('sample-prime').fill('<img');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('sample-output')).toContainText('<img', { timeout: 60_000 });
  await page.getByTestId('tab-neuron').click();
  await expect(page.getByTestId('neuron-text')).toContainText('<img src=x');
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], main script').count()).toBe(0);
});
