/**
 * Which product a Salesforce license is, and the identifier seatwise keys it by
 * (convention in `shared/db/models/softwareModel.model.ts`): `UL:<LicenseDefinitionKey>` for user
 * licenses, `FL:<feature>` for feature licenses, `PSL:<DeveloperName>`, `PKG:<NamespacePrefix>`.
 * Sales Cloud and Service Cloud share the "Salesforce" user license (SFDC); a Service Cloud user is
 * the one with the Service Cloud User feature license, so that user's seat gets its own identifier.
 */
import type { LicenseType } from '../db/models/softwareModel.model.js';

export const PRODUCTS = {
  salesCloud: 'Sales Cloud',
  serviceCloud: 'Service Cloud',
  platform: 'Platform',
  customerCommunity: 'Customer Community',
  partnerCommunity: 'Partner Community',
  companyCommunity: 'Company Community',
  chatter: 'Chatter',
} as const;

/** The identifier of an SFDC seat held by a Service Cloud user. */
export const SERVICE_CLOUD_IDENTIFIER = 'UL:SFDC:ServiceCloud';
export const SALES_CLOUD_IDENTIFIER = 'UL:SFDC';

export interface ProductMapping {
  product: string;
  licenseType: LicenseType;
}

export const userLicenseIdentifier = (licenseDefinitionKey: string): string => `UL:${licenseDefinitionKey}`;
export const permissionSetLicenseIdentifier = (developerName: string): string => `PSL:${developerName}`;
export const packageLicenseIdentifier = (namespacePrefix: string): string => `PKG:${namespacePrefix}`;
export const featureLicenseIdentifier = (feature: FeatureLicense): string => `FL:${feature}`;

/** User feature-license flags (User.UserPermissions*) and what each one is sold as. */
export const FEATURE_LICENSES = {
  SupportUser: { field: 'UserPermissionsSupportUser', product: 'Service Cloud User' },
  MarketingUser: { field: 'UserPermissionsMarketingUser', product: 'Marketing User' },
  KnowledgeUser: { field: 'UserPermissionsKnowledgeUser', product: 'Knowledge User' },
  InteractionUser: { field: 'UserPermissionsInteractionUser', product: 'Flow User' },
  SFContentUser: { field: 'UserPermissionsSFContentUser', product: 'Salesforce CRM Content User' },
} as const;
export type FeatureLicense = keyof typeof FEATURE_LICENSES;
export const FEATURE_LICENSE_NAMES = Object.keys(FEATURE_LICENSES) as FeatureLicense[];

/** Matched in order; keys compare case-insensitively, `*` = any suffix. */
const USER_LICENSE_PRODUCTS: readonly { key: string; product: string }[] = [
  { key: 'SFDC', product: PRODUCTS.salesCloud },
  { key: 'AUL', product: PRODUCTS.platform },
  { key: 'AUL1', product: PRODUCTS.platform },
  { key: 'PID_Force_com', product: PRODUCTS.platform },
  { key: 'PID_Customer_Community*', product: PRODUCTS.customerCommunity },
  { key: 'PID_Partner_Community*', product: PRODUCTS.partnerCommunity },
  { key: 'PID_Company_Community*', product: PRODUCTS.companyCommunity },
  { key: 'PID_Chatter*', product: PRODUCTS.chatter },
];

/** Licenses recognised by name when the key is unfamiliar (older orgs, renamed keys). */
const USER_LICENSE_NAMES: Readonly<Record<string, string>> = {
  salesforce: PRODUCTS.salesCloud,
  'salesforce platform': PRODUCTS.platform,
  'force.com - app subscription': PRODUCTS.platform,
  'customer community': PRODUCTS.customerCommunity,
  'customer community login': PRODUCTS.customerCommunity,
  'customer community plus': PRODUCTS.customerCommunity,
  'partner community': PRODUCTS.partnerCommunity,
  'partner community login': PRODUCTS.partnerCommunity,
  'company communities': PRODUCTS.companyCommunity,
  'company community': PRODUCTS.companyCommunity,
  'chatter free': PRODUCTS.chatter,
  'chatter external': PRODUCTS.chatter,
};

function keyMatches(pattern: string, key: string): boolean {
  const p = pattern.toLowerCase();
  const k = key.toLowerCase();
  return p.endsWith('*') ? k.startsWith(p.slice(0, -1)) : k === p;
}

