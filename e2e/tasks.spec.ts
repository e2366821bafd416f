// Sequence tasks in the playground (issue 9): pick a task beside the cell, choose generated or own examples,
// train until the validation accuracy rises, and read the predictions (errors highlighted) and the confusion
// matrix; the language-model panels give way to the task's.
import { expect, test } from './fixtures';
import { stepOf } from './journey';

const SMALL = '#hidden=16&embed=8&layers=1&batch=16&lr=0.02&clip=5&seed=3&cell=gru';
const accuracy = async (page: import('@playwright/test').Page) =>
  Number(/accuracy ([\d.]+) %/.exec((await page.getByTestId('task-accuracy').textContent()) ?? '')?.[1] ?? 0);

test('classify: a generated task trains to high accuracy, with predictions and a confusion matrix', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(`/${SMALL}`);
  await page.getByTestId('task-select').selectOption('classify');
  await expect(page.getByTestId('task-preset')).toHaveValue('contains');
  await expect(page.getByTestId('task-examples').locator('tr')).toHaveCount(4);
  await expect(page.getByTestId('sample-button')).toHaveCount(0);
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => accuracy(page), { timeout: 180_000, intervals: [1000] }).toBeGreaterThan(90);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('train-toggle')).toContainText('Train');
  await expect(page.getByTestId('accuracy-chart').locator('path[stroke-width="1.8"]')).toHaveCount(1);
  // Accuracy reads on a fixed 0–100 % axis, however close together the points are.
  const yTicks = page.getByTestId('accuracy-chart').locator('.axis').nth(1).locator('.tick text');
  await expect(yTicks.first()).toHaveText('0%');
  await expect(yTicks.last()).toHaveText('100%');
  await expect(page.getByTestId('prediction-table').locator('tbody tr')).toHaveCount(12);
  await expect(page.getByTestId('status-accuracy')).toContainText('%');
  await expect(page.getByTestId('confusion-matrix').locator('tbody tr')).toHaveCount(2);
  // Inside the model over the first example: the hidden state, or a gate of the GRU.
  await expect(page.getByTestId('task-states-forward')).toBeVisible();
  await page.getByTestId('task-states-view').selectOption({ label: 'gate z (update)' });
  await expect(page.getByTestId('task-gates')).toBeVisible();
  await expect(page.getByTestId('task-states')).toContainText('darker is more open');
  // The loss sits at each line's last step; how much of it reaches the earlier steps is drawn per position.
  await expect(
    page.getByTestId('grad-through-time').locator('path[stroke-width="1.8"]').first(),
  ).toBeVisible();
  await page.screenshot({ path: 'test-results/tasks-classify.png', fullPage: true });
  // The task model is autosaved like a language model: after a reload it is back, evaluated again.
  await page.waitForTimeout(2500);
  await page.reload();
  await expect(page.getByTestId('task-select')).toHaveValue('classify');
  await expect(page.getByTestId('run-restored')).toContainText(/your examples and the model at step \d+/);
  await expect.poll(() => accuracy(page), { timeout: 60_000 }).toBeGreaterThan(90);
  await expect(page.getByTestId('download-model')).toBeEnabled();
});

test('tag: your own examples, checked as typed, train and tag each character', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`/${SMALL}`);
  await page.getByTestId('task-select').selectOption('tag');
  await page.getByTestId('task-preset').selectOption('');
  const box = page.getByTestId('task-input');
  await box.fill('abc\tVC');
  await box.blur();
  await expect(page.getByTestId('task-problem')).toContainText('line 1 has 2 tags for 3 input characters');
  const words = ['banana', 'kiwi', 'apple', 'cherry', 'melon', 'grape', 'lemon', 'mango', 'papaya', 'peach'];
  const lines = Array.from({ length: 60 }, (_, i) => {
    const w = words[i % words.length]! + words[(i * 7) % words.length]!.slice(0, 1 + (i % 4));
    return `${w}\t${[...w].map((c) => ('aeiou'.includes(c) ? 'V' : 'C')).join('')}`;
  });
  await box.fill(lines.join('\n'));
  await box.blur();
  await expect(page.getByTestId('task-problem')).toHaveCount(0);
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => accuracy(page), { timeout: 180_000, intervals: [1000] }).toBeGreaterThan(90);
  await page.getByTestId('train-toggle').click();
  expect(await stepOf(page)).toBeGreaterThan(0);
  await expect(page.getByTestId('task-accuracy')).toContainText('of whole sequences');
  await page.screenshot({ path: 'test-results/tasks-tag.png', fullPage: true });
  // A tagger exports for PyTorch too: model, vocabulary and predict.py in one zip.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-torch').click();
  expect((await download).suggestedFilename()).toMatch(/^unroll-tag-gru-1x16-step\d+\.zip$/);
});

