import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { childEnv, loadConfig } from '../../shared/config.js';
import { createSecretBox, type EncryptedValue } from '../../shared/crypto/secretBox.js';
import { mongoBaseUrl, redisUrl } from '../helpers/services.js';
import {
  bullBoardHaystacks,
  findSecrets,
  mongoHaystacks,
  redisHaystacks,
  type Haystack,
} from '../helpers/secretsScan.js';

const RUNNING = 'running; press Ctrl-C to stop';

const stackInfo = z.object({
  simulatorUrl: z.string(),
  apiUrl: z.string(),
  tokens: z.object({ admin: z.string(), operator: z.string() }),
  redisUrl: z.string(),
  redisPrefix: z.string(),
  mongoUrl: z.string(),
  encryptionKeys: z.string(),
  logs: z.object({ api: z.string(), workers: z.array(z.string()) }),
});
type StackInfo = z.infer<typeof stackInfo>;

/** Runs the demo to the end of its flow, hands the still running stack to `inspect`, then stops it. */
function runDemo(
  args: string[],
  infoPath: string,
  inspect: (info: StackInfo) => Promise<void>,
): Promise<{ code: number | null; out: string; inspected: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo.ts', ...args, '--keep-running', '--stack-info', infoPath],
      {
        env: childEnv({ REDIS_URL: redisUrl(), MONGO_URL: mongoBaseUrl() }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let inspected = false;
    let inspecting = false;
    const onData = (c: Buffer) => {
      out += c.toString();
      if (!inspecting && out.includes(RUNNING)) {
        inspecting = true;
        readFile(infoPath, 'utf8')
          .then((raw) => inspect(stackInfo.parse(JSON.parse(raw))))
          .then(() => (inspected = true))
          .catch(reject)
          .finally(() => child.kill('SIGINT'));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => resolve({ code, out, inspected }));
  });
}

/** The secrets of the demo's orgs: client secrets from the simulator, tokens as seatwise holds them now. */
async function demoSecrets(info: StackInfo): Promise<{ label: string; value: string }[]> {
  const orgs = z
    .array(z.object({ orgId: z.string(), clientSecret: z.string() }))
    .parse(await (await fetch(`${info.simulatorUrl}/__admin/orgs`)).json());
  const secrets = orgs.map((o) => ({ label: `client secret of ${o.orgId}`, value: o.clientSecret }));
  const box = createSecretBox(loadConfig({ ENCRYPTION_KEYS: info.encryptionKeys }).crypto);
  const client = await MongoClient.connect(info.mongoUrl);
  try {
    type Sealed = {
      _id: unknown;
      tokens?: { accessToken: EncryptedValue; refreshToken?: EncryptedValue | null };
    };
    for (const a of await client.db().collection<Sealed>('connection_aliases').find().toArray()) {
      const aliasId = String(a._id);
      if (!a.tokens) continue;
      secrets.push({
        label: `access token of alias ${aliasId}`,
        value: box.open(a.tokens.accessToken, { aliasId, field: 'accessToken' }),
      });
      if (a.tokens.refreshToken) {
        secrets.push({
          label: `refresh token of alias ${aliasId}`,
          value: box.open(a.tokens.refreshToken, { aliasId, field: 'refreshToken' }),
        });
      }
    }
  } finally {
    await client.close();
  }
  return secrets;
}

/**
 * Any token the simulator ever issued, refreshed or rotated ones included: access tokens are
 * `<orgId>!<72 random bytes, base64url>`, refresh tokens `5Aep861<60 random bytes>`.
 */
const TOKEN_PATTERNS = [
  { label: 'an access token', pattern: /00D[0-9A-Za-z]{12,15}![A-Za-z0-9_-]{40}/ },
  { label: 'a refresh token', pattern: /5Aep861[A-Za-z0-9_-]{40}/ },
];

describe('npm run demo', () => {
  it('when run on small demo orgs, then it sets both orgs up through the API, freezes the approved users, undoes one org and exits 0; no secret is left in logs, Redis, Bull Board or MongoDB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatwise-demo-'));
    const scan: { haystacks: Haystack[]; secrets: { label: string; value: string }[] } = {
      haystacks: [],
      secrets: [],
    };
    try {
      const { code, out, inspected } = await runDemo(
        ['--users', '1500,300', '--approve', '3'],
        join(dir, 'stack.json'),
        async (info) => {
          scan.secrets = await demoSecrets(info);
          scan.haystacks = [
            { where: 'api log', text: info.logs.api },
            ...info.logs.workers.map((text, i) => ({ where: `worker ${i + 1} log`, text })),
            ...(await redisHaystacks(info.redisUrl, info.redisPrefix)),
            ...(await bullBoardHaystacks(info.apiUrl, info.tokens.admin)),
            ...(await mongoHaystacks(info.mongoUrl)),
          ];
        },
      );
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
      // Per org: the compliance position, then potential and realized monthly savings in the currency.
      for (const org of ['Acme Sales', 'Acme Support']) {
        expect(out).toMatch(new RegExp(`${org}: entered [1-9]\\d* list prices per seat per month \\(EUR\\)`));
        expect(out).toMatch(
          new RegExp(
            `## ${org}\\n[\\s\\S]*?compliance: under-licensed \\d+ models \\(true-up exposure \\d+\\.\\d\\d EUR/month\\), over-licensed \\d+ models[\\s\\S]*?savings: potential [1-9]\\d*\\.\\d\\d EUR/month \\(\\d+\\.\\d\\d EUR/year\\) from [1-9]\\d* reclaimable seats; realized 0\\.00 EUR/month from 0 reclaimed seats`,
          ),
        );
      }
      expect(code).toBe(0);
      expect(inspected).toBe(true);

      // The scan looked at something: two client secrets, an access token per alias, the auth-code
      // alias's refresh token; logs, job data, job views and documents of every kind.
      const labels = scan.secrets.map((s) => s.label);
      expect(labels.filter((l) => l.startsWith('client secret'))).toHaveLength(2);
      expect(labels.filter((l) => l.startsWith('access token'))).toHaveLength(2);
      expect(labels.filter((l) => l.startsWith('refresh token'))).toHaveLength(1);
      for (const s of scan.secrets.filter((x) => !x.label.startsWith('client'))) {
        expect(
          TOKEN_PATTERNS.some((p) => p.pattern.test(s.value)),
          `${s.label} matches a token pattern`,
        ).toBe(true);
      }
      const where = scan.haystacks.map((h) => h.where);
      expect(where.filter((w) => w.startsWith('redis ')).length).toBeGreaterThan(20);
      expect(where.filter((w) => w.startsWith('bull board ')).length).toBeGreaterThan(20);
      expect(where.some((w) => w.startsWith('mongodb connection_aliases'))).toBe(true);
      expect(where.some((w) => w.startsWith('mongodb job_runs'))).toBe(true);
      expect(scan.haystacks.find((h) => h.where === 'api log')!.text.split('\n').length).toBeGreaterThan(20);

      expect(findSecrets(scan.haystacks, scan.secrets, TOKEN_PATTERNS)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
