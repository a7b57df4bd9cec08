import { z } from 'zod';

export const profileIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'must be a profile id (24 hex characters)');

/** What every job of a run carries: ids only, never secrets or records. */
export const runPayloadSchema = z
  .object({
    profileId: profileIdSchema,
    /** Groups the jobs of one run; also the syncId of the subscriptions a download writes. */
    runId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a run id ([A-Za-z0-9_-], 8 to 64 characters)'),
  })
  .strict();

export type RunPayload = z.infer<typeof runPayloadSchema>;