test('seq2seq with attention: own examples train to reverse strings, with the alignment matrix drawn live', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // A link to own examples (never in links) opened where there are none starts from the generated task.
  await page.goto(`/${SMALL}&task=seq2seq`);
  await expect(page.getByTestId('task-select')).toHaveValue('seq2seq');
  await expect(page.getByTestId('task-preset')).toHaveValue('reverse');
  await expect(page.getByTestId('task-problem')).toHaveCount(0);
  await page.getByTestId('attention-toggle').check();
  await page.getByTestId('task-preset').selectOption('');
  const letters = [...'abcde'];
  const words = letters.flatMap((a) => letters.flatMap((b) => letters.map((c) => a + b + c)));
  const box = page.getByTestId('task-input');
  await box.fill(words.map((w) => `${w}\t${[...w].reverse().join('')}`).join('\n'));
  await box.blur();
  await expect(page.getByTestId('task-problem')).toHaveCount(0);
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => accuracy(page), { timeout: 180_000, intervals: [1000] }).toBeGreaterThan(90);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('task-accuracy')).toContainText('of output characters');
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(0);
  // Three input letters; three output letters and the end: 4 × 3 weights, each row summing to one.
  const matrix = page.getByTestId('attention-matrix');
  await expect(matrix.locator('rect')).toHaveCount(12);
  await matrix.locator('rect').first().hover();
  await expect(page.getByTestId('attention-readout')).toContainText('%');
  // The unrolled graph: 3 encoder steps, START + 3 outputs in the decoder, attention lines between them.
  const graph = page.getByTestId('task-graph');
  await expect(graph.locator('rect.decoder')).toHaveCount(4);
  await expect(graph.locator('line.handoff')).toHaveCount(1);
  expect(await graph.locator('path.graph-attention').count()).toBeGreaterThan(3);
  // The weights: shown on demand, the encoder's and the decoder's layers to pick from, norms over training.
  await page.getByTestId('task-weights-toggle').check();
  const weights = page.getByTestId('task-weights');
  await expect(weights.getByTestId('weight-heatmap').locator('canvas')).toHaveCount(2);
  await expect(page.getByTestId('task-weights-layer').locator('option')).toHaveText([
    'encoder layer 1',
    'decoder layer 1',
  ]);
  await page.getByTestId('task-weights-layer').selectOption({ label: 'encoder layer 1' });
  await page.getByTestId('task-weights-gate').selectOption({ label: 'gate z (update)' });
  await expect(weights).toContainText('W_hh, gate z (update) (16×16)');
  await expect(weights.getByTestId('weight-norms')).toContainText('encoder.weight_hh_l0');
  // Your own input: a beam of 3 returns three outputs, best first, and the matrix shows this input.
  await page.getByTestId('decode-input').fill('cab');
  await page.getByTestId('decode-beam').fill('3');
  await page.getByTestId('decode-button').click();
  await expect(page.getByTestId('decode-output').locator('li')).toHaveCount(3);
  await expect(page.getByTestId('decode-output').locator('li').first()).toContainText('bac');
  await expect(matrix.locator('figcaption')).toContainText('for cab');
  await page.getByTestId('decode-input').fill('xyz');
  await page.getByTestId('decode-button').click();
  await expect(page.getByTestId('decode-error')).toContainText('never seen the character');
  await page.screenshot({ path: 'test-results/tasks-seq2seq.png', fullPage: true });
  // The encoder–decoder exports for PyTorch: model, decoder tokens and a predict.py that decodes.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-torch').click();
  expect((await download).suggestedFilename()).toMatch(/^unroll-seq2seq-gru-1x16-step\d+\.zip$/);
});

