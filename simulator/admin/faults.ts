/**
 * Fault injection: rules that make matching requests fail, hang or slow down, consumed by count
 * or active until a time. Rules without `path` apply to the REST data and Bulk APIs only; to
 * disturb OAuth, name its path (e.g. `path: "/services/oauth2/token"`).
 */
import { z } from 'zod';

export const faultSpecSchema = z
  .object({
    kind: z.enum([
      'serverError',
      'timeout',
      'invalidSession',
      'requestLimit',
      'lockRow',
      'slow',
      'accessDenied',
      'cutBody',
      'bulkJobFailed',
    ]),
    orgId: z.string().optional(),
    /** How many matching requests (or record writes, for lockRow) it affects; absent = until cleared. */
    count: z.number().int().positive().optional(),
    /** Active until this time (epoch ms or ISO string). */
    until: z.union([z.number(), z.string()]).optional(),
    /** serverError only: 500 (UNKNOWN_EXCEPTION), 502 or 503 (SERVER_UNAVAILABLE). */
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
    /** timeout only: hang this long then answer normally; absent = hang until the client gives up. */
    hangMs: z.number().nonnegative().optional(),
    /** cutBody only: bytes of the body sent before the connection is dropped (default: half). */
    afterBytes: z.number().int().nonnegative().optional(),
    /** slow only: extra latency per call. */
    extraMs: z.number().nonnegative().optional(),
    /** Regular expression tested against the path below the instance URL. */
    path: z.string().optional(),
    method: z.string().optional(),
    /** bulkJobFailed only: the job's errorMessage (default: an internal error). */
    message: z.string().min(1).optional(),
    /** requestLimit only: which limit the 403 names. */
    limit: z.enum(['TotalRequests', 'ConcurrentPerOrgLongTxn']).optional(),
  })
  .strict();

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type FaultKind = FaultSpec['kind'];

export interface FaultView extends Omit<FaultSpec, 'until'> {
  id: string;
  remaining: number | null;
  untilMs: number | null;
}

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  pattern: RegExp | null;
  remaining: number | null;
  untilMs: number | null;
}

export interface RequestTarget {
  orgId: string;
  method: string;
  path: string;
  area: 'api' | 'oauth';
}

/** Chosen: Salesforce does not publish the errorMessage of an internally failed query job. */
export const BULK_JOB_FAILED_MESSAGE = 'InternalServerError: the query job could not be processed';

const REQUEST_KINDS: ReadonlySet<FaultKind> = new Set([
  'serverError',
  'timeout',
  'invalidSession',
  'requestLimit',
]);

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  add(input: FaultSpec): string {
    const spec = faultSpecSchema.parse(input);
    const pattern = spec.path === undefined ? null : new RegExp(spec.path);
    const untilMs = spec.until === undefined ? null : new Date(spec.until).getTime();
    if (untilMs !== null && Number.isNaN(untilMs)) throw new Error(`Invalid until: ${String(spec.until)}`);
    const id = `fault-${this.nextId}`;
    this.nextId += 1;
    this.faults.push({ id, spec, pattern, remaining: spec.count ?? null, untilMs });
    return id;
  }

  list(orgId?: string): FaultView[] {
    this.prune();
    return this.faults
      .filter((f) => orgId === undefined || f.spec.orgId === undefined || f.spec.orgId === orgId)
      .map((f) => {
        const { until: _until, ...rest } = f.spec;
        return { ...rest, id: f.id, remaining: f.remaining, untilMs: f.untilMs };
      });
  }

  clear(orgId?: string): void {
    this.faults = orgId === undefined ? [] : this.faults.filter((f) => f.spec.orgId !== orgId);
  }

  /** The first failing fault for this request (serverError, timeout, invalidSession, requestLimit), consumed. */
  takeRequestFault(target: RequestTarget): FaultSpec | undefined {
    const fault = this.find(target, (kind) => REQUEST_KINDS.has(kind));
    return fault ? this.consume(fault) : undefined;
  }

  /** Extra latency from every matching slow fault (each consumed once). */
  takeSlowdownMs(target: RequestTarget): number {
    let total = 0;
    for (const fault of this.matching(target, (kind) => kind === 'slow'))
      total += this.consume(fault).extraMs ?? 0;
    return total;
  }

  /** A cutBody fault for this request, consumed: the answer stops part-way and the connection drops. */
  takeCutBody(target: RequestTarget): FaultSpec | undefined {
    const fault = this.find(target, (kind) => kind === 'cutBody');
    return fault ? this.consume(fault) : undefined;
  }

  takeLockRow(orgId: string): boolean {
    const fault = this.findByOrg(orgId, 'lockRow');
    return fault ? (this.consume(fault), true) : false;
  }

  /**
   * A bulkJobFailed fault, consumed by the Bulk query job being created: the job ends Failed
   * with this errorMessage instead of completing.
   */
  takeBulkJobFailure(orgId: string): string | null {
    const fault = this.findByOrg(orgId, 'bulkJobFailed');
    if (!fault) return null;
    return this.consume(fault).message ?? BULK_JOB_FAILED_MESSAGE;
  }

  takeAccessDenied(orgId: string): boolean {
    const fault = this.findByOrg(orgId, 'accessDenied');
    return fault ? (this.consume(fault), true) : false;
  }

  private prune(): void {
    const now = this.now();
    this.faults = this.faults.filter(
      (f) => (f.remaining === null || f.remaining > 0) && (f.untilMs === null || f.untilMs > now),
    );
  }

  private matches(fault: ActiveFault, target: RequestTarget): boolean {
    const { spec } = fault;
    if (spec.orgId !== undefined && spec.orgId !== target.orgId) return false;
    if (spec.method !== undefined && spec.method.toUpperCase() !== target.method) return false;
    if (fault.pattern === null) return target.area === 'api';
    return fault.pattern.test(target.path);
  }

  private matching(target: RequestTarget, kind: (k: FaultKind) => boolean): ActiveFault[] {
    this.prune();
    return this.faults.filter((f) => kind(f.spec.kind) && this.matches(f, target));
  }

  private find(target: RequestTarget, kind: (k: FaultKind) => boolean): ActiveFault | undefined {
    return this.matching(target, kind)[0];
  }

  private findByOrg(orgId: string, kind: FaultKind): ActiveFault | undefined {
    this.prune();
    return this.faults.find(
      (f) => f.spec.kind === kind && (f.spec.orgId === undefined || f.spec.orgId === orgId),
    );
  }

  private consume(fault: ActiveFault): FaultSpec {
    if (fault.remaining !== null) fault.remaining -= 1;
    return fault.spec;
  }
}
