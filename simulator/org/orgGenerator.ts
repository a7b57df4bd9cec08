/**
 * Generates one org from (seed, size) into compact columns: a 1,000,000-user org is a handful of
 * typed arrays (about 20 bytes per user plus assignments), never a million objects. Names, ids and
 * managers are recomputed on demand from the seed; writes mutate the columns in place.
 */
import { AssignmentTable } from './assignmentTable.js';
import type { GeneratedBlocker } from '../sobjects/deactivationBlockers.js';
import { chooseBlockedUsers } from '../sobjects/deactivationBlockers.js';
import {
  GUEST_LICENSE,
  PACKAGE_LICENSES,
  PERMISSION_SET_LICENSES,
  PLATFORM_LICENSE,
  API_ONLY_PROFILE,
  PROFILES,
  SALESFORCE_LICENSE,
  STANDARD_USER_PROFILE,
  SYSTEM_ADMINISTRATOR_PROFILE,
  USER_LICENSES,
} from './licenseCatalog.js';
import { PERMISSION_SETS } from './permissionSetCatalog.js';
import { DAY_MS } from './salesforceDates.js';
import { encodeBase62, KEY_PREFIXES, makeId } from './salesforceIds.js';
import { hash32, pickWeighted, unit } from './seededRandom.js';

export const USER_FLAG = {
  active: 1,
  supportUser: 2,
  marketingUser: 4,
  knowledgeUser: 8,
  interactionUser: 16,
  sfContentUser: 32,
  frozen: 64,
} as const;

export type DefaultOwnerRole = 'lead' | 'case' | 'workflow';

export interface UserTextOverride {
  FirstName?: string;
  LastName?: string;
  Email?: string;
  /** '' = cleared (null). */
  FederationIdentifier?: string;
}

export interface OrgData {
  seed: number;
  orgIndex: number;
  userCount: number;
  nowMs: number;
  idSpace: string;
  orgId: string;
  domain: string;
  profileOf: Uint8Array;
  flags: Uint8Array;
  /** NaN = never logged in. */
  lastLogin: Float64Array;
  created: Float64Array;
  psl: AssignmentTable;
  pkg: AssignmentTable;
  /** Explicit permission set assignments (profile-owned ones are implied by profileOf). */
  psa: AssignmentTable;
  licenseTotals: number[];
  licenseActive: number[];
  pslTotals: number[];
  pslUsed: number[];
  pkgAllowed: number[];
  pkgUsed: number[];
  defaultOwners: Map<number, DefaultOwnerRole>;
  /** Users named in workflow email alerts, owning portal accounts, or administering a portal. */
  deactivationBlockers: Map<number, GeneratedBlocker>;
  loginHistoryUsers: Int32Array;
  textOverrides: Map<number, UserTextOverride>;
  /** Users changed through the API since start: shown in the raw-state view. */
  touched: Set<number>;
}

export interface GenerateOrgInput {
  seed: number;
  orgIndex: number;
  users: number;
  nowMs: number;
}

const SALT = { license: 1, profile: 2, active: 3, login: 4, loginAge: 5, created: 6, feature: 7, frozen: 8 };
const FIXED_USERS: ReadonlyMap<number, DefaultOwnerRole | 'admin' | 'integration'> = new Map([
  [0, 'admin'],
  [1, 'integration'],
  [2, 'lead'],
  [3, 'case'],
  [4, 'workflow'],
]);

const licenseWeights = USER_LICENSES.map((l) => l.weight);
const randomProfilesByLicense: number[][] = USER_LICENSES.map((_, license) =>
  PROFILES.flatMap((p, index) =>
    p.license === license && index !== SYSTEM_ADMINISTRATOR_PROFILE && !p.apiOnly ? [index] : [],
  ),
);

export function idSpaceFor(seed: number, orgIndex: number): string {
  return encodeBase62((hash32(seed, orgIndex, 900) % 200_000) + orgIndex * 17 + 1000, 3).slice(-3);
}

function chooseProfile(seed: number, i: number): number {
  const fixed = FIXED_USERS.get(i);
  if (fixed === 'admin' || fixed === 'integration') return SYSTEM_ADMINISTRATOR_PROFILE;
  if (fixed) return STANDARD_USER_PROFILE;
  const license = pickWeighted(licenseWeights, unit(seed, i, SALT.license));
  if (license === SALESFORCE_LICENSE && unit(seed, i, SALT.profile + 50) < 0.02)
    return SYSTEM_ADMINISTRATOR_PROFILE;
  // About one Salesforce-license user in a hundred is an integration user on an API-only profile.
  if (license === SALESFORCE_LICENSE && unit(seed, i, SALT.profile + 60) < 0.01) return API_ONLY_PROFILE;
  const choices = randomProfilesByLicense[license] ?? [STANDARD_USER_PROFILE];
  return choices[hash32(seed, i, SALT.profile) % choices.length] ?? STANDARD_USER_PROFILE;
}

