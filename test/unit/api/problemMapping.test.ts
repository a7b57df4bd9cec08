import { MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { problemBody, toProblem } from '../../../api/http/problem.js';
import { SeatwiseError, ServiceUnavailableError } from '../../../shared/errors.js';

const answer = (error: unknown) => {
  const problem = toProblem(error);
  return { status: problem.status, code: problem.code, body: problemBody(problem) };
};

describe('expected errors as the client sees them', () => {
  it('when the pipeline refuses for a reason the client can act on, then the status says so (409/400/503/422), never 500', () => {
    const cases: [SeatwiseError, number, string][] = [
      [new SeatwiseError('RUN_CLAIM_CONTENDED', 'busy', { profileId: 'p' }), 409, 'RUN_CLAIM_CONTENDED'],
      [new SeatwiseError('SCHEDULE_INVALID', 'bad cron'), 400, 'SCHEDULE_INVALID'],
      [new SeatwiseError('RUN_ENQUEUE_FAILED', 'not queued'), 503, 'RUN_ENQUEUE_FAILED'],
      [new SeatwiseError('PROFILE_NOT_FOUND', 'gone'), 404, 'NOT_FOUND'],
      [new SeatwiseError('PROFILE_HAS_NO_ALIAS', 'no alias'), 422, 'PREREQUISITE_MISSING'],
      [new SeatwiseError('ILLEGAL_CANDIDATE_MOVE', 'no move'), 409, 'INVALID_TRANSITION'],
    ];
    for (const [error, status, code] of cases) {
      expect(answer(error), error.code).toMatchObject({ status, code, body: { status, code } });
    }
  });

  it('when Redis or MongoDB cannot be reached, then 503 DEPENDENCY_UNAVAILABLE names which, also behind a wrapping error', () => {
    const redisDown = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(answer(redisDown)).toMatchObject({ status: 503, body: { dependency: 'redis' } });
    expect(answer(new Error('Command timed out'))).toMatchObject({
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    const wrapped = new SeatwiseError(
      'SCHEDULE_INVALID',
      'x',
      {},
      { cause: new Error('Connection is closed.') },
    );
    expect(answer(wrapped)).toMatchObject({ status: 503, body: { dependency: 'redis' } });
    const mongoDown = new MongoServerSelectionError('Server selection timed out after 1500 ms', {
      type: 'Unknown',
      servers: new Map(),
      stale: false,
      compatible: true,
      heartbeatFrequencyMS: 10_000,
      localThresholdMS: 15,
      setName: null,
      maxElectionId: null,
      maxSetVersion: null,
      commonWireVersion: 0,
      logicalSessionTimeoutMinutes: null,
    } as never);
    expect(answer(mongoDown)).toMatchObject({ status: 503, body: { dependency: 'mongodb' } });
    expect(answer(new ServiceUnavailableError('mongodb', 'down'))).toMatchObject({ status: 503 });
  });

  it('when an error is neither expected nor a dependency outage, then 500 INTERNAL without its message', () => {
    expect(answer(new Error('ECONNREFUSED 10.0.0.1:443'))).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(answer(new SeatwiseError('CRYPTO_KEY_MISSING', 'k')).body.detail).not.toContain('k');
  });
});
