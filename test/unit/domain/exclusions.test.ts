import { describe, expect, it } from 'vitest';
import { compileExclusions, type ExcludableSubscription } from '../../../shared/domain/exclusions.js';
import { globMatches } from '../../../shared/domain/usernameGlob.js';

const subscription: ExcludableSubscription = {
  identifier: 'UL:SFDC',
  userId: '005000000000001AAA',
  username: 'Integration.User@Acme.example',
  profileName: 'System Administrator',
  userType: 'Standard',
};

describe('exclusions', () => {
  it('when a username glob matches in another case, then the subscription is excluded', () => {
    const exclusions = compileExclusions([
      { kind: 'username_pattern', value: 'integration.*@acme.*', enabled: true },
    ]);
    expect(exclusions.match(subscription)?.kind).toBe('username_pattern');
  });

  it('when a glob matches only part of the username, then it does not exclude', () => {
    expect(globMatches('integration', 'integration.user@acme.example')).toBe(false);
    expect(globMatches('*@acme.example', 'x@acme.example.org')).toBe(false);
    expect(globMatches('user?@a.b', 'user1@a.b')).toBe(true);
  });

  it('when the glob contains regex characters, then they match literally', () => {
    expect(globMatches('a+b@x.com', 'a+b@x.com')).toBe(true);
    expect(globMatches('a+b@x.com', 'aab@xxcom')).toBe(false);
  });

  it('when the rule names the identifier, profile or user type in another case, then it excludes', () => {
    for (const [kind, value] of [
      ['identifier', 'ul:sfdc'],
      ['profile_name', 'SYSTEM administrator'],
      ['user_type', 'standard'],
    ] as const) {
      expect(compileExclusions([{ kind, value, enabled: true }]).match(subscription)?.kind).toBe(kind);
    }
  });

  it('when a user id rule uses the 15-character form, then the 18-character id is excluded', () => {
    const rule = { kind: 'user_id' as const, value: '005000000000001', enabled: true };
    expect(compileExclusions([rule]).match(subscription)).toEqual(rule);
    expect(compileExclusions([{ ...rule, value: '005000000000002' }]).match(subscription)).toBeNull();
  });

  it('when a matching rule is disabled, then nothing is excluded', () => {
    expect(
      compileExclusions([{ kind: 'user_type', value: 'Standard', enabled: false }]).match(subscription),
    ).toBeNull();
  });

  it('when the subscription has no profile, then a profile rule does not match it', () => {
    const exclusions = compileExclusions([
      { kind: 'profile_name', value: 'System Administrator', enabled: true },
    ]);
    expect(exclusions.match({ ...subscription, profileName: null })).toBeNull();
  });
});
