import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleProfile, startRun, unscheduleProfile } from '../../shared/pipeline/runs.js';
import { JOB_NAMES, QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import type { WorkerRuntime } from '../../worker/workerRuntime.js';
import { openWorkerHarness, seedOrgProfile, waitFor, type WorkerHarness } from './workerHarness.js';

let sim: RunningSimulator;
let h: WorkerHarness;
let runtime: WorkerRuntime;
beforeAll(async () => {
  sim = await startSimulator({ quiet: true, orgs: [{ users: 20 }] });
  h = await openWorkerHarness('lifecycle');
  runtime = await h.start(JOB_NAMES);
});

afterAll(async () => {
  await h.close();
  await sim.stop();
});

describe('the end of a run', () => {
  it('when the download fails for good, then the run fails visibly: its JobRun says why, the jobs after it are cancelled, and the profile is free again', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[0]!, { withAlias: false });
    const { runId } = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });

    const profile = await waitFor('the run to release the profile', async () => {
      const p = await h.models.IntegrationProfile.findById(profileId).lean();
      return p && p.currentRunId === null ? p : null;
    });
    expect(profile.lastRunId).toBe(runId);
    const rows = Object.fromEntries(
      (await h.models.JobRun.find({ runId }).lean()).map((r) => [r.jobName, r] as const),
    );
    expect(rows.downloadSubscriptions).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rows.downloadSubscriptions?.error?.code).toBe('PROFILE_HAS_NO_ALIAS');
    expect(rows.computeCandidates).toMatchObject({ status: 'cancelled', error: { code: 'RUN_FAILED' } });
    expect(rows.reclaim).toMatchObject({ status: 'cancelled' });

    // The profile is free: the next request starts a new run rather than joining the dead one.
    const next = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });
    expect(next.coalesced).toBe(false);
  });

  it('when a job arrives with a payload that does not parse, then it fails at once with JOB_PAYLOAD_INVALID and is not retried', async () => {
    const q = h.queue(QUEUE_NAMES.validate);
    const job = await q.add(
      'validate',
      { profileId: 'nope', runId: 'x' },
      { attempts: 5, jobId: 'bad-payload-1' },
    );
    const failed = await waitFor('the bad job to fail', async () => {
      // The state is read after the job: re-read the job once it is failed, or its fields predate the failure.
      if ((await q.getJobState(job.id!)) !== 'failed') return null;
      return (await q.getJob(job.id!)) ?? null;
    });
    expect(failed.failedReason).toMatch(/^JOB_PAYLOAD_INVALID: .*profileId/);
    expect(failed.attemptsMade).toBe(1);
  });
});

describe('schedules', () => {
  it('when a published profile’s scheduler ticks, then a run starts with trigger schedule, and unscheduling removes the scheduler', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[0]!, { status: 'published', withAlias: false });
    await h.models.IntegrationProfile.updateOne(
      { _id: profileId },
      { $set: { 'schedule.cron': '* * * * * *' } },
    );
    await scheduleProfile(h.pipeline, profileId);

    const row = await waitFor('a scheduled run', () =>
      h.models.JobRun.findOne({ profileId, trigger: 'schedule' }).lean(),
    );
    expect(row.jobName).toBeDefined();
    await unscheduleProfile(h.pipeline, profileId);
    expect(await h.queue(QUEUE_NAMES.scheduledRun).getJobScheduler(`profile-${profileId}`)).toBeUndefined();
  });
});

describe('metrics', () => {
  it('when /metrics is scraped, then it shows queue depth per queue and job outcomes', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    expect(await runtime.metrics.serve(port, '127.0.0.1')).toBe(port);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    for (const name of Object.values(QUEUE_NAMES)) {
      expect(body).toContain(`seatwise_queue_jobs{queue="${name}",state="waiting"}`);
    }
    expect(body).toMatch(/seatwise_jobs_total\{queue="download-subscriptions",outcome="failed"\} [1-9]/);
    expect(body).toContain('seatwise_job_duration_seconds_bucket');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
