/**
 * The license landscape every generated org draws from: user licenses (with the UserType they
 * imply), profiles per license, permission-set licenses, managed packages and usage entitlements.
 * Weights are per mille of users; the mix mirrors a mid-size Sales + Service + Experience Cloud org.
 */
export interface UserLicenseDef {
  name: string;
  key: string;
  userType: string;
  weight: number;
  status: 'Active' | 'Disabled';
  /** Licenses bought beyond the users holding them; zero-weight licenses are bought and unused. */
  spare: number;
}

export interface ProfileDef {
  name: string;
  license: number;
  /** "API Only User" (PermissionsApiUserOnly): an integration's profile, never a person's. */
  apiOnly?: boolean;
}

export interface PermissionSetLicenseDef {
  developerName: string;
  masterLabel: string;
  status: 'Active' | 'Disabled';
  /** Days from the org's now; null = no expiry. */
  expiresInDays: number | null;
  /** Chance a Salesforce/Platform user holds it. */
  probability: number;
}

export interface PackageLicenseDef {
  namespacePrefix: string;
  status: 'Active' | 'Expired' | 'Trial';
  siteWide: boolean;
  expiresInDays: number | null;
  probability: number;
}

export interface TenantUsageEntitlementDef {
  masterLabel: string;
  setting: string;
  allowed: number;
  used: number | null;
  /** TenantUsageEntitlement.Frequency: how often usage is measured against the allowance. */
  frequency: 'Daily' | 'Weekly' | 'Fortnightly' | 'Monthly' | 'Quarterly' | 'Yearly' | 'Once';
  persistent: boolean;
  /** StartDate: this many days before the org's today (contracts rarely start on January 1st). */
  startDaysAgo: number;
  /** EndDate, the contract end: the day before StartDate plus this many months. */
  contractMonths: number;
}

export const USER_LICENSES: readonly UserLicenseDef[] = [
  { name: 'Salesforce', key: 'SFDC', userType: 'Standard', weight: 340, status: 'Active', spare: 25 },
  { name: 'Salesforce Platform', key: 'AUL', userType: 'Standard', weight: 100, status: 'Active', spare: 10 },
  {
    name: 'Customer Community',
    key: 'PID_Customer_Community',
    userType: 'CspLitePortal',
    weight: 120,
    status: 'Active',
    spare: 50,
  },
  {
    name: 'Customer Community Login',
    key: 'PID_Customer_Community_Login',
    userType: 'CspLitePortal',
    weight: 80,
    status: 'Active',
    spare: 100,
  },
  {
    name: 'Partner Community',
    key: 'PID_Partner_Community',
    userType: 'PowerPartner',
    weight: 50,
    status: 'Active',
    spare: 20,
  },
  {
    name: 'Customer Community Plus',
    key: 'PID_Customer_Community_Plus',
    userType: 'PowerCustomerSuccess',
    weight: 30,
    status: 'Active',
    spare: 10,
  },
  {
    name: 'Chatter Free',
    key: 'PID_Chatter',
    userType: 'CsnOnly',
    weight: 150,
    status: 'Active',
    spare: 500,
  },
  {
    name: 'Chatter External',
    key: 'PID_Chatter_External',
    userType: 'CsnOnly',
    weight: 40,
    status: 'Active',
    spare: 500,
  },
  { name: 'Identity', key: 'PID_Identity', userType: 'Standard', weight: 85, status: 'Active', spare: 100 },
  {
    name: 'Guest User License',
    key: 'PID_Guest_User',
    userType: 'Guest',
    weight: 5,
    status: 'Active',
    spare: 20,
  },
  {
    name: 'Company Communities',
    key: 'PID_Company_Community',
    userType: 'Standard',
    weight: 0,
    status: 'Active',
    spare: 15,
  },
  {
    name: 'Work.com Only',
    key: 'PID_WDC_Only',
    userType: 'Standard',
    weight: 0,
    status: 'Disabled',
    spare: 0,
  },
];

export const SALESFORCE_LICENSE = 0;
export const PLATFORM_LICENSE = 1;
export const GUEST_LICENSE = 9;

