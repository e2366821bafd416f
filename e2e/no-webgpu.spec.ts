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
