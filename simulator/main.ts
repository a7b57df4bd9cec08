/**
 * CLI: `npm run sim -- --port 0 --orgs 2 --users 100,5000 --seed 7`. Prints exactly one JSON line
 * on stdout once listening (the login host's URL and each org's own instance origin), everything else on stderr; bad arguments exit 2; SIGTERM/SIGINT stop
 * the server cleanly (exit 0).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startSimulator } from './server.js';

const MIN_USERS = 10;
const MAX_USERS = 1_000_000;

const argsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(0),
    // Org i's instance origin listens on this + i (fixed ports for containers); absent = free ports.
    'org-port-base': z.coerce.number().int().min(1).max(65_000).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    // The host name clients reach it by, when that is not the listening address (a compose service).
    'public-host': z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name or IPv4 address, without scheme or port')
      .optional(),
    orgs: z.coerce.number().int().min(1).max(100).optional(),
    users: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'users must be a number or a comma-separated list of numbers')
      .default('100')
      .transform((text) => text.split(',').map(Number))
      .refine(
        (list) => list.every((n) => n >= MIN_USERS && n <= MAX_USERS),
        `users must be ${MIN_USERS}..${MAX_USERS}`,
      ),
    seed: z.coerce.number().int().default(1),
    'latency-ms': z.coerce.number().nonnegative().default(0),
    'per-record-ms': z.coerce.number().nonnegative().default(0),
    'token-ttl': z.coerce.number().int().positive().default(7200),
    /** Bulk API 2.0 job durations: 1 = as a big org behaves (default), 0.01 = a hundred times faster. */
    'bulk-time-scale': z.coerce.number().positive().max(100).default(1),
  })
  .strict()
  .refine((a) => a.orgs === undefined || a.users.length === 1 || a.users.length === a.orgs, {
    message: '--users lists one count per org: give one number or exactly --orgs numbers',
  });

const OPTION_NAMES = [
  'port',
  'org-port-base',
  'host',
  'public-host',
  'orgs',
  'users',
  'seed',
  'latency-ms',
  'per-record-ms',
  'token-ttl',
  'bulk-time-scale',
] as const;

function fail(message: string, code: number): never {
  process.stderr.write(`simulator: ${message.replace(/\s*\n\s*/g, '; ')}\n`);
  process.exit(code);
}

function parseCli(argv: string[]): z.output<typeof argsSchema> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: Object.fromEntries(OPTION_NAMES.map((name) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return argsSchema.parse(values);
  } catch (error) {
    return fail(error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message, 2);
  }
}

async function main(): Promise<void> {
  const args = parseCli(process.argv.slice(2));
  const orgCount = args.orgs ?? args.users.length;
  const latency = { perCallMs: args['latency-ms'], perRecordMs: args['per-record-ms'] };
  const simulator = await startSimulator({
    port: args.port,
    ...(args['org-port-base'] ? { orgPortBase: args['org-port-base'] } : {}),
    host: args.host,
    ...(args['public-host'] ? { publicHost: args['public-host'] } : {}),
    seed: args.seed,
    accessTokenTtlSeconds: args['token-ttl'],
    orgs: Array.from({ length: orgCount }, (_, i) => ({
      users: args.users[i] ?? args.users[0] ?? 100,
      latency,
      bulkTiming: { timeScale: args['bulk-time-scale'] },
    })),
  });
  const orgs = simulator.orgs.map((o) => ({
    orgId: o.orgId,
    instanceUrl: o.instanceUrl,
    loginUrl: o.loginUrl,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    redirectUri: o.redirectUri,
    adminUsername: o.adminUsername,
    adminUserId: o.adminUserId,
    users: o.users,
  }));
  process.stdout.write(`${JSON.stringify({ url: simulator.url, orgs })}\n`);
  const shutdown = (): void => {
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`stop failed: ${(error as Error).message}`, 1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => fail((error as Error).message, 1));
