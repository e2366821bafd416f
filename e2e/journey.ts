// Steps the e2e journeys share: a small model in the URL hash, pasting a corpus, reading the run bar.
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

export const SMALL = '#hidden=16&embed=16&layers=1&seq=16&batch=8&lr=0.02&clip=5&seed=3';
export const TEXT = 'the cat sat on the mat. the dog sat on the log. '.repeat(40);

export async function paste(page: Page, text: string) {
  const box = page.getByTestId('corpus-input');
  await box.fill(text);
  await box.blur();
  await expect(page.getByTestId('corpus-stats')).toContainText(
    `${text.length.toLocaleString('en-US')} characters`,
  );
}

export const stepOf = async (page: Page) => Number(await page.getByTestId('status-step').textContent());
export const lossOf = async (page: Page) => Number(await page.getByTestId('status-loss').textContent());

/** Presses Step `n` times, waiting for each step to show. */
export async function steps(p: Page, n: number) {
  for (let i = 0; i < n; i++) {
    const before = await stepOf(p);
    await p.getByTestId('step-button').click();
    await expect.poll(() => stepOf(p)).toBe(before + 1);
  }
}
