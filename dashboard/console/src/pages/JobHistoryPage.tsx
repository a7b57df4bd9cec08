/** Every job of the profile's runs, newest first; polled while any job is queued or running. */
import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { jobRunSchema, pageOf, type JobRun } from '../schemas.js';
import { count, when } from '../format.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad, usePolling } from '../useLoad.js';

const LIVE = new Set(['queued', 'running', 'delayed']);

function progress(j: JobRun): string {
  const c = j.counts ?? {};
  const parts = [
    `${count(c.records ?? 0)} records`,
    `${count(c.pages ?? 0)} pages`,
    `${count(c.apiCalls ?? 0)} API calls`,
    `${count(c.writes ?? 0)} writes`,
  ];
  return parts.join(', ');
}

export function JobHistoryPage(props: { profileId: string; highlightRunId?: string | undefined }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 25 });
  const list = useLoad(
    () =>
      get(
        `/api/v1/profiles/${props.profileId}/runs${query({ ...paging, sort: '-queuedAt' })}`,
        pageOf(jobRunSchema),
      ),
    [props.profileId, paging.offset, paging.limit],
  );
  const live = (list.data?.items ?? []).some((j) => LIVE.has(j.status));
  usePolling(live, 1_000, list.reload);
  return (
    <section aria-labelledby="jobs-title">
      <h2 id="jobs-title">Job history</h2>
      <p role="status" id="jobs-live">
        {live ? 'Jobs are running: this list updates every second.' : 'No job is running.'}
      </p>
      <Notice error={list.error} />
      {list.data && (
        <>
          <table id="jobs-table">
            <caption class="visually-hidden">Job history</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Job</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Queued</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((j) => (
                <tr class={j.runId === props.highlightRunId ? 'highlight' : ''}>
                  <td>
                    <code>{j.runId}</code>
                  </td>
                  <td>{j.jobName}</td>
                  <td>{j.trigger}</td>
                  <td class={`job-${j.status}`}>
                    {j.status}
                    {j.error?.message ? `: ${j.error.message}` : ''}
                  </td>
                  <td>{progress(j)}</td>
                  <td>{when(j.queuedAt)}</td>
                  <td>{when(j.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Jobs"
            total={list.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}
