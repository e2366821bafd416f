import { expect, test } from './fixtures';

test('the page shows the WebGPU adapter and a passing kernel self-test', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Unroll' })).toBeVisible();
  // An adapter must exist here (SwiftShader): a missing one fails, it never skips.
  await expect(page.getByTestId('adapter-info')).toBeVisible();
  await expect(page.getByTestId('adapter-kind')).toContainText('software');
  await expect(page.getByTestId('gpu-pill')).toContainText('Software GPU');

  await page.getByTestId('selftest-run').click();
  const summary = page.getByTestId('selftest-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('All');
  await expect(summary).toContainText('checks passed');
  // The tuner's tile shapes are left out here, and the page says why (SwiftShader is never tuned).
  await expect(page.getByTestId('selftest-skipped')).toContainText('a software adapter is never tuned');
  const rows = page.getByTestId('selftest-results').locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(30);
  // The whole-engine checks (a full training iteration per cell type) run in the browser too.
  await expect(rows.filter({ hasText: 'train step lstm 2×6' })).toHaveCount(1);
  await expect(page.locator('tr[data-ok="false"]')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/selftest.png', fullPage: true });
});

test('the production page sets a Content-Security-Policy without unsafe-eval', async ({ page }) => {
  await page.goto('/');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');
});

test('the worker recovers from a lost GPU device when asked to reconnect', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('adapter-info')).toBeVisible();
  await page.getByText('Diagnostics').click();
  await page.getByTestId('simulate-loss').click();
  await expect(page.getByRole('button', { name: 'Reconnect to the GPU' })).toBeVisible();
  await page.getByRole('button', { name: 'Reconnect to the GPU' }).click();
  await expect(page.getByTestId('adapter-info')).toBeVisible();
});
