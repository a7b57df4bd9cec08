/**
 * `npx tsx scripts/consoleScreenshots.ts`: the README's two screenshots of the admin console,
 * docs/screenshots/setup-wizard.png and docs/screenshots/savings.png. Starts its own stack (local
 * services, the simulator's two orgs, api and two workers) and walks the console in Debian's
 * Chromium as an admin would (scripts/consoleWalkthrough.ts): the wizard is shot once both
 * profiles are validated, the savings page after approved users were reclaimed. Run by hand.
 */
import { launchDebianChromium } from './debianChromium.js';
import { mkdir } from 'node:fs/promises';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import { ensureConsoleBuilt } from './consoleBuild.js';
import { consoleWalkthrough } from './consoleWalkthrough.js';
import { ensureServices, startStack, type RunningServices, type Stack } from './localStack.js';

const OUT = 'docs/screenshots';

async function main(): Promise<void> {
  let services: RunningServices | undefined;
  let sim: RunningSimulator | undefined;
  let stack: Stack | undefined;
  const browser = await launchDebianChromium();
  try {
    await ensureConsoleBuilt();
    await mkdir(OUT, { recursive: true });
    services = await ensureServices((line) => process.stdout.write(`${line}\n`));
    sim = await startSimulator({
      port: 0,
      seed: 7,
      quiet: true,
      orgs: [
        { users: 1200, seed: 7, oauth: { consentPage: true } },
        { users: 300, seed: 8, clientCredentialsUser: true },
      ],
    });
    stack = await startStack({ services, workers: 2, name: `screenshots_${Date.now().toString(36)}` });
    const [orgA, orgB] = sim.orgs;
    if (!orgA || !orgB) throw new Error('expected two simulated orgs');
    const sales = { alias: 'Acme Sales connection', ...orgA };
    const support = { alias: 'Acme Support connection', ...orgB };

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const ui = consoleWalkthrough(page, stack.apiUrl);
    await ui.logIn(stack.tokens.admin);
    await ui.openSetup();
    await ui.connectParent(sales, async () => {
      await page.getByRole('button', { name: 'Allow' }).click();
    });
    await ui.addChild(support);
    await ui.createProfile('Acme Sales', sales, true);
    await ui.createProfile('Acme Support', support, false);
    await ui.validate('Acme Sales');
    await ui.validate('Acme Support');
    await page.screenshot({ path: `${OUT}/setup-wizard.png`, fullPage: true });

    await ui.publish('Acme Sales');
    await ui.publish('Acme Support');
    await page.getByRole('link', { name: 'Job history of Acme Sales' }).click();
    await ui.waitForRuns(1, 300_000);
    await ui.openRule('UL:SFDC');
    await ui.simulate(45);
    await ui.saveRuleDeactivatingAtOnce('UL:SFDC');
    await ui.setPrice('EUR', 'UL:SFDC', '165.00');
    await ui.resync(2);
    await ui.filterCandidates('UL:SFDC');
    await ui.approveFirst(10);
    await ui.resync(3);
    await ui.openSavings('Acme Sales');
    await page.locator('#realized-savings').filter({ hasText: 'from 10 reclaimed seats' }).waitFor();
    await page.locator('#chart-savings').waitFor();
    // The figures and charts; the per-model table below them runs long.
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.screenshot({ path: `${OUT}/savings.png` });
    process.stdout.write(`wrote ${OUT}/setup-wizard.png and ${OUT}/savings.png\n`);
  } finally {
    await browser.close();
    await stack?.stop();
    await sim?.stop();
    await services?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${(error as Error).message}\n`);
  process.exit(1);
});
