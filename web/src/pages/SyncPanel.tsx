import { useState } from 'react';
import { ApiError, del, get, post, type Run, type SyncConfig } from '../api';
import { Empty, ErrorNote, StatusBadge } from '../components/Notes';
import { between, fmtDuration, fmtNumber, fmtTime } from '../format';
import { go, href } from '../route';
import { useLoad } from '../usePoll';
import { SyncForm } from './SyncForm';

// SyncPanel is an integration's sync: its configuration, the actions on it
// and its run history (refreshed while a run is live).
export function SyncPanel({ integrationId }: { integrationId: string }) {
  const base = `/v1/api/integrations/${integrationId}`;
  const cfg = useLoad(async () => {
    try {
      return (await get<{ sync_config: SyncConfig }>(`${base}/sync`)).sync_config;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, [base]);
  const runs = useLoad(() => get<{ data: Run[] }>(`${base}/syncs?limit=20`), [base], 3000, (d) => d.data.some((r) => r.status === 'queued' || r.status === 'running'));
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (path: string, after?: (res: any) => void) => {
    setError(null);
    try {
      const res = await post(`${base}/sync${path}`);
      after?.(res);
      cfg.reload();
      runs.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const removeSync = async () => {
    const drop = window.confirm('Delete this sync? Press OK to also drop its lake tables, Cancel to keep them.');
    if (!window.confirm(drop ? 'Delete the sync AND drop its lake tables?' : 'Delete the sync and keep its lake tables?')) return;
    try {
      await del(`${base}/sync${drop ? '?drop_tables=true' : ''}`);
      cfg.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const config = cfg.data;
  return (
    <section>
      <h2>Sync</h2>
      <ErrorNote error={error ?? cfg.error} />
      {cfg.data === null && !editing && (
        <Empty title="This integration is not synced yet.">
          <button onClick={() => setEditing(true)}>Configure a sync</button> to copy its tables into the lake on a schedule.
        </Empty>
      )}
      {config && !editing && (
        <>
          <dl className="facts">
            <dt>Tables</dt>
            <dd>{config.tables.map((t) => t.name).join(', ')}</dd>
            <dt>Into</dt>
            <dd>
              lake schema <code>{config.dest_schema}</code>
            </dd>
            <dt>Schedule</dt>
            <dd>
              {config.schedule} {config.paused ? <StatusBadge status="paused" /> : <span className="muted">next {fmtTime(config.next_run_at)}</span>}
            </dd>
            <dt>Load</dt>
            <dd>
              {config.load_method}
              {config.load_method === 'merge' && `, deletes: ${config.delete_mode}`}
            </dd>
          </dl>
          <div className="actions">
            <button className="primary" onClick={() => act('/run', (res) => go(`/runs/${res.data.id}`))}>Run now</button>
            {config.paused ? <button onClick={() => act('/resume')}>Resume</button> : <button onClick={() => act('/pause')}>Pause</button>}
            <button onClick={() => setEditing(true)}>Edit</button>
            <button className="danger" onClick={removeSync}>
              Delete sync
            </button>
          </div>
        </>
      )}
      {editing && (
        <SyncForm
          integrationId={integrationId}
          existing={config ?? undefined}
          onDone={() => {
            setEditing(false);
            cfg.reload();
          }}
        />
      )}
      <h2>Runs</h2>
      <ErrorNote error={runs.error} />
      {runs.data && runs.data.data.length === 0 && <Empty title="No runs yet.">Runs appear here when the schedule fires or you press Run now.</Empty>}
      {runs.data && runs.data.data.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Started</th>
                <th>Status</th>
                <th>Trigger</th>
                <th>Duration</th>
                <th>Rows</th>
                <th>Tables</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={href(`/runs/${r.id}`)}>{fmtTime(r.started_at ?? r.created_at)}</a>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>{r.trigger}</td>
                  <td>{fmtDuration(between(r.started_at, r.finished_at))}</td>
                  <td>{fmtNumber(r.rows_read)}</td>
                  <td className="small">{r.tables.map((t) => `${t.name}: ${fmtNumber(t.rows_read)}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
