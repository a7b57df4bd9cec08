import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { z } from 'zod';
import { startStack, type Stack } from '../../scripts/localStack.js';
import { createApiDriver } from '../../scripts/seatwiseApiDriver.js';
import { mongoBaseUrl, redisUrl, testId } from '../helpers/services.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({
    services: { redisUrl: redisUrl(), mongoUrl: mongoBaseUrl(), stop: async () => undefined },
    workers: 0,
    name: testId('admin_pages').replace(/-/g, '_'),
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the admin pages', () => {
  it('when an admin enters a token, then the profiles appear and a profile opens with its details', async () => {
    const api = createApiDriver(stack.apiUrl, stack.tokens.admin);
    const name = `Pages <b>${testId('p')}</b>`;
    await api.call('create profile', 'POST', '/api/v1/profiles', z.object({ id: z.string() }), {
      displayName: name,
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.apiUrl}/admin/`);
    await page.fill('#token', stack.tokens.operator);
    await page.click('#token-form button[type=submit]');
    // The name is shown as text, never interpreted as markup.
    const link = page.getByRole('link', { name });
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await page.getByRole('heading', { name: `${name} — draft` }).waitFor({ timeout: 10_000 });
    expect(await page.locator('main b').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('when an operator presses Publish on a draft it may not publish, then the page says why', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/admin/`);
    await page.fill('#token', stack.tokens.operator);
    await page.click('#token-form button[type=submit]');
    await page.getByRole('button', { name: 'Publish' }).first().click();
    await expect.poll(() => page.locator('#status').getAttribute('class'), { timeout: 10_000 }).toBe('error');
  });

  it('when the page is served, then a content security policy forbids inline and foreign scripts', async () => {
    const res = await fetch(`${stack.apiUrl}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
