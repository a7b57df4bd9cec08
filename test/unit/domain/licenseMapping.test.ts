import { describe, expect, it } from 'vitest';
import {
  holdsSeat,
  licenseTypeOfIdentifier,
  modelOfPackageLicense,
  modelOfPermissionSetLicense,
  modelsOfUserLicense,
  productOfUserLicense,
  userSeatIdentifier,
} from '../../../shared/domain/licenseMapping.js';

const license = (licenseDefinitionKey: string, name: string) => ({
  licenseDefinitionKey,
  name,
  status: 'Active',
  totalLicenses: 10,
  usedLicenses: 4,
});

describe('license mapping', () => {
  it.each([
    ['SFDC', 'Salesforce', 'Sales Cloud'],
    ['AUL', 'Salesforce Platform', 'Platform'],
    ['PID_Customer_Community', 'Customer Community', 'Customer Community'],
    ['PID_Customer_Community_Login', 'Customer Community Login', 'Customer Community'],
    ['pid_customer_community_plus', 'Customer Community Plus', 'Customer Community'],
    ['PID_Partner_Community', 'Partner Community', 'Partner Community'],
    ['PID_Company_Community', 'Company Communities', 'Company Community'],
    ['PID_Chatter', 'Chatter Free', 'Chatter'],
    ['PID_Chatter_External', 'Chatter External', 'Chatter'],
  ])('when the license key is %s, then the product is %s', (key, name, product) => {
    expect(productOfUserLicense({ licenseDefinitionKey: key, name })).toBe(product);
  });

  it('when the key is unfamiliar but the name is known, then the name decides', () => {
    expect(productOfUserLicense({ licenseDefinitionKey: 'LEGACY_X', name: 'Salesforce Platform' })).toBe(
      'Platform',
    );
  });

  it('when neither key nor name is known, then the license is unrecognized with its identifier', () => {
    const result = modelsOfUserLicense(license('PID_Identity', 'Identity'));
    expect(result.models).toEqual([]);
    expect(result.unrecognized).toEqual({ identifier: 'UL:PID_Identity', label: 'Identity' });
  });

  it('when the license is SFDC, then it yields a Sales Cloud and a Service Cloud model with the org totals', () => {
    const { models } = modelsOfUserLicense(license('SFDC', 'Salesforce'));
    expect(models.map((m) => [m.identifier, m.product, m.licenseType, m.totalLicenses])).toEqual([
      ['UL:SFDC', 'Sales Cloud', 'user', 10],
      ['UL:SFDC:ServiceCloud', 'Service Cloud', 'user', 10],
    ]);
  });

  it('when a Salesforce user has the Service Cloud User feature license, then the seat is Service Cloud', () => {
    expect(userSeatIdentifier('SFDC', true)).toBe('UL:SFDC:ServiceCloud');
    expect(userSeatIdentifier('SFDC', false)).toBe('UL:SFDC');
    expect(userSeatIdentifier('AUL', true)).toBe('UL:AUL');
  });

  it('when a permission-set or package license is mapped, then the identifier follows PSL:/PKG: and site-wide has no total', () => {
    const psl = modelOfPermissionSetLicense({
      developerName: 'SalesConsoleUser',
      masterLabel: 'Sales Console User',
      status: 'Active',
      totalLicenses: 50,
      usedLicenses: 3,
    });
    expect([psl.identifier, psl.licenseType, psl.product]).toEqual([
      'PSL:SalesConsoleUser',
      'permission_set',
      'Sales Console User',
    ]);
    const siteWide = modelOfPackageLicense({
      namespacePrefix: 'et4ae5',
      status: 'Active',
      allowedLicenses: -1,
      usedLicenses: 0,
    });
    expect([siteWide.identifier, siteWide.licenseType, siteWide.totalLicenses]).toEqual([
      'PKG:et4ae5',
      'package',
      null,
    ]);
  });

  it('when a user is deactivated, then only assignment seats stay held', () => {
    expect(holdsSeat('user', false)).toBe(false);
    expect(holdsSeat('user', true)).toBe(true);
    expect(holdsSeat('permission_set', false)).toBe(true);
    expect(holdsSeat('package', false)).toBe(true);
  });

  it('when an identifier is read, then its prefix names the license type', () => {
    expect(licenseTypeOfIdentifier('UL:SFDC:ServiceCloud')).toBe('user');
    expect(licenseTypeOfIdentifier('FL:SupportUser')).toBe('feature');
    expect(licenseTypeOfIdentifier('PSL:X')).toBe('permission_set');
    expect(licenseTypeOfIdentifier('PKG:dsfs')).toBe('package');
    expect(licenseTypeOfIdentifier('something')).toBeNull();
  });
});
