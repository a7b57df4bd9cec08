import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKER_NODE_FLAGS } from '../../shared/workerHeap.js';

interface Service {
  image?: string;
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

  it('when a worker is started by compose or `npm run worker`, then it gets the same heap ceiling as the benchmark measured', () => {
    expect(compose.services.worker?.command?.slice(1, -1)).toEqual([...WORKER_NODE_FLAGS]);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.worker).toBe(`node ${WORKER_NODE_FLAGS.join(' ')} --import tsx worker/main.ts`);
  });
});
