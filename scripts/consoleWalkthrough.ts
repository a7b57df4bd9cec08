/**
 * What an admin does in the console, as Playwright actions on its labelled controls: each action
 * waits for the page to confirm it (a message, a row, a status) before it returns. The browser
 * journey test composes them with its own checks; scripts/consoleScreenshots.ts composes them to
 * reach the pages the README shows. Nothing here calls the api: everything goes through the UI.
 */
import type { Page } from 'playwright-core';

export interface OrgToConnect {
  alias: string;
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
}

export function consoleWalkthrough(page: Page, apiUrl: string) {
  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });
  const tab = (name: string) =>
    page.getByRole('navigation', { name: 'Profile pages' }).getByRole('link', { name, exact: true });
  const card = (title: string) => page.locator('.card', { has: page.getByRole('heading', { name: title }) });
  const succeeded = (jobName: string) =>
    page
      .locator('#jobs-table tr', { has: page.getByRole('cell', { name: jobName, exact: true }) })
      .locator('td.job-succeeded');

  async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !(await probe());) {
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** On a profile's job history: waits until `count` reclaim jobs (the runs' last job) succeeded. */
  async function waitForRuns(count: number, timeoutMs = 90_000): Promise<void> {
    await until(
      `${count} finished runs`,
      async () => {
        // A failed job ends the wait at once, with the reason the page shows.
        const failed = page.locator('#jobs-table td.job-failed');
        if ((await failed.count()) > 0)
          throw new Error(`a job failed: ${await failed.first().textContent()}`);
        return (await succeeded('reclaim').count()) >= count;
      },
      timeoutMs,
    );
  }

  return {
    nav,
    tab,
    card,

    /**
     * Form controls and buttons on the page with no accessible name (no label, aria-label or
     * aria-labelledby; for buttons, no text): each as its tag and id, so a test can demand none.
     */
    async unlabelledControls(): Promise<string[]> {
      const found =
        await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
        .filter((el) => {
          if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
          if (el.tagName === 'BUTTON') return el.textContent.trim() === '';
          return !el.labels || el.labels.length === 0;
        })
        .map((el) => el.tagName.toLowerCase() + '#' + (el.id || '?'))`);
      return Array.isArray(found) ? found.map(String) : ['(could not inspect the page)'];
    },

    /** The login form, with an API token or a one-time login code. */
    async logIn(secret: string): Promise<void> {
      await page.goto(`${apiUrl}/admin/`);
      await page.getByLabel('API token or one-time login code').fill(secret);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('#who').filter({ hasText: '(' }).waitFor();
    },

    async openSetup(): Promise<void> {
      await nav('Setup').click();
      await page.getByRole('heading', { name: 'Set up seatwise' }).waitFor();
    },

    /**
     * Step 1 with Authorization Code: the page leaves for Salesforce; `atSalesforce` acts on its
     * login and consent page (when the org shows one), and the callback brings the browser back.
     */
    async connectParent(org: OrgToConnect, atSalesforce?: () => Promise<void>): Promise<void> {
      await page.getByLabel('Alias name').fill(org.alias);
      await page.getByLabel('Salesforce instance or login URL').fill(org.instanceUrl);
      await page.getByRole('radio', { name: /Authorization Code/ }).check();
      await page.getByLabel('Connected app consumer key (client id)').fill(org.clientId);
      await page.getByLabel('Consumer secret').fill(org.clientSecret);
      await page.getByRole('button', { name: 'Create and authorize in Salesforce' }).click();
      if (atSalesforce) await atSalesforce();
      await page.waitForURL(`${apiUrl}/admin/#/setup`);
      await page.getByText(`connected to org ${org.orgId}`).waitFor();
    },

    /** Step 2 with Client Credentials: no browser step. */
    async addChild(org: OrgToConnect): Promise<void> {
      await page.getByText('Add a child alias').click();
      const form = page.locator('#child-alias');
      await form.getByLabel('Alias name').fill(org.alias);
      await form.getByLabel('Salesforce instance or login URL').fill(org.instanceUrl);
      await form.getByRole('radio', { name: /Client Credentials/ }).check();
      await form.getByLabel('Connected app consumer key (client id)').fill(org.clientId);
      await form.getByLabel('Consumer secret').fill(org.clientSecret);
      await form.getByRole('button', { name: 'Create and connect' }).click();
      await page
        .getByRole('list', { name: 'Child aliases' })
        .getByText(`connected to org ${org.orgId}`)
        .waitFor();
    },

    async createProfile(name: string, org: OrgToConnect, reclaim: boolean): Promise<void> {
      await page.getByLabel('Display name').fill(name);
      await page.getByLabel('Alias (org)').selectOption({ label: `${org.alias} (${org.orgId})` });
      await page.getByRole('checkbox', { name: /Reclaim: freeze or deactivate/ }).setChecked(reclaim);
      await page.getByRole('button', { name: 'Create profile' }).click();
      await page.getByRole('list', { name: 'Profiles' }).getByRole('link', { name, exact: true }).waitFor();
    },

    async validate(name: string): Promise<void> {
      await page.getByRole('button', { name: `Validate ${name}` }).click();
      await card(name).getByText('Validation passed').waitFor({ timeout: 60_000 });
    },

    /** Opens the confirmation; `inDialog` may read it before it is confirmed. */
    async publish(name: string, inDialog?: () => Promise<void>): Promise<void> {
      await page.getByRole('button', { name: `Publish ${name}` }).click();
      const dialog = page.getByRole('dialog', { name: `Publish ${name}?` });
      await dialog.getByText('The first run starts now').waitFor();
      if (inDialog) await inDialog();
      await dialog.getByRole('button', { name: 'Publish and start the first run' }).click();
      await page.getByText(`${name} is published: first run`).waitFor();
    },

    waitForRuns,

    /** Profile page: re-sync, then wait on its job history until `runs` runs have finished. */
    async resync(runs: number): Promise<void> {
      await page.getByRole('button', { name: 'Re-sync now' }).click();
      await page.getByRole('heading', { name: 'Job history' }).waitFor();
      await waitForRuns(runs);
    },

    async openRule(identifier: string): Promise<void> {
      await tab('Rules').click();
      await page.getByRole('button', { name: `Edit rule ${identifier}`, exact: true }).click();
    },

    /** Rule editor open: simulates a threshold; answers the sentence the page shows. */
    async simulate(thresholdDays: number): Promise<string> {
      await page.getByLabel('Days without login before a seat is a candidate').fill(String(thresholdDays));
      const result = page.locator('#simulation-result');
      const before = (await result.count()) > 0 ? await result.textContent() : null;
      await page.getByRole('button', { name: 'Simulate' }).click();
      let text = '';
      await until(
        'the simulation',
        async () => {
          text = (await result.count()) > 0 ? ((await result.textContent()) ?? '') : '';
          return text.startsWith(`A ${thresholdDays}-day rule`) && text !== before;
        },
        15_000,
      );
      return text;
    },

    /** Rule editor open: saves it to deactivate at once. */
    async saveRuleDeactivatingAtOnce(identifier: string): Promise<void> {
      await page.getByRole('checkbox', { name: /Deactivate at once/ }).check();
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByText(`Saved the rule for ${identifier}`).waitFor();
    },

    async setPrice(currency: string, identifier: string, perSeatMonth: string): Promise<void> {
      await tab('Prices and owned seats').click();
      await page.getByLabel('Currency of this profile (ISO 4217, e.g. EUR)').fill(currency);
      await page.getByRole('button', { name: 'Set currency' }).click();
      await page.getByText(`Now: ${currency}`).waitFor();
      await page.getByLabel(`Price per seat per month of ${identifier} (${currency})`).fill(perSeatMonth);
      await page.getByRole('button', { name: `Save ${identifier}`, exact: true }).click();
      await page.getByText(`Saved`).filter({ hasText: identifier }).waitFor();
    },

    /** Candidates of one license, spared users hidden, by username; waits for the list to settle. */
    async filterCandidates(identifier: string, status = 'pending'): Promise<void> {
      await tab('Candidates').click();
      await page.getByLabel('Status', { exact: true }).selectOption(status);
      await page.getByLabel('License identifier', { exact: true }).fill(identifier);
      await page.getByLabel('License identifier', { exact: true }).press('Enter');
      await page.getByLabel('Spared users', { exact: true }).selectOption('false');
      await page.getByLabel('Sort', { exact: true }).selectOption('username');
      await page.locator('#candidates-table[aria-busy=false]').waitFor();
    },

    /** The first `n` listed candidates, approved in one bulk decision. */
    async approveFirst(n: number): Promise<void> {
      const boxes = page.locator('#candidates-table tbody input[type=checkbox]');
      await boxes.first().waitFor();
      for (let i = 0; i < n; i += 1) await boxes.nth(i).check();
      await page.getByRole('button', { name: `Approve selected (${n})` }).click();
      await page.getByText(`${n} candidates now ready`).waitFor();
    },

    async openSavings(profile: string): Promise<void> {
      await nav('Savings').click();
      await page.getByLabel('Profile', { exact: true }).selectOption({ label: profile });
      await page.locator('#realized-savings').waitFor();
    },
  };
}
