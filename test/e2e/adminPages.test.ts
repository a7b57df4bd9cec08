import { launchDebianChromium } from '../../scripts/debianChromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { ensureConsoleBuilt } from '../../scripts/consoleBuild.js';
import { startStack, type Stack } from '../../scripts/localStack.js';
import { createApiDriver } from '../../scripts/seatwiseApiDriver.js';
import { mongoBaseUrl, redisUrl, testId } from '../helpers/services.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  stack = await startStack({
    services: { redisUrl: redisUrl(), mongoUrl: mongoBaseUrl(), stop: async () => undefined },
    workers: 0,
    name: testId('admin_pages').replace(/-/g, '_'),
  });
  browser = await launchDebianChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Logs in through the page's form, as a person would; the token never enters a URL. */
async function logIn(page: Page, token: string): Promise<void> {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await page.goto(`${stack.apiUrl}/admin/`);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('#who').filter({ hasText: /\(/ }).waitFor({ timeout: 10_000 });
  expect(urls.filter((u) => u.includes(token))).toEqual([]);
}

describe('the admin console', () => {
  it('when an operator logs in with the form, then the profiles appear and a profile opens with its details', async () => {
    const api = createApiDriver(stack.apiUrl, stack.tokens.admin);
    const name = `Pages <b>${testId('p')}</b>`;
    await api.call('create profile', 'POST', '/api/v1/profiles', z.object({ id: z.string() }), {
      displayName: name,
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, stack.tokens.operator);
    // The name is shown as text, never interpreted as markup.
    const link = page.getByRole('link', { name });
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await page.getByRole('heading', { name: `${name} — draft` }).waitFor({ timeout: 10_000 });
    expect(await page.locator('main b').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('when an operator tries to create an alias in the setup wizard, then the page says it is not allowed', async () => {
    const page = await browser.newPage();
    await logIn(page, stack.tokens.operator);
    await page.goto(`${stack.apiUrl}/admin/#/setup`);
    await page.getByLabel('Alias name').fill('Not mine to make');
    await page.getByLabel('Salesforce instance or login URL').fill('https://acme.my.salesforce.com');
    await page.getByLabel('Connected app consumer key (client id)').fill('client');
    await page.getByLabel('Consumer secret').fill('secret');
    await page.getByRole('button', { name: 'Create and authorize in Salesforce' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(/role|not allowed|forbidden/i);
  });

  it('when a one-time login code is typed in the form, then it logs in once and fails the second time', async () => {
    const api = createApiDriver(stack.apiUrl, stack.tokens.admin);
    const { code } = await api.call(
      'login code',
      'POST',
      '/api/v1/login-codes',
      z.object({ code: z.string() }),
      {},
    );
    const page = await browser.newPage();
    await logIn(page, code);
    expect(await page.locator('#who').textContent()).toContain('(admin)');
    const other = await browser.newPage();
    await other.goto(`${stack.apiUrl}/admin/`);
    await other.fill('#token', code);
    await other.click('#login-form button[type=submit]');
    await other.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor({ timeout: 10_000 });
  });

  it('when an operator uses the keyboard alone, then they log in and reach the savings page', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/admin/`);
    await page.locator('#token').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(stack.tokens.operator);
    await page.keyboard.press('Enter');
    await page.locator('#who').filter({ hasText: '(operator)' }).waitFor({ timeout: 10_000 });
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Savings'; i += 1) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement?.textContent ?? ""'));
    }
    expect(focused).toBe('Savings');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Savings and compliance' }).waitFor({ timeout: 10_000 });
  });

  it('when an operator has logged in, then the Queues link opens Bull Board read-only, the cookie is out of scripts’ reach, and logging out closes both', async () => {
    const page = await browser.newPage();
    await logIn(page, stack.tokens.operator);
    expect(await page.evaluate('document.cookie')).toBe('');
    const [board] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/queues')),
      page.click('#queues-link'),
    ]);
    expect(board.status()).toBe(200);
    const queues = await page.evaluate(async () => {
      const res = await fetch('/admin/queues/api/queues');
      return { status: res.status, body: (await res.json()) as { queues: { readOnlyMode: boolean }[] } };
    });
    expect(queues.status).toBe(200);
    expect(queues.body.queues.length).toBeGreaterThan(0);
    expect(queues.body.queues.every((q) => q.readOnlyMode)).toBe(true);
    await page.goto(`${stack.apiUrl}/admin/`);
    await page.click('#logout-form button[type=submit]');
    await page.locator('#login-form').waitFor({ state: 'visible', timeout: 10_000 });
    const after = await page.evaluate(async () => (await fetch('/admin/queues/api/queues')).status);
    expect(after).toBe(401);
  });

  it('when the page is served, then a content security policy forbids inline and foreign scripts', async () => {
    const res = await fetch(`${stack.apiUrl}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
