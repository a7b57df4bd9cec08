import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(TSX, ['simulator/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('simulator CLI', () => {
  it('when started, then it prints exactly one JSON line, serves the orgs and exits 0 on SIGTERM', async () => {
    const run = runCli(['--port', '0', '--orgs', '2', '--users', '10,25', '--seed', '5']);
    await expect.poll(() => run.output().stdout.includes('\n'), { timeout: 15_000 }).toBe(true);
    const lines = run.output().stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0] ?? '') as {
      url: string;
      orgs: { orgId: string; instanceUrl: string; users: number; clientId: string }[];
    };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.orgs.map((o) => o.users)).toEqual([10, 25]);
    // Origin only, as real instance URLs are: each org on a port of its own, none on the login host's.
    const origins = info.orgs.map((o) => o.instanceUrl);
    for (const origin of origins) expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set([info.url, ...origins]).size).toBe(3);
    expect(Object.keys(info.orgs[0] ?? {})).toEqual(
      expect.arrayContaining([
        'orgId',
        'instanceUrl',
        'loginUrl',
        'clientId',
        'clientSecret',
        'redirectUri',
        'adminUsername',
        'users',
      ]),
    );
    const limits = await fetch(`${info.orgs[0]?.instanceUrl}/services/data/v62.0/limits`);
    expect(limits.status).toBe(401);
    run.child.kill('SIGTERM');
    const [code] = await run.exited;
    expect(code).toBe(0);
  }, 30_000);

  it('when given a public host and an org port base, then the URLs it hands out name that host and those ports', async () => {
    // Below Linux's ephemeral range (32768-60999): a port there may be any outgoing connection's.
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const run = runCli([
      '--orgs',
      '2',
      '--users',
      '10',
      '--public-host',
      'localhost',
      '--org-port-base',
      `${base}`,
    ]);
    await expect.poll(() => run.output().stdout.includes('\n'), { timeout: 15_000 }).toBe(true);
    const info = JSON.parse(run.output().stdout.trim()) as { url: string; orgs: { instanceUrl: string }[] };
    expect(info.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(info.orgs.map((o) => o.instanceUrl)).toEqual([
      `http://localhost:${base}`,
      `http://localhost:${base + 1}`,
    ]);
    // A client reaching it by that name gets the org's API (401 without a token).
    expect((await fetch(`${info.orgs[1]?.instanceUrl}/services/data/v62.0/limits`)).status).toBe(401);
    run.child.kill('SIGTERM');
    expect((await run.exited)[0]).toBe(0);
  }, 30_000);

  it.each([
    [['--public-host', 'http://simulator']],
    [['--users', 'lots']],
    [['--users', '5']],
    [['--orgs', '3', '--users', '10,20']],
    [['--port', '-1']],
    [['--bogus', '1']],
  ])(
    'when the arguments are %j, then it says why on one stderr line and exits 2',
    async (args) => {
      const run = runCli(args);
      const [code] = await run.exited;
      const { stdout, stderr } = run.output();
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^simulator: /);
    },
    30_000,
  );
});
