/**
 * The README's two screenshots of the admin console, taken from a running demo:
 *
 *   npm run demo -- --keep-running        # prints the console's address and a one-time login code
 *   npx tsx scripts/consoleScreenshots.ts --url http://127.0.0.1:PORT --code CODE
 *
 * Writes docs/screenshots/setup-wizard.png and docs/screenshots/savings.png (Debian's Chromium).
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { z } from 'zod';

const { values } = parseArgs({ options: { url: { type: 'string' }, code: { type: 'string' } } });
const args = z.object({ url: z.url(), code: z.string().min(1) }).parse(values);
const OUT = 'docs/screenshots';

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${args.url}/admin/`);
    await page.getByLabel('API token or one-time login code').fill(args.code);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who').waitFor();

    await page.goto(`${args.url}/admin/#/setup`);
    await page.getByRole('heading', { name: 'Set up seatwise' }).waitFor();
    await page.getByText('Add a child alias').click();
    await page.screenshot({ path: `${OUT}/setup-wizard.png`, fullPage: true });

    await page.goto(`${args.url}/admin/#/savings`);
    await page.locator('#potential-savings').waitFor();
    await page.locator('#chart-savings').waitFor();
    // The figures and charts; the per-model table below runs long.
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.screenshot({ path: `${OUT}/savings.png` });
  } finally {
    await browser.close();
  }
}

void main();