/** The product of a UserLicense, or null when seatwise does not know it (→ unrecognized). */
export function productOfUserLicense(license: { licenseDefinitionKey: string; name: string }): string | null {
  const byKey = USER_LICENSE_PRODUCTS.find((entry) => keyMatches(entry.key, license.licenseDefinitionKey));
  return byKey?.product ?? USER_LICENSE_NAMES[license.name.trim().toLowerCase()] ?? null;
}

/**
 * The identifier of the seat a user's user license takes: a "Salesforce" (SFDC) seat counts as
 * Service Cloud when the user has the Service Cloud User feature license.
 */
export function userSeatIdentifier(licenseDefinitionKey: string, isServiceCloudUser: boolean): string {
  if (licenseDefinitionKey.toUpperCase() === 'SFDC' && isServiceCloudUser) return SERVICE_CLOUD_IDENTIFIER;
  return userLicenseIdentifier(licenseDefinitionKey);
}

export interface ModelDescriptor extends ProductMapping {
  identifier: string;
  label: string;
  totalLicenses: number | null;
  usedLicenses: number | null;
  status: string | null;
}

/** Models a UserLicense row yields: one, or two for SFDC (Sales Cloud and Service Cloud seats). */
export function modelsOfUserLicense(license: {
  licenseDefinitionKey: string;
  name: string;
  status: string | null;
  totalLicenses: number | null;
  usedLicenses: number | null;
}): { models: ModelDescriptor[]; unrecognized: { identifier: string; label: string } | null } {
  const identifier = userLicenseIdentifier(license.licenseDefinitionKey);
  const product = productOfUserLicense(license);
  if (!product) return { models: [], unrecognized: { identifier, label: license.name } };
  const base = {
    licenseType: 'user' as const,
    totalLicenses: license.totalLicenses,
    usedLicenses: license.usedLicenses,
    status: license.status,
  };
  const models: ModelDescriptor[] = [{ ...base, identifier, product, label: license.name }];
  if (identifier === SALES_CLOUD_IDENTIFIER) {
    models.push({
      ...base,
      identifier: SERVICE_CLOUD_IDENTIFIER,
      product: PRODUCTS.serviceCloud,
      label: `${license.name} (Service Cloud User)`,
    });
  }
  return { models, unrecognized: null };
}

export function modelOfPermissionSetLicense(psl: {
  developerName: string;
  masterLabel: string;
  status: string | null;
  totalLicenses: number | null;
  usedLicenses: number | null;
}): ModelDescriptor {
  return {
    identifier: permissionSetLicenseIdentifier(psl.developerName),
    product: psl.masterLabel,
    licenseType: 'permission_set',
    label: psl.masterLabel,
    totalLicenses: psl.totalLicenses,
    usedLicenses: psl.usedLicenses,
    status: psl.status,
  };
}

/** AllowedLicenses −1 means site-wide: no seat count to track. */
export function modelOfPackageLicense(pkg: {
  namespacePrefix: string;
  status: string | null;
  allowedLicenses: number | null;
  usedLicenses: number | null;
}): ModelDescriptor {
  return {
    identifier: packageLicenseIdentifier(pkg.namespacePrefix),
    product: `Managed package ${pkg.namespacePrefix}`,
    licenseType: 'package',
    label: pkg.namespacePrefix,
    totalLicenses: pkg.allowedLicenses === -1 ? null : pkg.allowedLicenses,
    usedLicenses: pkg.usedLicenses,
    status: pkg.status,
  };
}

export function modelsOfFeatureLicenses(): ModelDescriptor[] {
  return FEATURE_LICENSE_NAMES.map((feature) => ({
    identifier: featureLicenseIdentifier(feature),
    product: FEATURE_LICENSES[feature].product,
    licenseType: 'feature',
    label: FEATURE_LICENSES[feature].product,
    totalLicenses: null,
    usedLicenses: null,
    status: null,
  }));
}

/** Whether a subscription row occupies a paid seat: user seats only while the user is active. */
export function holdsSeat(licenseType: LicenseType, isActive: boolean): boolean {
  return licenseType === 'permission_set' || licenseType === 'package' ? true : isActive;
}

/** The kind of license an identifier names, from its prefix. */
export function licenseTypeOfIdentifier(identifier: string): LicenseType | null {
  if (identifier.startsWith('UL:')) return 'user';
  if (identifier.startsWith('FL:')) return 'feature';
  if (identifier.startsWith('PSL:')) return 'permission_set';
  if (identifier.startsWith('PKG:')) return 'package';
  return null;
}