function chooseLastLogin(seed: number, i: number, active: boolean, nowMs: number): number {
  if (FIXED_USERS.has(i)) return nowMs - (3600 + (hash32(seed, i, SALT.loginAge) % 86_400)) * 1000;
  const roll = unit(seed, i, SALT.login);
  const age = unit(seed, i, SALT.loginAge);
  const [recent, midYear, old] = active ? [0.5, 0.72, 0.8] : [0.05, 0.45, 0.75];
  let days: number;
  if (roll < recent) days = age * 30;
  else if (roll < midYear) days = 30 + age * 335;
  else if (roll < old) days = 365 + age * 700;
  else return Number.NaN;
  return Math.floor((nowMs - days * DAY_MS) / 1000) * 1000;
}

function chooseCreated(seed: number, i: number, lastLogin: number, nowMs: number): number {
  const age = unit(seed, i, SALT.created);
  if (Number.isNaN(lastLogin)) {
    // A quarter of never-logged-in users are new accounts, inside any sensible grace period.
    const days = unit(seed, i, SALT.created + 40) < 0.25 ? age * 29 : 30 + age * 1500;
    return Math.floor((nowMs - days * DAY_MS) / 1000) * 1000;
  }
  return Math.floor((lastLogin - (1 + age * 1000) * DAY_MS) / 1000) * 1000;
}

function chooseFlags(seed: number, i: number, profile: number, active: boolean): number {
  let flags = active ? USER_FLAG.active : 0;
  const license = PROFILES[profile]?.license ?? 0;
  const roll = (salt: number): number => unit(seed, i, SALT.feature * 100 + salt);
  if (license === SALESFORCE_LICENSE) {
    if (profile === 3 || roll(1) < 0.25) flags |= USER_FLAG.supportUser;
    if (roll(2) < 0.1) flags |= USER_FLAG.marketingUser;
    if (roll(3) < 0.15) flags |= USER_FLAG.knowledgeUser;
    if (roll(4) < 0.2) flags |= USER_FLAG.interactionUser;
  }
  if ((license === SALESFORCE_LICENSE || license === PLATFORM_LICENSE) && roll(5) < 0.5) {
    flags |= USER_FLAG.sfContentUser;
  }
  if (active && !FIXED_USERS.has(i) && unit(seed, i, SALT.frozen) < 0.01) flags |= USER_FLAG.frozen;
  return flags;
}

function assignmentMask(
  seed: number,
  i: number,
  license: number,
  active: boolean,
  probabilities: readonly number[],
  salt: number,
): number {
  if (license !== SALESFORCE_LICENSE && license !== PLATFORM_LICENSE) return 0;
  const scale = (license === PLATFORM_LICENSE ? 0.5 : 1) * (active ? 1 : 0.6);
  let mask = 0;
  probabilities.forEach((p, k) => {
    if (unit(seed, i, salt + k) < p * scale) mask |= 1 << k;
  });
  return mask;
}

/** Licensed permission sets follow the licenses the user holds; plain ones follow the user license. */
function permissionSetMask(seed: number, i: number, license: number, pslMask: number): number {
  const internal = license === SALESFORCE_LICENSE || license === PLATFORM_LICENSE;
  if (!internal && pslMask === 0) return 0;
  let mask = 0;
  PERMISSION_SETS.forEach((ps, k) => {
    const roll = unit(seed, i, 600 + k);
    if (ps.requiresPsl !== null) {
      if (pslMask & (1 << ps.requiresPsl) && roll < ps.probability) mask |= 1 << k;
    } else if (internal && roll < ps.probability) {
      mask |= 1 << k;
    }
  });
  return mask;
}

function withHeadroom(seed: number, used: number, spare: number, salt: number): number {
  return used + spare + Math.floor(used * 0.12 * unit(seed, salt, 77));
}

function loginHistorySample(lastLogin: Float64Array): Int32Array {
  const sample: number[] = [];
  for (let i = 0; i < lastLogin.length && sample.length < 500; i += 1) {
    if (!Number.isNaN(lastLogin[i] ?? Number.NaN)) sample.push(i);
  }
  return Int32Array.from(sample);
}

