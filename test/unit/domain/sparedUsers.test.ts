import { describe, expect, it } from 'vitest';
import { sparedReason, type SpareFacts } from '../../../shared/domain/sparedUsers.js';

/** The same user in both id forms: the 15-character id is the prefix of the 18-character one. */
const ID_18 = '005000000000001AAA';
const ID_15 = '005000000000001';
const OTHER_ID_18 = '005000000000002AAA';

const user = (overrides: Partial<SpareFacts> = {}): SpareFacts => ({
  userId: ID_18,
  userType: 'Standard',
  profileName: 'Standard User',
  ...overrides,
});

describe('spared users', () => {
  it('when the user is the connected user under the same 18-character id, then it is spared as connected', () => {
    expect(sparedReason(user(), [OTHER_ID_18, ID_18])).toBe('connected_user');
  });

  it('when the connected user is known by its 15-character id and the user by its 18, then it is spared', () => {
    expect(sparedReason(user({ userId: ID_18 }), [ID_15])).toBe('connected_user');
  });

  it('when the connected user is known by its 18-character id and the user by its 15, then it is spared', () => {
    expect(sparedReason(user({ userId: ID_15 }), [ID_18])).toBe('connected_user');
  });

  it('when the connected user is another user, or the ids differ only in case, then it is not spared', () => {
    expect(sparedReason(user(), [OTHER_ID_18])).toBeNull();
    // The 15-character id is case-sensitive: ids differing in case within it are different users.
    expect(sparedReason(user({ userId: '005000000000a01AAA' }), ['005000000000A01AAA'])).toBeNull();
    expect(sparedReason(user(), [])).toBeNull();
  });

  it('when the profile is API-only, then the user is spared as api-only', () => {
    expect(sparedReason(user({ apiOnly: true }), [OTHER_ID_18])).toBe('api_only_user');
  });

  it.each([
    'Minimum Access - API Only Integrations',
    'minimum access - api only integrations',
    'MINIMUM ACCESS - API ONLY INTEGRATIONS',
    'Salesforce API Only System Integrations',
    'salesforce api only system integrations',
    '  SALESFORCE API Only System Integrations ',
  ])(
    'when the profile is the integration profile "%s", then the user is spared as integration',
    (profileName) => {
      expect(sparedReason(user({ profileName }), [])).toBe('integration_user');
    },
  );

  it.each(['AutomatedProcess', 'automatedprocess', 'CloudIntegrationUser', 'CLOUDINTEGRATIONUSER'])(
    'when the user type is %s, then the user is spared as an automated process',
    (userType) => {
      expect(sparedReason(user({ userType }), [])).toBe('automated_process_user');
    },
  );

  it('when the user is a site Guest, then it is spared as unable to log in', () => {
    expect(sparedReason(user({ userType: 'Guest', profileName: 'Acme Site Profile' }), [])).toBe(
      'cannot_log_in',
    );
    expect(sparedReason(user({ userType: 'guest' }), [])).toBe('cannot_log_in');
  });

  it('when the connected user is also API-only, integration and automated, then connected user wins', () => {
    const everything = user({
      apiOnly: true,
      profileName: 'Minimum Access - API Only Integrations',
      userType: 'AutomatedProcess',
    });
    expect(sparedReason(everything, [ID_15])).toBe('connected_user');
  });

  it('when several other reasons apply, then api-only precedes integration precedes automated precedes guest', () => {
    const integrationProfile = 'Salesforce API Only System Integrations';
    expect(
      sparedReason(user({ apiOnly: true, profileName: integrationProfile, userType: 'Guest' }), []),
    ).toBe('api_only_user');
    expect(sparedReason(user({ profileName: integrationProfile, userType: 'AutomatedProcess' }), [])).toBe(
      'integration_user',
    );
    expect(sparedReason(user({ profileName: integrationProfile, userType: 'Guest' }), [])).toBe(
      'integration_user',
    );
  });

  it('when the user is an ordinary Standard user, then it is not spared', () => {
    expect(sparedReason(user(), [OTHER_ID_18])).toBeNull();
  });

  it('when the profile is System Administrator, or missing, then the user is not spared', () => {
    expect(sparedReason(user({ profileName: 'System Administrator' }), [])).toBeNull();
    expect(sparedReason(user({ profileName: null }), [])).toBeNull();
  });

  it('when the profile only resembles an integration profile, then the user is not spared', () => {
    expect(sparedReason(user({ profileName: 'Minimum Access - Salesforce' }), [])).toBeNull();
    expect(sparedReason(user({ profileName: 'API Only Integrations' }), [])).toBeNull();
  });

  it.each(['PowerPartner', 'PowerCustomerSuccess', 'CspLitePortal', 'CsnOnly'])(
    'when the user type is %s, then the user is not spared',
    (userType) => {
      expect(sparedReason(user({ userType }), [])).toBeNull();
    },
  );

  it.each([false, null, undefined])('when apiOnly is %s, then the user is not spared for it', (apiOnly) => {
    expect(sparedReason(user({ apiOnly }), [])).toBeNull();
  });
});
