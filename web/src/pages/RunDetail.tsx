import { useState } from 'react';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { RunTableRow } from '../components/RunTableRow';
import { integrations, runs } from '../lib/api';
import { elapsed, fmtBytes, fmtDuration, fmtNumber, fmtTime } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import { href, navigate, pathOf } from '../lib/route';
import { canReplayFailed, isLive } from '../lib/runs';
import { usePoll } from '../lib/usePoll';
import { useTableRates } from '../lib/useTableRates';

/** RunDetail follows one sync run: every 2 s while it goes on, with each
 * table's live rows, rate and time left; cancel, replay, and its workflow. */
export function RunDetail({ id }: { id: string }) {
  const run = usePoll((signal) => runs.get(id, signal), [id], { everyMs: 2000, keepPolling: (r) => isLive(r.status) });
  const integrationId = run.data?.config?.integration_id ?? '';
  const owner = usePoll((signal) => (integrationId ? integrations.get(integrationId, signal) : Promise.resolve(null)), [integrationId]);
  const rates = useTableRates(run.data);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const crumbs = (
    <>
      <a href={href('/syncs')}>Sync runs</a>
      {integrationId && (
        <>
          {' / '}
          <a href={href(pathOf('integrations', integrationId))}>{owner.data?.name ?? 'Integration'}</a>
        </>
      )}
    </>
  );
  if (!run.data) {
    return (
      <>
        <PageTitle title="Sync run" crumbs={crumbs} />
        {run.error ? <ErrorNote error={run.error} /> : <Loading />}
      </>
    );
  }
  const r = run.data;
  const live = isLive(r.status);

  const act = async (what: string, action: () => Promise<void>) => {
    setError(null);
    setBusy(what);
    try {
      await action();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(null);
    }
  };
  const cancel = () => act('cancel', async () => run.setData(await runs.cancel(r.id)));
  const replay = (tables: 'failed' | 'all') => act(`replay-${tables}`, async () => navigate(pathOf('syncs', (await runs.replay(r.id, tables)).id)));

  return (
    <>
      <PageTitle title="Sync run" crumbs={crumbs}>
        {live && (
          <button type="button" className="danger" onClick={cancel} disabled={busy !== null}>
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel run'}
          </button>
        )}
        {!live && canReplayFailed(r) && (
          <button type="button" onClick={() => replay('failed')} disabled={busy !== null}>
            {busy === 'replay-failed' ? 'Starting…' : 'Replay failed tables'}
          </button>
        )}
        {!live && (
          <button type="button" className="secondary" onClick={() => replay('all')} disabled={busy !== null}>
            {busy === 'replay-all' ? 'Starting…' : 'Replay all tables'}
          </button>
        )}
        {r.temporal_ui_url && (
          <a className="button secondary" href={r.temporal_ui_url} target="_blank" rel="noopener noreferrer">
            Workflow in Temporal UI<span className="visually-hidden"> (opens in a new tab)</span> ↗
          </a>
        )}
      </PageTitle>
      <ErrorNote error={error} />
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={r.status} testId="run-status" />
          {live && (
            <span className="muted small live" aria-hidden="true">
              {' '}
              live, refreshing every 2 s
            </span>
          )}
        </dd>
        <dt>Trigger</dt>
        <dd>
          {r.trigger}
          {r.replay_of && (
            <>
              {' of '}
              <a href={href(pathOf('syncs', r.replay_of))}>an earlier run</a>
            </>
          )}
        </dd>
        <dt>Started</dt>
        <dd>{r.started_at ? fmtTime(r.started_at) : `queued ${fmtTime(r.created_at)}`}</dd>
        <dt>Duration</dt>
        <dd>{fmtDuration(elapsed(r.started_at, r.finished_at))}</dd>
        <dt>Rows</dt>
        <dd>
          {fmtNumber(r.rows_read)} read, {fmtNumber(r.rows_written)} written ({fmtBytes(r.bytes_written)})
        </dd>
        <dt>Workflow</dt>
        <dd className="mono small">{r.workflow_id || '—'}</dd>
      </dl>
      {r.error && (
        <div className="note error" role="alert">
          {r.error}
        </div>
      )}
      {run.error && <ErrorNote error={run.error} />}
      <h2>Tables</h2>
      {(r.tables ?? []).length === 0 ? (
        <p className="muted">{live ? 'Planning which tables to copy…' : 'This run copied no table.'}</p>
      ) : (
        <div className="scroll">
          <table className="data run-tables">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Rows read
                </th>
                <th scope="col">Progress</th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num">
                  Time left
                </th>
                <th scope="col" className="num">
                  Written
                </th>
                <th scope="col" className="num">
                  Attempts
                </th>
              </tr>
            </thead>
            <tbody>
              {(r.tables ?? []).map((t) => (
                <RunTableRow key={t.name} table={t} rate={rates[t.name]} runLive={live} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
