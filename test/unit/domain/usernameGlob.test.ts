import { describe, expect, it } from 'vitest';
import { compileExclusions } from '../../../shared/domain/exclusions.js';
import {
  GLOB_MAX_LENGTH,
  GLOB_MAX_WILDCARDS,
  compileUsernameGlob,
  globLimitProblem,
  globMatches,
} from '../../../shared/domain/usernameGlob.js';
import { seededRandom } from '../../helpers/seededRandom.js';

/** The pattern: with a backtracking RegExp, 22 s for one username. */
const PATHOLOGICAL = `${'*?'.repeat(10)}#`;

/** The reference: the old RegExp translation, fine on short inputs. */
function byRegExp(glob: string, text: string): boolean {
  const body = glob
    .trim()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'is').test(text);
}

describe('username globs', () => {
  it('when the pathological pattern meets long usernames, then every match answers within milliseconds', () => {
    const usernames = [
      'a'.repeat(80),
      `${'x'.repeat(79)}@`,
      `${'integration.user'.repeat(60)}@acme.example`,
      'b'.repeat(5_000),
    ];
    const started = performance.now();
    for (const username of usernames) expect(globMatches(PATHOLOGICAL, username)).toBe(false);
    expect(globMatches(PATHOLOGICAL, `${'a'.repeat(30)}#`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('when a pattern over the limits is compiled anyway, then it excludes every user in bounded time', () => {
    const matches = compileUsernameGlob(PATHOLOGICAL);
    expect(matches('anyone@acme.example')).toBe(true);
    const rule = { kind: 'username_pattern' as const, value: PATHOLOGICAL, enabled: true };
    const subscription = {
      identifier: 'UL:SFDC',
      userId: '005000000000001AAA',
      username: 'z'.repeat(80),
      profileName: null,
      userType: 'Standard',
    };
    expect(compileExclusions([rule]).match(subscription)).toEqual(rule);
  });

  it('when a glob is within the limits, then no problem; over either limit, then the problem says which', () => {
    expect(globLimitProblem('*.admin@*.example.com')).toBeNull();
    expect(globLimitProblem('a'.repeat(GLOB_MAX_LENGTH))).toBeNull();
    expect(globLimitProblem('a'.repeat(GLOB_MAX_LENGTH + 1))?.message).toMatch(/at most 128 characters/);
    expect(globLimitProblem('?'.repeat(GLOB_MAX_WILDCARDS))).toBeNull();
    expect(globLimitProblem(PATHOLOGICAL)?.message).toMatch(/at most 16 wildcards.*it has 20/);
  });

  it('when globs and usernames are generated at random, then the matcher agrees with a regular expression', () => {
    const r = seededRandom(14_2026);
    const alphabet = ['a', 'b', '.', '@', '*', '?', 'A', '+'];
    const disagreements: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const glob = Array.from({ length: Math.floor(r() * 8) }, () => alphabet[Math.floor(r() * 8)]).join('');
      const text = Array.from({ length: Math.floor(r() * 10) }, () => 'ab.@A+'[Math.floor(r() * 6)]).join('');
      if (globMatches(glob, text) !== byRegExp(glob.toLowerCase(), text.toLowerCase())) {
        disagreements.push(`${glob} vs ${text}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('when a glob has stars in a row, a leading ? or non-ASCII characters, then it matches as written', () => {
    expect(globMatches('**@acme.example', 'x@acme.example')).toBe(true);
    expect(globMatches('***', '')).toBe(true);
    expect(globMatches('?', '')).toBe(false);
    expect(globMatches('?@a', 'é@a')).toBe(true);
    expect(globMatches('?@a', '😀@a')).toBe(true);
    expect(globMatches('  jo*@a ', 'JOHN@A')).toBe(true);
  });
});
