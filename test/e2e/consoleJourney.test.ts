/**
 * The admin console end to end, in Debian's Chromium, through the UI only: from an empty database
 * to realized savings. The stack is real (api, two workers, Redis, FerretDB) and Salesforce is the
 * simulator's two small orgs, reached over HTTP; the test never calls the api itself. When a step
 * fails, the screenshots of every step so far and of the failure are written to test/artifacts/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { startStack, type Stack } from '../../scripts/localStack.js';
import { ensureConsoleBuilt } from '../../scripts/consoleBuild.js';
import { mongoBaseUrl, redisUrl, testId } from '../helpers/services.js';

const ARTIFACTS = 'test/artifacts';

let stack: Stack;
let sim: RunningSimulator;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  sim = await startSimulator({
    port: 0,
    seed: 11,
    quiet: true,
    orgs: [
      // The parent org's app shows Salesforce's login and consent page, which the test clicks through.
      { users: 150, seed: 11, oauth: { consentPage: true } },
      { users: 80, seed: 12, clientCredentialsUser: true },
    ],
  });
  stack = await startStack({
    services: { redisUrl: redisUrl(), mongoUrl: mongoBaseUrl(), stop: async () => undefined },
    workers: 2,
    name: testId('console_journey').replace(/-/g, '_'),
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await sim?.stop();
});

/** Runs the journey's steps, keeping a screenshot of each; on a failure, writes them all. */
function stepper(page: Page, name: string) {
  const shots: { name: string; png: Buffer }[] = [];
  return async function step(label: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      shots.push({ name: label, png: await page.screenshot({ fullPage: true }) });
    } catch (error) {
      await mkdir(ARTIFACTS, { recursive: true });
      for (const [i, shot] of shots.entries()) {
        await writeFile(
          `${ARTIFACTS}/${name}-${String(i + 1).padStart(2, '0')}-${slug(shot.name)}.png`,
          shot.png,
        );
      }
      await page
        .screenshot({ fullPage: true, path: `${ARTIFACTS}/${name}-failed-${slug(label)}.png` })
        .catch(() => undefined);
      throw new Error(`step "${label}" failed: ${(error as Error).message}`, { cause: error });
    }
  };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

