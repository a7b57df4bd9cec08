import { ConfigError, loadConfig, type Config } from './config.js';
import { describeError } from './errors.js';

/** Loads config or ends the process with one line per problem and no stack trace. */
export function loadConfigOrExit(processName: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`${processName}: config: ${problem}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** A start-up failure (unreachable service): one line, exit 1. */
export function exitOnStartupFailure(processName: string, error: unknown): never {
  process.stderr.write(`${processName}: cannot start: ${describeError(error).split('\n')[0]}\n`);
  process.exit(1);
}
