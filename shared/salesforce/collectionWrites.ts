/**
 * sObject Collections writes (`/composite/sobjects`): batches of at most 200 records, allOrNone
 * false, outcomes handed back in input order. Deletes go one object type per call, because
 * Salesforce refuses a call that mixes types when one of them is a Setup object
 * (PermissionSetAssignment, PermissionSetLicenseAssign, UserPackageLicense, User…): "You can't
 * delete records for multiple object types in one call when one of those types is related to a
 * feature in the Salesforce Setup area" (REST API Developer Guide, sObject Collections).
 */
import { z } from 'zod';
import type { RecordFields, RecordOutcome, RecordUpdate } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';

/** Salesforce refuses more with EXCEEDED_ID_LIMIT. */
export const COLLECTION_LIMIT = 200;

export interface CollectionCall {
  method: 'POST' | 'PATCH' | 'DELETE';
  params?: Record<string, string>;
  data?: unknown;
}

/** Sends one call through the client's breaker, budget and concurrency cap; resolves to the body. */
export type SendCollectionCall = (call: CollectionCall) => Promise<unknown>;

const outcomesSchema = z.array(
  z.object({
    id: z.string().nullish(),
    success: z.boolean(),
    errors: z.array(
      z.object({
        statusCode: z.string(),
        message: z.string(),
        fields: z.array(z.string()).optional(),
      }),
    ),
  }),
);

type Outcomes = z.infer<typeof outcomesSchema>;

function parseOutcomes(data: unknown): Outcomes {
  const parsed = outcomesSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SalesforceError(
    `Salesforce composite response is not understood: ${issue?.path.map(String).join('.') || '(body)'} ${issue?.message ?? ''}`,
    { kind: 'permanent', errorCode: 'BAD_RESPONSE', status: null, orgId: null },
  );
}

/** `ids[i]` names the record sent i-th ('' for a create, whose id Salesforce assigns). */
function outcomesInOrder(ids: readonly string[], body: Outcomes): RecordOutcome[] {
  return ids.map((id, i) => {
    const result = body[i];
    if (!result) {
      return {
        id,
        success: false,
        errors: [{ statusCode: 'NO_RESULT', message: 'Salesforce returned no outcome', fields: [] }],
      };
    }
    return {
      id: result.id ?? id,
      success: result.success,
      errors: result.errors.map((e) => ({
        statusCode: e.statusCode,
        message: e.message,
        fields: e.fields ?? [],
      })),
    };
  });
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += COLLECTION_LIMIT) {
    out.push(items.slice(start, start + COLLECTION_LIMIT));
  }
  return out;
}

export async function updateRecords(
  send: SendCollectionCall,
  sobject: string,
  records: readonly RecordUpdate[],
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const batch of batches(records)) {
    const body = await send({
      method: 'PATCH',
      data: {
        allOrNone: false,
        records: batch.map((r) => ({ ...r.fields, attributes: { type: sobject }, id: r.id })),
      },
    });
    outcomes.push(
      ...outcomesInOrder(
        batch.map((r) => r.id),
        parseOutcomes(body),
      ),
    );
  }
  return outcomes;
}

export async function createRecords(
  send: SendCollectionCall,
  sobject: string,
  records: readonly RecordFields[],
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const batch of batches(records)) {
    const body = await send({
      method: 'POST',
      data: {
        allOrNone: false,
        records: batch.map((fields) => ({ ...fields, attributes: { type: sobject } })),
      },
    });
    outcomes.push(
      ...outcomesInOrder(
        batch.map(() => ''),
        parseOutcomes(body),
      ),
    );
  }
  return outcomes;
}

/** Positions of `ids` grouped by key prefix (the object type), in order of first appearance. */
function positionsByType(ids: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  ids.forEach((id, position) => {
    const prefix = id.slice(0, 3);
    const group = groups.get(prefix);
    if (group) group.push(position);
    else groups.set(prefix, [position]);
  });
  return [...groups.values()];
}

export async function deleteRecords(
  send: SendCollectionCall,
  ids: readonly string[],
): Promise<RecordOutcome[]> {
  const outcomes = new Array<RecordOutcome>(ids.length);
  for (const positions of positionsByType(ids)) {
    for (const batch of batches(positions)) {
      const batchIds = batch.map((position) => ids[position] ?? '');
      const body = await send({ method: 'DELETE', params: { ids: batchIds.join(','), allOrNone: 'false' } });
      outcomesInOrder(batchIds, parseOutcomes(body)).forEach((outcome, i) => {
        outcomes[batch[i] ?? 0] = outcome;
      });
    }
  }
  return outcomes;
}
