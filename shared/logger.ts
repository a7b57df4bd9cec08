/** pino JSON logger with secrets redacted by path, whatever the log call passes. */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

/** Paths whose values are secrets wherever they appear in a log object (up to two levels down). */
export const REDACTED_PATHS: readonly string[] = (() => {
  const keys = [
    'authorization',
    'Authorization',
    'access_token',
    'accessToken',
    'refresh_token',
    'refreshToken',
    'client_secret',
    'clientSecret',
    'password',
    'token',
    'apiToken',
    'encryptionKey',
  ];
  const paths: string[] = [];
  for (const k of keys) paths.push(k, `*.${k}`, `*.*.${k}`);
  paths.push(
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.Authorization',
    'config.headers.Authorization',
  );
  return paths;
})();

export type { Logger };

export function createLogger(
  config: Pick<Config, 'log'>,
  name: string,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name,
      level: config.log.level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: { process: name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
