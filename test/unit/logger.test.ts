import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger.js';

describe('the logger', () => {
  it('when a log object carries tokens, secrets or an Authorization header, then none of their values is written', () => {
    const lines: string[] = [];
    const log = createLogger({ log: { level: 'info' } }, 'test', {
      write: (line: string) => lines.push(line),
    });
    log.info(
      {
        alias: { clientSecret: 's3cret-value', accessToken: 'tok-value' },
        headers: { Authorization: 'Bearer abc-value' },
        refresh_token: 'rt-value',
        code: 'ERR_CODE_KEPT',
      },
      'calling salesforce',
    );
    const output = lines.join('');
    for (const secret of ['s3cret-value', 'tok-value', 'abc-value', 'rt-value'])
      expect(output).not.toContain(secret);
    expect(output).toContain('ERR_CODE_KEPT');
    expect(output).toContain('[redacted]');
  });
});
