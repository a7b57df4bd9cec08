/** Talks to an in-process simulator over real HTTP, the way a Salesforce client would. */
import type { RunningSimulator, SimulatorOptions, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';

export const FIXED_NOW = new Date('2026-03-01T12:00:00Z');
export const API = '/services/data/v62.0';

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

export type SalesforceErrorBody = { errorCode: string; message: string; fields?: string[] }[];

/** One entry of an sObject Collections answer. */
export interface CollectionResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

export function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ orgs: [{ users: 2500, seed: 42 }], now: FIXED_NOW, quiet: true, ...options });
}

export function form(values: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  };
}

export async function clientCredentialsToken(org: SimulatorOrgInfo): Promise<string> {
  const response = await fetch(
    `${org.instanceUrl}/services/oauth2/token`,
    form({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret }),
  );
  if (response.status !== 200) throw new Error(`token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export class RestClient {
  constructor(
    readonly org: SimulatorOrgInfo,
    public token: string,
  ) {}

  static async connect(org: SimulatorOrgInfo): Promise<RestClient> {
    return new RestClient(org, await clientCredentialsToken(org));
  }

  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`);
    if (init.body !== undefined && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    const url = path.startsWith('http')
      ? path
      : `${this.org.instanceUrl}${path.startsWith('/services') ? '' : API}${path}`;
    return fetch(url, { ...init, headers });
  }

  async json<T>(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await this.request(path, init);
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? undefined : JSON.parse(text)) as T,
      headers: response.headers,
    };
  }

  query(
    soql: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: QueryPage; headers: Headers }> {
    return this.json<QueryPage>(`/query?q=${encodeURIComponent(soql)}`, { headers });
  }

  async queryError(soql: string): Promise<{ status: number; error: SalesforceErrorBody[number] }> {
    const { status, body } = await this.json<SalesforceErrorBody>(`/query?q=${encodeURIComponent(soql)}`);
    const error = body[0];
    if (!error) throw new Error(`expected an error body for ${soql}`);
    return { status, error };
  }

  /** Follows nextRecordsUrl to the end, as a client must. */
  async queryAllPages(
    soql: string,
    headers: Record<string, string> = {},
  ): Promise<{ pages: QueryPage[]; records: Record<string, unknown>[] }> {
    const pages: QueryPage[] = [];
    let page = (await this.query(soql, headers)).body;
    pages.push(page);
    while (page.nextRecordsUrl) {
      page = (await this.json<QueryPage>(page.nextRecordsUrl, { headers })).body;
      pages.push(page);
    }
    return { pages, records: pages.flatMap((p) => p.records) };
  }

  patch(path: string, body: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
    return this.json(path, { method: 'PATCH', body: JSON.stringify(body) });
  }

  /** `POST /composite/sobjects` with allOrNone false unless asked. */
  createRecords(
    records: Record<string, unknown>[],
    allOrNone = false,
  ): Promise<{ status: number; body: CollectionResult[] & SalesforceErrorBody; headers: Headers }> {
    return this.json('/composite/sobjects', { method: 'POST', body: JSON.stringify({ allOrNone, records }) });
  }

  /** `DELETE /composite/sobjects?ids=…`. */
  deleteRecords(
    ids: readonly string[],
    allOrNone = false,
  ): Promise<{ status: number; body: CollectionResult[] & SalesforceErrorBody; headers: Headers }> {
    return this.json(`/composite/sobjects?ids=${ids.join(',')}&allOrNone=${String(allOrNone)}`, {
      method: 'DELETE',
    });
  }
}

export function firstOrg(sim: RunningSimulator): SimulatorOrgInfo {
  const org = sim.orgs[0];
  if (!org) throw new Error('simulator has no org');
  return org;
}
