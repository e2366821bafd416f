import { expect, test } from './fixtures';

test('without WebGPU the page says so plainly and what to do', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
  });
  await page.goto('/');
  const notice = page.getByTestId('gpu-unavailable');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('WebGPU is not available');
  await expect(notice).toContainText('Chrome');
  await expect(page.getByTestId('selftest-run')).toBeDisabled();
});

test('without WebGPU, a small model trains on the labelled CPU fallback', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
  });
  await page.goto('/#hidden=8&embed=8&layers=1&seq=8&batch=4&lr=0.02');
  await expect(page.getByTestId('gpu-unavailable')).toBeVisible();
  await expect(page.getByTestId('backend-badge')).toHaveText('CPU');
  await expect(page.getByTestId('cpu-banner')).toContainText('CPU reference');
  await page.getByTestId('step-button').click();
  await expect(page.getByTestId('status-step')).toHaveText('1');
  await expect(page.getByTestId('status-loss')).not.toHaveText('—');
  await page.getByTestId('hidden-select').selectOption('1024');
  await expect(page.getByTestId('config-problems')).toContainText('CPU fallback takes models up to');
  await page.screenshot({ path: 'test-results/no-webgpu-cpu.png', fullPage: true });
});
