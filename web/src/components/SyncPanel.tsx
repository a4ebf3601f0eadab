import { useState } from 'react';
import { ErrorNote, Loading, StatusBadge } from './Notes';
import { SyncForm } from './SyncForm';
import { syncs } from '../lib/api';
import { fmtAgo, fmtTime, humanize } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import { href, navigate, pathOf } from '../lib/route';
import type { Integration, SyncConfig } from '../lib/types';
import { usePoll } from '../lib/usePoll';

interface SyncPanelProps {
  integration: Integration;
  onRunStarted: () => void;
}

/** SyncPanel is an integration's sync: configure it, pause or resume its
 * schedule, run it now, or delete it. */
export function SyncPanel({ integration, onRunStarted }: SyncPanelProps) {
  const config = usePoll((signal) => syncs.config(integration.id, signal), [integration.id]);
  const [editing, setEditing] = useState(false);
  const [dropTables, setDropTables] = useState(false);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (what: string, action: () => Promise<SyncConfig | void>) => {
    setError(null);
    setBusy(what);
    try {
      const next = await action();
      if (next) config.setData(next);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(null);
    }
  };
  const runNow = () =>
    act('run', async () => {
      const run = await syncs.runNow(integration.id);
      onRunStarted();
      navigate(pathOf('syncs', run.id));
    });
  const remove = () =>
    act('delete', async () => {
      await syncs.remove(integration.id, dropTables);
      setAsking(false);
      config.reload();
    });

  const c = config.data;
  return (
    <section aria-labelledby="sync-heading">
      <h2 id="sync-heading">Sync into the lake</h2>
      <ErrorNote error={error ?? config.error} />
      {config.loading && c === undefined && <Loading />}
      {c === null && !editing && (
        <div className="empty">
          <p className="empty-title">This integration is not synced yet.</p>
          <p>Pick tables to copy into the lake on a schedule; you can also run it right away.</p>
          <button type="button" onClick={() => setEditing(true)}>
            Configure a sync
          </button>
        </div>
      )}
      {editing && c !== undefined && (
        <SyncForm
          integration={integration}
          existing={c}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            config.setData(saved);
            setEditing(false);
          }}
        />
      )}
      {c && !editing && (
        <div className="card">
          <dl className="facts">
            <dt>Tables</dt>
            <dd className="mono">{c.tables.map((t) => t.name + (t.delete_mode ? ` (deletes: ${t.delete_mode})` : '')).join(', ')}</dd>
            <dt>Into</dt>
            <dd>
              lake schema <code>{c.dest_schema}</code> · <a href={href('/lake')}>see the lake</a>
            </dd>
            <dt>Schedule</dt>
            <dd>
              {humanize(c.schedule)}{' '}
              {c.paused ? (
                <StatusBadge status="paused" />
              ) : (
                c.next_run_at && (
                  <span className="muted" title={fmtTime(c.next_run_at)}>
                    · next run {fmtAgo(c.next_run_at)}
                  </span>
                )
              )}
            </dd>
            <dt>Load</dt>
            <dd>
              {c.load_method}
              {c.load_method === 'merge' && c.delete_mode && `, rows deleted at the source: ${c.delete_mode}`}
            </dd>
          </dl>
          <div className="actions">
            <button type="button" onClick={runNow} disabled={busy !== null}>
              {busy === 'run' ? 'Starting…' : 'Run now'}
            </button>
            {c.paused ? (
              <button type="button" className="secondary" onClick={() => act('resume', () => syncs.resume(integration.id))} disabled={busy !== null}>
                Resume schedule
              </button>
            ) : (
              <button type="button" className="secondary" onClick={() => act('pause', () => syncs.pause(integration.id))} disabled={busy !== null}>
                Pause schedule
              </button>
            )}
            <button type="button" className="secondary" onClick={() => setEditing(true)}>
              Edit sync
            </button>
            {!asking && (
              <button type="button" className="danger" onClick={() => setAsking(true)}>
                Delete sync
              </button>
            )}
          </div>
          {asking && (
            <div className="confirm-box" role="group" aria-label="Delete the sync">
              <p>Delete this sync and its schedule? Its run history is kept.</p>
              <div className="field check">
                <input id="drop-tables" type="checkbox" checked={dropTables} onChange={(e) => setDropTables(e.target.checked)} />
                <label htmlFor="drop-tables">Also drop its lake tables (earlier snapshots still read them)</label>
              </div>
              <div className="actions">
                <button type="button" className="danger solid" onClick={remove} disabled={busy !== null}>
                  {busy === 'delete' ? 'Deleting…' : dropTables ? 'Delete sync and drop tables' : 'Delete sync, keep tables'}
                </button>
                <button type="button" className="secondary" onClick={() => setAsking(false)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