export function generateOrg(input: GenerateOrgInput): OrgData {
  const { seed, orgIndex, users: n, nowMs } = input;
  const profileOf = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const lastLogin = new Float64Array(n);
  const created = new Float64Array(n);
  const pslMasks = new Uint8Array(n);
  const pkgMasks = new Uint8Array(n);
  const psaMasks = new Uint16Array(n);
  const licenseActive = new Array<number>(USER_LICENSES.length).fill(0);
  const pslProbabilities = PERMISSION_SET_LICENSES.map((p) => p.probability);
  const pkgProbabilities = PACKAGE_LICENSES.map((p) => p.probability);
  for (let i = 0; i < n; i += 1) {
    const profile = chooseProfile(seed, i);
    const license = PROFILES[profile]?.license ?? 0;
    const active = FIXED_USERS.has(i) || license === GUEST_LICENSE || unit(seed, i, SALT.active) < 0.85;
    profileOf[i] = profile;
    flags[i] = chooseFlags(seed, i, profile, active);
    const login = chooseLastLogin(seed, i, active, nowMs);
    lastLogin[i] = login;
    created[i] = chooseCreated(seed, i, login, nowMs);
    pslMasks[i] = assignmentMask(seed, i, license, active, pslProbabilities, 300);
    pkgMasks[i] =
      license === SALESFORCE_LICENSE ? assignmentMask(seed, i, license, active, pkgProbabilities, 400) : 0;
    psaMasks[i] = permissionSetMask(seed, i, license, pslMasks[i] ?? 0);
    if (active) licenseActive[license] = (licenseActive[license] ?? 0) + 1;
  }
  const psl = AssignmentTable.fromMasks(pslMasks, PERMISSION_SET_LICENSES.length);
  const pkg = AssignmentTable.fromMasks(pkgMasks, PACKAGE_LICENSES.length);
  const psa = AssignmentTable.fromMasks(psaMasks, PERMISSION_SETS.length);
  const pslUsed = psl.liveCountPerItem(PERMISSION_SET_LICENSES.length);
  const pkgUsed = pkg.liveCountPerItem(PACKAGE_LICENSES.length);
  const idSpace = idSpaceFor(seed, orgIndex);
  const defaultOwners = new Map<number, DefaultOwnerRole>();
  for (const [index, role] of FIXED_USERS) {
    if (index < n && (role === 'lead' || role === 'case' || role === 'workflow'))
      defaultOwners.set(index, role);
  }
  const deactivationBlockers = chooseBlockedUsers(
    seed,
    n,
    (i) =>
      !FIXED_USERS.has(i) &&
      ((flags[i] ?? 0) & USER_FLAG.active) !== 0 &&
      PROFILES[profileOf[i] ?? 0]?.license === SALESFORCE_LICENSE,
  );
  return {
    seed,
    orgIndex,
    userCount: n,
    nowMs,
    idSpace,
    orgId: makeId(KEY_PREFIXES.Organization, idSpace, 1 + (hash32(seed, orgIndex, 901) % 1_000_000)),
    domain: `org${orgIndex + 1}-s${seed}`,
    profileOf,
    flags,
    lastLogin,
    created,
    psl,
    pkg,
    psa,
    licenseTotals: USER_LICENSES.map((l, k) => withHeadroom(seed, licenseActive[k] ?? 0, l.spare, k)),
    licenseActive,
    pslTotals: PERMISSION_SET_LICENSES.map((_, k) => withHeadroom(seed, pslUsed[k] ?? 0, 10, 50 + k)),
    pslUsed,
    pkgAllowed: PACKAGE_LICENSES.map((p, k) =>
      p.siteWide ? -1 : withHeadroom(seed, pkgUsed[k] ?? 0, 5, 60 + k),
    ),
    pkgUsed,
    defaultOwners,
    deactivationBlockers,
    loginHistoryUsers: loginHistorySample(lastLogin),
    textOverrides: new Map(),
    touched: new Set(),
  };
}

export function licenseOfUser(org: OrgData, user: number): number {
  return PROFILES[org.profileOf[user] ?? 0]?.license ?? 0;
}

export function managerOf(org: OrgData, user: number): number {
  if (user < 5 || licenseOfUser(org, user) !== SALESFORCE_LICENSE) return -1;
  if (unit(org.seed, user, 500) < 0.3) return -1;
  return hash32(org.seed, user, 501) % Math.min(user, 200);
}

export function isActiveUser(org: OrgData, user: number): boolean {
  return ((org.flags[user] ?? 0) & USER_FLAG.active) !== 0;
}
