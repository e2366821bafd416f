import { chromium } from 'playwright-core';
const url = process.argv[2] ?? 'http://localhost:4180/';
const out = process.argv[3] ?? '/tmp/u/shot.png';
const train = process.argv[4] === 'train';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(url);
await page.waitForTimeout(1500);
if (train) {
  await page.getByTestId('train-toggle').click();
  await page.waitForTimeout(15000);
  await page.getByTestId('train-toggle').click();
  await page.waitForTimeout(1000);
  await page.getByTestId('sample-button').click();
  await page.waitForTimeout(5000);
}
await page.screenshot({ path: out });
await page.screenshot({ path: out.replace('.png', '-full.png'), fullPage: true });
await browser.close();
