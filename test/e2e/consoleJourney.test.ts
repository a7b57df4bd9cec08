/**
 * The admin console end to end, in Debian's Chromium, through the UI only: from an empty database
 * to realized savings. The stack is real (api, two workers, Redis, FerretDB) and Salesforce is the
 * simulator's two small orgs, reached over HTTP; the test never calls the api itself. When a step
 * fails, the screenshots of every step so far and of the failure are written to test/artifacts/.
 */
import { launchDebianChromium } from '../../scripts/debianChromium.js';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { startStack, type Stack } from '../../scripts/localStack.js';
import { ensureConsoleBuilt } from '../../scripts/consoleBuild.js';
import { consoleWalkthrough } from '../../scripts/consoleWalkthrough.js';
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
  browser = await launchDebianChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await sim?.stop();
});

/** Runs the journey's steps, keeping a screenshot of each; on a failure, writes them all. */
async function stepper(page: Page, name: string) {
  // A run's screenshots stand alone: those of an earlier failed run would mix in.
  const old = await readdir(ARTIFACTS).catch(() => [] as string[]);
  await Promise.all(old.filter((f) => f.startsWith(`${name}-`)).map((f) => rm(`${ARTIFACTS}/${f}`)));
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
    const step = await stepper(page, 'consoleJourney');
    const ui = consoleWalkthrough(page, stack.apiUrl);
    const sales = { alias: 'Acme Sales connection', ...orgA };
    const support = { alias: 'Acme Support connection', ...orgB };

    await step('log in', async () => {
      await ui.logIn(stack.tokens.admin);
      expect(await page.locator('#who').textContent()).toContain('(admin)');
      await ui.openSetup();
    });

    await step('parent alias through an Authorization Code redirect', async () => {
      const callback = page.waitForResponse((r) => r.url().startsWith(`${stack.apiUrl}/oauth/callback?`));
      await ui.connectParent(sales, async () => {
        // The browser really leaves for the simulator's login and consent page, and comes back.
        await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
        expect(page.url().startsWith(`${stack.apiUrl}/`)).toBe(false);
        await page.getByLabel('Username').fill('admin@acme.example');
        await page.getByLabel('Password').fill('not checked by the simulator');
        await page.getByRole('button', { name: 'Allow' }).click();
        expect((await callback).status()).toBe(200);
      });
    });

    await step('child alias with Client Credentials', () => ui.addChild(support));

    await step('two profiles', async () => {
      await ui.createProfile('Acme Sales', sales, true);
      await ui.createProfile('Acme Support', support, false);
      const profiles = page.getByRole('list', { name: 'Profiles' });
      await profiles.getByText('draft, reclaim on').waitFor();
      await profiles.getByText('draft, candidates only').waitFor();
    });

    await step('validate both, each check shown', async () => {
      await ui.validate('Acme Sales');
      await ui.validate('Acme Support');
      const checks = ui
        .card('Acme Sales')
        .getByRole('list', { name: 'Validation checks' })
        .getByRole('listitem');
      expect(await checks.count()).toBeGreaterThanOrEqual(5);
      expect(await ui.card('Acme Sales').getByText('token: passed').count()).toBe(1);
      expect(await ui.unlabelledControls()).toEqual([]);
    });

    await step('publish both after the confirmation', async () => {
      for (const name of ['Acme Sales', 'Acme Support']) {
        await ui.publish(name, async () => {
          const dialog = page.getByRole('dialog', { name: `Publish ${name}?` });
          expect(await dialog.textContent()).toContain('Then it runs again every day at 03:00 UTC');
        });
      }
    });

    await step('the first sync, watched live in the job history', async () => {
      await page.getByRole('link', { name: 'Job history of Acme Sales' }).click();
      await page.getByRole('heading', { name: 'Acme Sales — published' }).waitFor();
      await ui.waitForRuns(1);
      await page.getByText('No job is running.').waitFor();
    });

    await step('consumption and unrecognized identifiers', async () => {
      await ui.tab('Consumption').click();
      await page
        .getByRole('table', { name: 'Consumption' })
        .getByRole('cell', { name: 'API limit' })
        .first()
        .waitFor();
      await ui.tab('Unrecognized identifiers').click();
      await page.getByRole('heading', { name: 'Unrecognized identifiers' }).waitFor();
    });

    await step('an exclusion previewed, then added', async () => {
      await ui.tab('Exclusions').click();
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
      await ui.openRule('UL:SFDC');
      expect(await ui.simulate(45)).toMatch(
        /^A 45-day rule would flag [1-9]\d* users, free [1-9]\d* licenses, no price entered\./,
      );
      expect(await ui.unlabelledControls()).toEqual([]);
      await ui.saveRuleDeactivatingAtOnce('UL:SFDC');
    });

    await step('prices entered', () => ui.setPrice('EUR', 'UL:SFDC', '150.00'));

    await step('the simulation priced', async () => {
      await ui.openRule('UL:SFDC');
      expect(await ui.simulate(45)).toMatch(
        /^A 45-day rule would flag \d+ users, free \d+ licenses, worth €[\d,.]+ per month\./,
      );
    });

    await step('re-sync, as a changed rule asks before its candidates are decided', () => ui.resync(2));

    await step('a license typed into the filter is kept when the page draws again before Enter', async () => {
      await ui.tab('Candidates').click();
      await page.locator('#candidates-table[aria-busy=false]').waitFor();
      const box = page.getByLabel('License identifier', { exact: true });
      await box.fill('UL:SFDC');
      // Any answer arriving redraws the page; a route event stands for the list's answer landing
      // between the typing and the Enter (the race that once dropped the filter in CI).
      await page.evaluate("window.dispatchEvent(new HashChangeEvent('hashchange'))");
      expect(await box.inputValue()).toBe('UL:SFDC');
    });

    await step('approve three candidates', async () => {
      await ui.filterCandidates('UL:SFDC');
      const licenses = await page.locator('#candidates-table tbody td:nth-child(3)').allTextContents();
      expect(new Set(licenses)).toEqual(new Set(['UL:SFDC']));
      const users = await page.locator('#candidates-table tbody td:nth-child(2)').allTextContents();
      expect(users).toEqual([...users].sort());
      expect(users.some((u) => u.startsWith('lucia.'))).toBe(false);
      expect(await ui.unlabelledControls()).toEqual([]);
      await ui.approveFirst(3);
    });

    await step('re-sync: the approved users are reclaimed', async () => {
      await ui.resync(3);
      await ui.filterCandidates('UL:SFDC', 'reclaimed');
      expect(await page.locator('#candidates-table tbody tr').count()).toBe(3);
    });

    await step('the savings page shows the realized savings', async () => {
      await ui.openSavings('Acme Sales');
      await page.locator('#realized-savings').filter({ hasText: 'from 3 reclaimed seats' }).waitFor();
      expect(await page.locator('#realized-savings').textContent()).toContain('€450.00 per month');
      await page.locator('#compliance-position').waitFor();
      await page.locator('#chart-seats').waitFor();
      await page.locator('#chart-savings').waitFor();
      expect(await ui.unlabelledControls()).toEqual([]);
      expect(await page.getByRole('link', { name: 'Savings table as CSV' }).getAttribute('href')).toMatch(
        /\/savings\.csv$/,
      );
    });

    expect(problems).toEqual([]);
  }, 170_000);
});
