/**
 * Exclusion rules keep a license type (`identifier`) or people out of reclamation: a user id, a
 * username glob (`*` any run of characters, `?` one; see usernameGlob.ts), a Salesforce profile name, a user type.
 * Every comparison ignores case; Salesforce ids also match across their 15/18-character forms.
 */
import type { ExclusionKind } from '../db/models/exclusionRule.model.js';
import { compileUsernameGlob } from './usernameGlob.js';

export interface ExclusionRuleInput {
  kind: ExclusionKind;
  value: string;
  enabled: boolean;
}

export interface ExcludableSubscription {
  identifier: string;
  userId: string;
  username: string;
  profileName: string | null;
  userType: string;
}

export interface CompiledExclusions {
  /** The rule that keeps this subscription out, or null. */
  match(subscription: ExcludableSubscription): ExclusionRuleInput | null;
}

/** 15-character ids are the case-sensitive prefix of the 18-character form. */
function sameSalesforceId(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x.length === y.length) return x.toLowerCase() === y.toLowerCase();
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length === 15 && long.length === 18 && long.startsWith(short);
}

const lower = (s: string | null): string => (s ?? '').trim().toLowerCase();

export function compileExclusions(rules: readonly ExclusionRuleInput[]): CompiledExclusions {
  const enabled = rules.filter((r) => r.enabled);
  const tests = enabled.map((rule): [ExclusionRuleInput, (s: ExcludableSubscription) => boolean] => {
    const value = lower(rule.value);
    switch (rule.kind) {
      case 'identifier':
        return [rule, (s) => lower(s.identifier) === value];
      case 'user_id':
        return [rule, (s) => sameSalesforceId(s.userId, rule.value)];
      case 'username_pattern': {
        const matches = compileUsernameGlob(rule.value);
        return [rule, (s) => matches(s.username)];
      }
      case 'profile_name':
        return [rule, (s) => lower(s.profileName) === value];
      case 'user_type':
        return [rule, (s) => lower(s.userType) === value];
    }
  });
  return {
    match(subscription) {
      for (const [rule, test] of tests) if (test(subscription)) return rule;
      return null;
    },
  };
}
