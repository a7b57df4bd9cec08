import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../../shared/config.js';
import { mongoBaseUrl, redisUrl } from '../helpers/services.js';

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
      env: childEnv({ REDIS_URL: redisUrl(), MONGO_URL: mongoBaseUrl() }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('npm run demo', () => {
  it('when run on small demo orgs, then it sets both orgs up through the API, freezes the approved users, undoes one org and exits 0', async () => {
    const { code, out } = await runDemo(['--users', '1500,300', '--approve', '3']);
    expect(out, out).toContain('connected org 1: parent alias, Authorization Code');
    expect(out).toContain('connected org 2: child alias, Client Credentials');
    expect(out).toMatch(/## Acme Sales/);
    expect(out).toMatch(/## Acme Support/);
    // Acme Sales keeps its approved users frozen, waiting out the grace; Acme Support's are undone.
    expect(out).toMatch(
      /## Acme Sales\n[\s\S]*reclaim: frozen [1-3] \(deactivation due from \d{4}-\d\d-\d\d, after the 7-day grace\)/,
    );
    expect(out).toMatch(
      /Acme Support: undo of reclaim run \S+: [1-3] users restored \(unfrozen\), 0 not restored/,
    );
    expect(out).toMatch(
      /## Acme Support\n[\s\S]*reclaim: frozen 0 {3}deactivated: 0 {3}restored by undo: [1-3]/,
    );
    expect(out).toMatch(/Salesforce API calls: \d+ of the org's daily \d+/);
    expect(code).toBe(0);
  }, 240_000);
});
