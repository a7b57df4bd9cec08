/**
 * What downloadSubscriptions reads from Salesforce, as SOQL and zod schemas. The client turns Bulk
 * CSV rows into the same nested shape as REST records, so one schema serves both paths.
 */
import { z } from 'zod';

export const sfDate = z
  .string()
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'must be a Salesforce date-time');

export const nullableString = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const nullableNumber = z
  .number()
  .nullish()
  .transform((v) => v ?? null);
/** A checkbox Salesforce may leave out or null: unset means false. */
export const flag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);

export const userLicenseRecordSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  LicenseDefinitionKey: z.string(),
  Status: nullableString,
  TotalLicenses: nullableNumber,
  UsedLicenses: nullableNumber,
});
export type UserLicenseRecord = z.infer<typeof userLicenseRecordSchema>;
export const USER_LICENSE_SOQL =
  'SELECT Id, Name, LicenseDefinitionKey, Status, TotalLicenses, UsedLicenses FROM UserLicense ORDER BY Id';

export const permissionSetLicenseRecordSchema = z.object({
  Id: z.string(),
  DeveloperName: z.string(),
  MasterLabel: z.string(),
  Status: nullableString,
  TotalLicenses: nullableNumber,
  UsedLicenses: nullableNumber,
});
export type PermissionSetLicenseRecord = z.infer<typeof permissionSetLicenseRecordSchema>;
export const PERMISSION_SET_LICENSE_SOQL =
  'SELECT Id, DeveloperName, MasterLabel, Status, TotalLicenses, UsedLicenses FROM PermissionSetLicense ORDER BY Id';

export const packageLicenseRecordSchema = z.object({
  Id: z.string(),
  NamespacePrefix: z.string(),
  Status: nullableString,
  AllowedLicenses: nullableNumber,
  UsedLicenses: nullableNumber,
});
export type PackageLicenseRecord = z.infer<typeof packageLicenseRecordSchema>;
export const PACKAGE_LICENSE_SOQL =
  'SELECT Id, NamespacePrefix, Status, AllowedLicenses, UsedLicenses FROM PackageLicense ORDER BY Id';

const userFields = {
  Username: z.string(),
  Name: nullableString,
  Email: nullableString,
  FederationIdentifier: nullableString,
  IsActive: z.boolean(),
  UserType: z.string(),
  LastLoginDate: sfDate.nullish().transform((v) => v ?? null),
  CreatedDate: sfDate,
  Profile: z
    .object({
      Name: nullableString,
      PermissionsApiUserOnly: flag,
      UserLicense: z
        .object({ Name: nullableString, LicenseDefinitionKey: nullableString })
        .nullish()
        .transform((v) => v ?? null),
    })
    .nullish()
    .transform((v) => v ?? null),
};
const USER_COLUMNS =
  'Username, Name, Email, FederationIdentifier, IsActive, UserType, LastLoginDate, CreatedDate, Profile.Name, Profile.PermissionsApiUserOnly';

export const userRecordSchema = z.object({
  Id: z.string(),
  ...userFields,
  UserPermissionsSupportUser: flag,
  UserPermissionsMarketingUser: flag,
  UserPermissionsKnowledgeUser: flag,
  UserPermissionsInteractionUser: flag,
  UserPermissionsSFContentUser: flag,
});
export type UserRecord = z.infer<typeof userRecordSchema>;
export const USER_SOQL =
  `SELECT Id, ${USER_COLUMNS}, Profile.UserLicense.Name, Profile.UserLicense.LicenseDefinitionKey, ` +
  'UserPermissionsSupportUser, UserPermissionsMarketingUser, UserPermissionsKnowledgeUser, ' +
  'UserPermissionsInteractionUser, UserPermissionsSFContentUser FROM User';
export const USER_COUNT_SOQL = 'SELECT COUNT() FROM User';

/**
 * An assignment only names its user (the user's facts come from the user extract): fetching the
 * assignee's fields too made every assignment row carry ten columns nobody read.
 */
export const permissionSetLicenseAssignRecordSchema = z.object({
  Id: z.string(),
  AssigneeId: z.string(),
  PermissionSetLicenseId: z.string(),
});
export type PermissionSetLicenseAssignRecord = z.infer<typeof permissionSetLicenseAssignRecordSchema>;
export const PERMISSION_SET_LICENSE_ASSIGN_SOQL =
  'SELECT Id, AssigneeId, PermissionSetLicenseId FROM PermissionSetLicenseAssign';

export const userPackageLicenseRecordSchema = z.object({
  Id: z.string(),
  UserId: z.string(),
  PackageLicenseId: z.string(),
});
export type UserPackageLicenseRecord = z.infer<typeof userPackageLicenseRecordSchema>;
export const USER_PACKAGE_LICENSE_SOQL = 'SELECT Id, UserId, PackageLicenseId FROM UserPackageLicense';