test('bidirectional: "is there an x ahead?" is learned once the model also reads each line backwards', async ({
  page,
}) => {
  test.setTimeout(360_000);
  await page.goto(`/${SMALL}`);
  await page.getByTestId('task-select').selectOption('tag');
  await page.getByTestId('task-preset').selectOption('ahead');
  await page.getByTestId('bidirectional-toggle').check();
  await expect(page).toHaveURL(/bi=1/);
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => accuracy(page), { timeout: 180_000, intervals: [1000] }).toBeGreaterThan(97);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('confusion-matrix').locator('tbody tr')).toHaveCount(2);
  // Both directions unrolled over the first validation example: one reverse cell per forward cell.
  const graph = page.getByTestId('task-graph');
  const forward = await graph.locator('rect.graph-cell:not(.reverse)').count();
  expect(forward).toBeGreaterThan(3);
  await expect(graph.locator('rect.reverse')).toHaveCount(forward);
  // Both directions' hidden states over that example.
  await expect(page.getByTestId('task-states-forward').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('task-states-reverse').locator('canvas')).toBeVisible();
  // The unit finder: the reverse layer's units are the ones that know an x lies ahead; the chosen one
  // colours the first validation examples, a line each.
  const finder = page.getByTestId('task-neuron-finder');
  await expect(page.getByTestId('task-neuron-feature')).toHaveValue('ahead');
  await expect(finder.locator('li')).toHaveCount(5);
  await expect(finder.locator('li').first()).toContainText('(reverse)');
  const r = Number(/r = (-?[\d.]+)/.exec((await finder.locator('li').first().textContent()) ?? '')?.[1]);
  expect(Math.abs(r)).toBeGreaterThan(0.8);
  await finder.locator('li button').first().click();
  await expect(page.getByTestId('task-neurons')).toContainText('of the reverse layer over 8');
  await expect(page.getByTestId('task-neuron-lines').locator('> div')).toHaveCount(8);
  // The gradient through time of both directions: the reverse one's fades the other way.
  await expect(page.getByTestId('grad-through-time')).toContainText('reverse layer');
  // Side by side: the same model without the reverse layer, same data and steps, stays far below.
  await page.getByTestId('compare-button').click();
  const other = page.getByTestId('compare-result').locator('tbody tr').nth(1);
  await expect(other).toContainText('forward only', { timeout: 150_000 });
  const otherAccuracy = Number(
    /([\d.]+) %/.exec((await other.locator('td').nth(2).textContent()) ?? '')?.[1],
  );
  expect(otherAccuracy).toBeLessThan(90);
  await page.screenshot({ path: 'test-results/tasks-bidirectional.png', fullPage: true });
});

test('one to many: a label written out as a word, evaluated on the labels it trains on', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`/${SMALL}`);
  await page.getByTestId('task-select').selectOption('generate');
  await expect(page.getByTestId('task-preset')).toHaveValue('words');
  await page.getByTestId('task-preset').selectOption('');
  const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const box = page.getByTestId('task-input');
  await box.fill(words.map((w, i) => `${i}\t${w}`).join('\n'));
  await box.blur();
  await expect(page.getByTestId('task-problem')).toHaveCount(0);
  await page.getByTestId('train-toggle').click();
  await expect.poll(() => accuracy(page), { timeout: 180_000, intervals: [1000] }).toBeGreaterThan(95);
  await page.getByTestId('train-toggle').click();
  await expect(page.getByTestId('task-accuracy')).toContainText('on 10 labels');
  // One encoder step (the label), then the decoder writes the word.
  await expect(page.getByTestId('task-graph').locator('rect.graph-cell:not(.decoder)')).toHaveCount(1);
  await page.getByTestId('decode-input').fill('7');
  await page.getByTestId('decode-button').click();
  await expect(page.getByTestId('decode-output').locator('li').first()).toContainText('seven');
  await page.screenshot({ path: 'test-results/tasks-generate.png', fullPage: true });
});
