import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadServiceEnv } from '../../shared/config.js';

const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

describe('configuration', () => {
  it('when only the encryption key is given, then every other setting has its documented default', () => {
    const config = loadConfig({ ENCRYPTION_KEYS: key });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.api.port).toBe(8080);
    expect(config.salesforce.budgetShare).toBe(0.5);
    expect(config.crypto.activeKeyId).toBe('k1');
    expect(config.worker.reclaimFanOutSize).toBe(1_000);
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it('when several values are bad, then each is reported on its own line naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        REDIS_URL: 'localhost:6379',
        PORT: 'eighty',
        API_TOKENS: 'bob:root:abc',
        RECLAIM_FAN_OUT_SIZE: '50',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.startsWith('REDIS_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('API_TOKENS:') && p.includes('unknown role'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ENCRYPTION_KEYS:'))).toBe(true);
    // Fewer than one Salesforce batch (200) per child job would only multiply jobs and calls.
    expect(problems.some((p) => p.startsWith('RECLAIM_FAN_OUT_SIZE:'))).toBe(true);
  });

  it('when Redis Cluster nodes are given, then the key prefix becomes a hash tag and a bad node is reported', () => {
    const single = loadConfig({ ENCRYPTION_KEYS: key, REDIS_PREFIX: 'acme' });
    expect(single.redis).toMatchObject({ prefix: 'acme', clusterNodes: [] });
    const clustered = loadConfig({
      ENCRYPTION_KEYS: key,
      REDIS_PREFIX: 'acme',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002',
    });
    expect(clustered.redis.prefix).toBe('{acme}');
    expect(clustered.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(() => loadConfig({ ENCRYPTION_KEYS: key, REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES: each node must be host:port/,
    );
  });

  it('when no Bulk poll setting is given, then status calls start at 1 s and grow to 15 s', () => {
    const { bulkPollFirstMs, bulkPollMaxMs } = loadConfig({ ENCRYPTION_KEYS: key }).salesforce;
    expect([bulkPollFirstMs, bulkPollMaxMs]).toEqual([1_000, 15_000]);
  });

  it('when an API token entry is well formed, then its role and hash are kept and the token itself is not', () => {
    const sha = 'a'.repeat(64);
    const config = loadConfig({ ENCRYPTION_KEYS: key, API_TOKENS: `ops:operator:${sha}` });
    expect(config.api.tokens).toEqual([{ name: 'ops', role: 'operator', sha256: sha }]);
  });

  it('when no FerretDB setting is given, then the handler is chosen automatically from the default PostgreSQL URL', () => {
    const env = loadServiceEnv({});
    expect(env.ferretdbHandler).toBe('auto');
    expect(env.ferretdbPostgresUrl).toBeUndefined();
  });

  it('when the FerretDB handler and PostgreSQL URL are set, then they are kept', () => {
    const env = loadServiceEnv({
      SEATWISE_FERRETDB_HANDLER: 'postgresql',
      SEATWISE_FERRETDB_POSTGRESQL_URL: 'postgres://app:pw@db.internal:5433/postgres',
    });
    expect(env.ferretdbHandler).toBe('postgresql');
    expect(env.ferretdbPostgresUrl).toBe('postgres://app:pw@db.internal:5433/postgres');
  });

  it("when FerretDB settings are bad or use FerretDB's own names, then each is reported", () => {
    let error: unknown;
    try {
      loadServiceEnv({
        SEATWISE_FERRETDB_HANDLER: 'mysql',
        SEATWISE_FERRETDB_POSTGRESQL_URL: 'mongodb://127.0.0.1:5432',
        FERRETDB_HANDLER: 'postgresql',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.startsWith('SEATWISE_FERRETDB_HANDLER:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SEATWISE_FERRETDB_POSTGRESQL_URL:'))).toBe(true);
    // FerretDB reads FERRETDB_HANDLER itself; seatwise's setting is the prefixed one.
    expect(problems).toContain(
      'FERRETDB_HANDLER: is read by FerretDB itself; seatwise reads SEATWISE_FERRETDB_HANDLER',
    );
  });
});
