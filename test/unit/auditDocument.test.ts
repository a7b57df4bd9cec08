/**
 * The audit writer builds each entry itself (Mongoose's per-document work was half of a big
 * approval's audit write): what it stores must be exactly what the model would, and what the model
 * refuses it must refuse.
 */
import { Mongoose, Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { auditDocument, type AuditInput } from '../../shared/db/auditLog.js';
import { auditEntrySchema } from '../../shared/db/models/auditEntry.model.js';

const AuditEntry = new Mongoose().model('AuditEntry', auditEntrySchema);
const AT = new Date('2026-11-30T12:00:00.000Z');

const rule = {
  id: new Types.ObjectId(),
  identifier: 'UL:SFDC',
  revision: 3,
  action: 'freeze_user',
  thresholdDays: 90,
};

const INPUTS: Record<string, AuditInput> = {
  'a configuration change with nothing optional': {
    profileId: null,
    action: 'currency_set',
    actor: 'admin-user',
    outcome: 'EUR',
  },
  'an approval with rule and evidence': {
    profileId: new Types.ObjectId(),
    action: 'approve',
    actor: 'admin-user',
    outcome: 'pending->ready',
    userId: '005000000000001AAA',
    username: 'ana@example.com',
    candidateId: 'p|005000000000001AAA|UL:SFDC',
    rule,
    evidence: { lastLoginAt: new Date(0), daysInactive: 400, nested: { list: [1, 'two', null] } },
  },
  "a Salesforce write with its request and Salesforce's answer": {
    at: new Date('2026-11-29T08:00:00.000Z'),
    profileId: new Types.ObjectId(),
    runId: 'run_aaaaaaaaaaaa',
    action: 'freeze',
    actor: 'system:reclaim',
    outcome: 'success',
    rule,
    request: {
      method: 'PATCH',
      path: '/services/data/v62.0/composite/sobjects',
      sobject: 'UserLogin',
      change: 'IsFrozen=true',
      recordId: '060000000000001AAA',
    },
    response: { success: true, errors: [] },
    reason: null,
  },
  'a delete: its request has no change': {
    profileId: new Types.ObjectId(),
    action: 'remove_assignment',
    actor: 'system:reclaim',
    outcome: 'success',
    request: {
      method: 'DELETE',
      path: '/services/data/v62.0/composite/sobjects',
      sobject: 'PermissionSetLicenseAssign',
      change: null,
      recordId: '2LA000000000001AAA',
    },
    reason: 'license removed',
  },
};

const withoutId = <T extends { _id?: unknown }>(doc: T) => ({ ...doc, _id: undefined });

describe('audit entries as stored', () => {
  it.each(Object.entries(INPUTS))(
    'when %s is written, then it is stored exactly as the model stores it',
    async (_, input) => {
      const built = auditDocument(input, AT);
      const model = new AuditEntry({ ...input, at: input.at ?? AT });
      await expect(model.validate()).resolves.toBeUndefined();
      expect(withoutId(built)).toEqual(withoutId(model.toObject()));
      expect(built._id).toBeInstanceOf(Types.ObjectId);
    },
  );

  it('when a profile or rule id comes as its hex (read by another driver), then it is stored as an ObjectId, as the model casts it', () => {
    const profileId = new Types.ObjectId();
    const input = { ...INPUTS['an approval with rule and evidence']!, profileId: profileId.toHexString() };
    const built = auditDocument(input as unknown as AuditInput, AT);
    expect(built.profileId).toEqual(profileId);
    expect(built.rule?.id).toEqual(rule.id);
  });

  const base = INPUTS['an approval with rule and evidence']!;
  const BAD: [string, string, Record<string, unknown>][] = [
    ['an unknown action', 'action', { action: 'delete_everything' }],
    ['an empty actor', 'actor', { actor: '' }],
    ['no outcome', 'outcome', { outcome: undefined }],
    ['an invalid time', 'at', { at: new Date('nope') }],
    ['a rule without its identifier', 'rule', { rule: { ...rule, identifier: '' } }],
    ['a rule whose id is no ObjectId', 'rule', { rule: { ...rule, id: 'nope' } }],
    [
      'a request without its record',
      'request',
      { request: { method: 'PATCH', path: '/x', sobject: 'User' } },
    ],
    ['a profile id that is no ObjectId', 'profileId', { profileId: 'nope' }],
  ];
  it.each(BAD)(
    'when an entry has %s, then it is refused naming the field, as the model refuses it',
    async (_, field, change) => {
      const input = { ...base, ...change } as unknown as AuditInput;
      expect(() => auditDocument(input, AT)).toThrow(
        expect.objectContaining({ code: 'AUDIT_ENTRY_INVALID', context: expect.objectContaining({ field }) }),
      );
      await expect(new AuditEntry({ ...input, at: input.at ?? AT }).validate()).rejects.toBeDefined();
    },
  );
});
