import { describe, expect, it } from 'vitest';
import { classifyDeactivationRefusal } from '../../../shared/domain/deactivationRefusal.js';

const refusal = (message: string) => ({ code: 'FIELD_INTEGRITY_EXCEPTION', message });

describe('deactivation refusals', () => {
  it.each([
    ['You cannot deactivate yourself. Ask another administrator to deactivate your user.', 'running_user'],
    [
      'This user is the default lead owner. Choose a different default lead owner in Lead Settings before you deactivate this user.',
      'default_lead_owner',
    ],
    [
      'This user is the default case owner. Choose a different default case owner in Support Settings before you deactivate this user.',
      'default_case_owner',
    ],
    [
      'This user is the default workflow user. Choose a different default workflow user in Process Automation Settings before you deactivate this user.',
      'default_workflow_user',
    ],
    [
      'You cannot deactivate this user. This user is the only recipient of one or more workflow email alerts.',
      'workflow_or_alert_recipient',
    ],
    ['You cannot deactivate this user. This user owns one or more portal accounts.', 'portal_account_owner'],
    ['You cannot deactivate a user who is a portal administrator', 'portal_administrator'],
    ["You can't deactivate a site guest user.", 'site_guest_user'],
  ])('when Salesforce says "%s", then the blocker is %s', (message, blocker) => {
    expect(classifyDeactivationRefusal(refusal(message))).toBe(blocker);
  });

  it('when the message names no known blocker, then it is classified as license_or_other', () => {
    expect(
      classifyDeactivationRefusal({ code: 'LICENSE_LIMIT_EXCEEDED', message: 'License limit exceeded' }),
    ).toBe('license_or_other');
  });
});