describe('the admin console', () => {
  it('when a first-time admin sets up two orgs, reviews and approves candidates, then the reclaim shows as realized savings', async () => {
    const [orgA, orgB] = sim.orgs;
    if (!orgA || !orgB) throw new Error('expected two simulated orgs');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
        problems.push(`CSP: ${m.text()}`);
    });
    // Runs outside the page's CSP (injected by the browser), so it can report what the CSP blocks.
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => console.error('Refused to load (securitypolicyviolation): ' + e.violatedDirective + ' ' + e.blockedURI));",
    });
    const step = stepper(page, 'consoleJourney');
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });
    const tab = (name: string) =>
      page.getByRole('navigation', { name: 'Profile pages' }).getByRole('link', { name, exact: true });
    const card = (title: string) =>
      page.locator('.card', { has: page.getByRole('heading', { name: title }) });

    await step('log in', async () => {
      await page.goto(`${stack.apiUrl}/admin/`);
      await page.getByLabel('API token or one-time login code').fill(stack.tokens.admin);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('#who').filter({ hasText: '(admin)' }).waitFor();
      await nav('Setup').click();
      await page.getByRole('heading', { name: 'Set up seatwise' }).waitFor();
    });

    await step('parent alias through an Authorization Code redirect', async () => {
      await page.getByLabel('Alias name').fill('Acme Sales connection');
      await page.getByLabel('Salesforce instance or login URL').fill(orgA.instanceUrl);
      await page.getByRole('radio', { name: /Authorization Code/ }).check();
      await page.getByLabel('Connected app consumer key (client id)').fill(orgA.clientId);
      await page.getByLabel('Consumer secret').fill(orgA.clientSecret);
      const callback = page.waitForResponse((r) => r.url().startsWith(`${stack.apiUrl}/oauth/callback?`));
      await page.getByRole('button', { name: 'Create and authorize in Salesforce' }).click();
      // The browser really leaves for the simulator's login and consent page, and comes back.
      await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
      expect(page.url().startsWith(`${stack.apiUrl}/`)).toBe(false);
      await page.getByLabel('Username').fill('admin@acme.example');
      await page.getByLabel('Password').fill('not checked by the simulator');
      await page.getByRole('button', { name: 'Allow' }).click();
      expect((await callback).status()).toBe(200);
      await page.waitForURL(`${stack.apiUrl}/admin/#/setup`);
      await page.getByText(`connected to org ${orgA.orgId}`).waitFor();
    });

    await step('child alias with Client Credentials', async () => {
      await page.getByText('Add a child alias').click();
      const form = page.locator('#child-alias');
      await form.getByLabel('Alias name').fill('Acme Support connection');
      await form.getByLabel('Salesforce instance or login URL').fill(orgB.instanceUrl);
      await form.getByRole('radio', { name: /Client Credentials/ }).check();
      await form.getByLabel('Connected app consumer key (client id)').fill(orgB.clientId);
      await form.getByLabel('Consumer secret').fill(orgB.clientSecret);
      await form.getByRole('button', { name: 'Create and connect' }).click();
      await page
        .getByRole('list', { name: 'Child aliases' })
        .getByText(`connected to org ${orgB.orgId}`)
        .waitFor();
    });

    await step('two profiles', async () => {
      await page.getByLabel('Display name').fill('Acme Sales');
      await page.getByLabel('Alias (org)').selectOption({ label: `Acme Sales connection (${orgA.orgId})` });
      await page.getByRole('checkbox', { name: /Reclaim: freeze or deactivate/ }).check();
      await page.getByRole('button', { name: 'Create profile' }).click();
      await page.getByRole('list', { name: 'Profiles' }).getByRole('link', { name: 'Acme Sales' }).waitFor();
      await page.getByLabel('Display name').fill('Acme Support');
      await page.getByLabel('Alias (org)').selectOption({ label: `Acme Support connection (${orgB.orgId})` });
      await page.getByRole('button', { name: 'Create profile' }).click();
      await page
        .getByRole('list', { name: 'Profiles' })
        .getByRole('link', { name: 'Acme Support' })
        .waitFor();
    });

    await step('validate both, each check shown', async () => {
      for (const name of ['Acme Sales', 'Acme Support']) {
        await page.getByRole('button', { name: `Validate ${name}` }).click();
        await card(name).getByText('Validation passed').waitFor({ timeout: 60_000 });
      }
      const checks = card('Acme Sales')
        .getByRole('list', { name: 'Validation checks' })
        .getByRole('listitem');
      expect(await checks.count()).toBeGreaterThanOrEqual(5);
      await expect.poll(() => card('Acme Sales').getByText('token: passed').count()).toBe(1);
    });

    await step('publish both after the confirmation', async () => {
      for (const name of ['Acme Sales', 'Acme Support']) {
        await page.getByRole('button', { name: `Publish ${name}` }).click();
        const dialog = page.getByRole('dialog', { name: `Publish ${name}?` });
        await dialog.getByText('The first run starts now').waitFor();
        await dialog.getByText('cron').waitFor();
        await dialog.getByRole('button', { name: 'Publish and start the first run' }).click();
        await page.getByText(`${name} is published: first run`).waitFor();
      }
    });

    await step('the first sync, watched live in the job history', async () => {
      await page.getByRole('link', { name: 'Job history of Acme Sales' }).click();
      await page.getByRole('heading', { name: 'Acme Sales — published' }).waitFor();
      await page
        .locator('#jobs-table tr', {
          has: page.getByRole('cell', { name: 'computeCandidates', exact: true }),
        })
        .locator('td.job-succeeded')
        .waitFor({ timeout: 90_000 });
      await page
        .locator('#jobs-table tr', { has: page.getByRole('cell', { name: 'reclaim', exact: true }) })
        .locator('td.job-succeeded')
        .waitFor({ timeout: 60_000 });
    });

    await step('consumption and unrecognized identifiers', async () => {
      await tab('Consumption').click();
      await page
        .getByRole('table', { name: 'Consumption' })
        .getByRole('cell', { name: 'API limit' })
        .first()
        .waitFor();
      await tab('Unrecognized identifiers').click();
      await page.getByRole('heading', { name: 'Unrecognized identifiers' }).waitFor();
    });

    await step('an exclusion previewed, then added', async () => {
      await tab('Exclusions').click();
      await page.getByLabel('Kind').selectOption('username_pattern');
      await page.getByLabel('Value').fill('lucia.*');
      await page.getByRole('button', { name: 'Preview whom it spares' }).click();
      await expect
        .poll(() => page.locator('#exclusion-preview').textContent())
        .toMatch(/^Matches [1-9]\d* users of the current download/);
      await page.getByRole('button', { name: 'Add exclusion' }).click();
      await page.getByRole('button', { name: 'Remove exclusion lucia.*' }).waitFor();
    });

    await step('threshold simulation, then the rule saved to deactivate at once', async () => {
      await tab('Rules').click();
      await page.getByRole('button', { name: 'Edit rule UL:SFDC', exact: true }).click();
      await page.getByLabel('Days without login before a seat is a candidate').fill('45');
      await page.getByRole('button', { name: 'Simulate' }).click();
      await expect
        .poll(() => page.locator('#simulation-result').textContent())
        .toMatch(/^A 45-day rule would flag [1-9]\d* users, free [1-9]\d* licenses, no price entered\./);
      await page.getByRole('checkbox', { name: /Deactivate at once/ }).check();
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByText('Saved the rule for UL:SFDC').waitFor();
    });

    await step('prices entered', async () => {
      await tab('Prices and owned seats').click();
      await page.getByLabel('Currency of this profile (ISO 4217, e.g. EUR)').fill('EUR');
      await page.getByRole('button', { name: 'Set currency' }).click();
      await page.getByText('Now: EUR').waitFor();
      await page.getByLabel('Price per seat per month of UL:SFDC (EUR)').fill('150.00');
      await page.getByRole('button', { name: 'Save UL:SFDC', exact: true }).click();
      await page.getByText('Saved').filter({ hasText: 'UL:SFDC' }).waitFor();
    });

    await step('the simulation priced', async () => {
      await tab('Rules').click();
      await page.getByRole('button', { name: 'Edit rule UL:SFDC', exact: true }).click();
      await page.getByRole('button', { name: 'Simulate' }).click();
      await expect
        .poll(() => page.locator('#simulation-result').textContent())
        .toMatch(/^A 45-day rule would flag \d+ users, free \d+ licenses, worth €[\d,.]+ per month\./);
    });

    const reclaimRuns = () =>
      page
        .locator('#jobs-table tr', { has: page.getByRole('cell', { name: 'reclaim', exact: true }) })
        .locator('td.job-succeeded')
        .count();

    await step('re-sync, as a changed rule asks before its candidates are decided', async () => {
      await page.getByRole('button', { name: 'Re-sync now' }).click();
      await page.getByRole('heading', { name: 'Job history' }).waitFor();
      await expect.poll(reclaimRuns, { timeout: 90_000 }).toBe(2);
    });

    await step('approve three candidates', async () => {
      await tab('Candidates').click();
      await page.getByLabel('License identifier', { exact: true }).fill('UL:SFDC');
      await page.getByLabel('License identifier', { exact: true }).press('Enter');
      await page.getByLabel('Spared users', { exact: true }).selectOption('false');
      await page.getByLabel('Sort', { exact: true }).selectOption('username');
      await page.locator('#candidates-table[aria-busy=false]').waitFor();
      const boxes = page.locator('#candidates-table tbody input[type=checkbox]');
      await boxes.first().waitFor();
      const licenses = await page.locator('#candidates-table tbody td:nth-child(3)').allTextContents();
      expect(new Set(licenses)).toEqual(new Set(['UL:SFDC']));
      const users = await page.locator('#candidates-table tbody td:nth-child(2)').allTextContents();
      expect(users).toEqual([...users].sort());
      for (let i = 0; i < 3; i += 1) await boxes.nth(i).check();
      await page.getByRole('button', { name: 'Approve selected (3)' }).click();
      await page.getByText('3 candidates now ready').waitFor();
    });

    await step('re-sync: the approved users are reclaimed', async () => {
      await page.getByRole('button', { name: 'Re-sync now' }).click();
      await page.getByRole('heading', { name: 'Job history' }).waitFor();
      await expect.poll(reclaimRuns, { timeout: 90_000 }).toBe(3);
      await tab('Candidates').click();
      await page.getByLabel('Status', { exact: true }).selectOption('reclaimed');
      await page.locator('#candidates-table[aria-busy=false]').waitFor();
      await expect
        .poll(() => page.locator('#candidates-table tbody tr').count(), { timeout: 10_000 })
        .toBe(3);
    });

    await step('the savings page shows the realized savings', async () => {
      await nav('Savings').click();
      await page.getByLabel('Profile').selectOption({ label: 'Acme Sales' });
      await page.locator('#realized-savings').filter({ hasText: 'from 3 reclaimed seats' }).waitFor();
      expect(await page.locator('#realized-savings').textContent()).toContain('€450.00 per month');
      await page.locator('#compliance-position').waitFor();
      await page.locator('#chart-seats').waitFor();
      await page.locator('#chart-savings').waitFor();
      expect(await page.getByRole('link', { name: 'Savings table as CSV' }).getAttribute('href')).toMatch(
        /\/savings\.csv$/,
      );
    });

    expect(problems).toEqual([]);
  }, 170_000);
});
