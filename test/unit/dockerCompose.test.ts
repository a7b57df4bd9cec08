import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../../shared/workerHeap.js';

interface Service {
  image?: string;
  depends_on?: Record<string, unknown>;
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };

  it('when parsed, then it runs redis with AOF, mongo 7, the api and two worker replicas', () => {
    const s = compose.services;
    expect(s.redis?.command).toContain('--appendonly');
    expect(s.mongo?.image).toBe('mongo:7');
    expect(s.api?.environment?.MONGO_URL).toMatch(/^mongodb:\/\/mongo:27017\//);
    expect(s.worker?.deploy?.replicas).toBe(2);
  });

  it('when parsed, then no secret value is written into it', () => {
    for (const service of Object.values(compose.services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (/KEY|TOKEN|SECRET/.test(name)) expect(value).toMatch(/^\$\{/);
      }
    }
  });

  it('when a worker is started by compose or `npm run worker`, then it gets the same heap ceiling and allocator settings as the benchmark measured', () => {
    expect(compose.services.worker?.command?.slice(1, -1)).toEqual([...WORKER_NODE_FLAGS]);
    expect(compose.services.worker?.environment).toMatchObject(WORKER_MALLOC_ENV);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    const allocator = Object.entries(WORKER_MALLOC_ENV)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    expect(scripts.worker).toBe(
      `${allocator} node ${WORKER_NODE_FLAGS.join(' ')} --import tsx worker/main.ts`,
    );
  });

  it('when the api and workers run in compose, then they may reach the compose simulator and each of its orgs over plain http, which only a non-production process allows', () => {
    const command = compose.services.simulator!.command!;
    const arg = (name: string) => command[command.indexOf(name) + 1]!;
    // The simulator hands out URLs under the name the other containers resolve, one port per org.
    expect(arg('--public-host')).toBe('simulator');
    const orgs = arg('--users').split(',').length;
    const origins = [
      `simulator:${arg('--port')}`,
      ...Array.from({ length: orgs }, (_, i) => `simulator:${Number(arg('--org-port-base')) + i}`),
    ];
    for (const name of ['api', 'worker']) {
      const env = compose.services[name]?.environment ?? {};
      expect(env.SF_INSECURE_HTTP_HOSTS?.split(',')).toEqual(origins);
      // The image sets NODE_ENV=production, where an insecure host is refused at boot.
      expect(env.NODE_ENV).toBe('development');
      expect(compose.services[name]?.depends_on).toHaveProperty('simulator');
    }
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync('Dockerfile', 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const runtime = lines.slice(lines.lastIndexOf(lines.filter((l) => l.startsWith('FROM ')).at(-1)!));

  it('when the production image is built, then it builds the console and ships it where the compiled admin pages look for it', () => {
    // dashboard/adminPages/adminPages.ts serves ../console/dist/ next to itself: dist/dashboard/console/dist.
    const copies = runtime
      .filter((l) => l.startsWith('COPY --from=build '))
      .map((l) => l.split(/\s+/).slice(2) as [string, string]);
    const served = copies.find(([from]) => from === '/app/dashboard/console/dist');
    expect(served?.[1].replace(/^\.\//, '').replace(/\/$/, '')).toBe('dist/dashboard/console/dist');
    expect(copies.map(([from]) => from)).toContain('/app/dist');
    // `npm run build` compiles the processes and builds the console (Vite) before dev dependencies go.
    expect(lines.some((l) => l.startsWith('RUN npm run build'))).toBe(true);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.build).toContain('build:console');
  });
});