export const PROFILES: readonly ProfileDef[] = [
  { name: 'System Administrator', license: 0 },
  { name: 'Standard User', license: 0 },
  { name: 'Custom: Sales Profile', license: 0 },
  { name: 'Custom: Support Profile', license: 0 },
  { name: 'Standard Platform User', license: 1 },
  { name: 'Customer Community User', license: 2 },
  { name: 'Customer Community Login User', license: 3 },
  { name: 'Partner Community User', license: 4 },
  { name: 'Customer Community Plus User', license: 5 },
  { name: 'Chatter Free User', license: 6 },
  { name: 'Chatter External User', license: 7 },
  { name: 'Identity User', license: 8 },
  { name: 'Customer Portal Site Guest User', license: 9 },
  { name: 'Company Communities User', license: 10 },
  { name: 'Custom: Integration (API only)', license: 0, apiOnly: true },
];

/** The custom API-only profile a few Salesforce-license users hold (integration users). */
export const API_ONLY_PROFILE = PROFILES.findIndex((p) => p.apiOnly === true);

export const SYSTEM_ADMINISTRATOR_PROFILE = 0;
export const STANDARD_USER_PROFILE = 1;

export const PERMISSION_SET_LICENSES: readonly PermissionSetLicenseDef[] = [
  {
    developerName: 'SalesConsoleUser',
    masterLabel: 'Sales Console User',
    status: 'Active',
    expiresInDays: null,
    probability: 0.25,
  },
  {
    developerName: 'LightningConsoleUser',
    masterLabel: 'Lightning Service Console User',
    status: 'Active',
    expiresInDays: null,
    probability: 0.2,
  },
  {
    developerName: 'EinsteinAnalyticsPlusPsl',
    masterLabel: 'CRM Analytics Plus',
    status: 'Active',
    expiresInDays: 320,
    probability: 0.08,
  },
  {
    developerName: 'SalesforceCPQ_CPQStandardPerm',
    masterLabel: 'Salesforce CPQ License',
    status: 'Active',
    expiresInDays: 200,
    probability: 0.1,
  },
  {
    developerName: 'FieldServiceStandard',
    masterLabel: 'Field Service Standard',
    status: 'Active',
    expiresInDays: null,
    probability: 0.05,
  },
  {
    developerName: 'IdentityConnect',
    masterLabel: 'Identity Connect',
    status: 'Disabled',
    expiresInDays: -30,
    probability: 0,
  },
];

export const PACKAGE_LICENSES: readonly PackageLicenseDef[] = [
  { namespacePrefix: 'SBQQ', status: 'Active', siteWide: false, expiresInDays: 200, probability: 0.1 },
  { namespacePrefix: 'dsfs', status: 'Active', siteWide: false, expiresInDays: null, probability: 0.3 },
  { namespacePrefix: 'FinServ', status: 'Active', siteWide: false, expiresInDays: 400, probability: 0.06 },
  { namespacePrefix: 'et4ae5', status: 'Active', siteWide: true, expiresInDays: null, probability: 0 },
];

export const TENANT_USAGE_ENTITLEMENTS: readonly TenantUsageEntitlementDef[] = [
  {
    masterLabel: 'Einstein Requests',
    setting: 'EinsteinRequests',
    allowed: 100000,
    used: 4312,
    frequency: 'Monthly',
    persistent: false,
    startDaysAgo: 200,
    contractMonths: 36,
  },
  {
    masterLabel: 'Platform Events Delivered',
    setting: 'PlatformEventsDelivered',
    allowed: 50000,
    used: 1250,
    frequency: 'Monthly',
    persistent: false,
    startDaysAgo: 45,
    contractMonths: 12,
  },
  {
    masterLabel: 'Data Cloud Credits',
    setting: 'DataCloudCredits',
    allowed: 250000,
    used: null,
    frequency: 'Yearly',
    persistent: false,
    startDaysAgo: 400,
    contractMonths: 36,
  },
  {
    masterLabel: 'Additional Data Storage (GB)',
    setting: 'AdditionalDataStorage',
    allowed: 10,
    used: 3,
    frequency: 'Once',
    persistent: true,
    startDaysAgo: 100,
    contractMonths: 12,
  },
  {
    masterLabel: 'Customer Community Logins',
    setting: 'CustomerCommunityLogins',
    allowed: 20000,
    used: 7311,
    frequency: 'Monthly',
    persistent: false,
    startDaysAgo: 31,
    contractMonths: 24,
  },
];
