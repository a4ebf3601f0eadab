import { useRef, useState } from 'react';
import { ApiError, get, post, runIsLive, type Run, type RunTable } from '../api';
import { ErrorNote, Loading, StatusBadge } from '../components/Notes';
import { between, fmtBytes, fmtDuration, fmtNumber, fmtTime } from '../format';
import { go } from '../route';
import { useLoad } from '../usePoll';

// RunDetail shows a sync run; while it is live it polls every 2 s and
// shows each table's rows read so far, its rate and the estimated rest.
export function RunDetail({ id }: { id: string }) {
  const run = useLoad(() => get<{ data: Run }>(`/v1/api/syncs/${id}`), [id], 2000, (d) => runIsLive(d.data.status));
  const rates = useRates(run.data?.data);
  const [error, setError] = useState<ApiError | null>(null);
  if (run.loading && !run.data) return <Loading />;
  if (!run.data) return <ErrorNote error={run.error} />;
  const r = run.data.data;
  const live = runIsLive(r.status);
  const cancel = async () => {
    try {
      await post(`/v1/api/syncs/${r.id}/cancel`);
      run.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const replay = async (tables: 'failed' | 'all') => {
    try {
      const res = await post<{ data: Run }>(`/v1/api/syncs/${r.id}/replay`, { tables });
      go(`/runs/${res.data.id}`);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const integrationId = (r as any).config?.integration_id as string | undefined;
  return (
    <>
      <p className="crumbs">
        {integrationId && <a href={`#/integrations/${integrationId}`}>Integration</a>} / Sync runs /
      </p>
      <div className="title-row">
        <h1>Sync run</h1>
        <div className="actions">
          {live && (
            <button className="danger" onClick={cancel}>
              Cancel run
            </button>
          )}
          {(r.status === 'failed' || r.status === 'partially_succeeded' || r.status === 'cancelled') && (
            <button onClick={() => replay('failed')}>Replay failed tables</button>
          )}
          {!live && <button onClick={() => replay('all')}>Replay all</button>}
          {r.temporal_ui_url && (
            <a className="button" href={r.temporal_ui_url} target="_blank" rel="noreferrer">
              Workflow in Temporal UI
            </a>
          )}
        </div>
      </div>
      <ErrorNote error={error ?? run.error} />
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={r.status} testId="run-status" />
          {live && <span className="muted small"> refreshing every 2 s</span>}
        </dd>
        <dt>Trigger</dt>
        <dd>
          {r.trigger}
          {r.replay_of && (
            <>
              {' '}
              of <a href={`#/runs/${r.replay_of}`}>an earlier run</a>
            </>
          )}
        </dd>
        <dt>Started</dt>
        <dd>{fmtTime(r.started_at)}</dd>
        <dt>Duration</dt>
        <dd>{fmtDuration(between(r.started_at, r.finished_at))}</dd>
        <dt>Rows read</dt>
        <dd>{fmtNumber(r.rows_read)}</dd>
        <dt>Written</dt>
        <dd>
          {fmtNumber(r.rows_written)} rows, {fmtBytes(r.bytes_written)}
        </dd>
      </dl>
      {r.error && <div className="note error">{r.error}</div>}
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>Table</th>
              <th>Status</th>
              <th>Rows read</th>
              <th>Progress</th>
              <th>Rate</th>
              <th>Rest</th>
              <th>Written</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {r.tables.map((t) => (
              <TableRow key={t.name} t={t} rate={rates[t.name]} />
            ))}
          </tbody>
        </table>
      </div>
      {r.tables.length === 0 && live && <p className="muted">Planning the tables…</p>}
    </>
  );
}

function TableRow({ t, rate }: { t: RunTable; rate?: number }) {
  const running = t.status === 'running';
  const total = t.status === 'succeeded' ? t.rows_read : t.rows_estimate;
  const share = total ? Math.min(1, t.rows_read / total) : t.status === 'succeeded' ? 1 : 0;
  const rest = running && rate && t.rows_estimate && t.rows_estimate > t.rows_read ? ((t.rows_estimate - t.rows_read) / rate) * 1000 : null;
  return (
    <tr data-testid={`run-table-${t.name}`}>
      <td>
        {t.name}
        <div className="muted small">→ {t.dest_table}</div>
        {t.error && <div className="note error small">{t.error}</div>}
      </td>
      <td>
        <StatusBadge status={t.status} />
      </td>
      <td data-testid="rows-read">{fmtNumber(t.rows_read)}</td>
      <td>
        <progress max={1} value={share} aria-label={`${t.name} progress`} />
        <span className="muted small"> {total ? `${Math.round(share * 100)}% of ~${fmtNumber(total)}` : ''}</span>
      </td>
      <td>{running && rate ? `${fmtNumber(Math.round(rate))}/s` : '—'}</td>
      <td>{rest !== null ? `~${fmtDuration(rest)}` : '—'}</td>
      <td>
        {fmtNumber(t.rows)} rows, {fmtBytes(t.bytes_written)}
      </td>
      <td>{t.attempts}</td>
    </tr>
  );
}

// useRates derives each running table's rows per second from the last two
// polls that moved.
function useRates(run: Run | undefined): Record<string, number> {
  const last = useRef<Record<string, { rows: number; at: number; rate?: number }>>({});
  if (!run) return {};
  const now = Date.now();
  const out: Record<string, number> = {};
  for (const t of run.tables) {
    const prev = last.current[t.name];
    if (prev && t.rows_read > prev.rows && now > prev.at) {
      const rate = ((t.rows_read - prev.rows) / (now - prev.at)) * 1000;
      last.current[t.name] = { rows: t.rows_read, at: now, rate };
    } else if (!prev) {
      last.current[t.name] = { rows: t.rows_read, at: now };
    }
    const rate = last.current[t.name].rate;
    if (rate) out[t.name] = rate;
  }
  return out;
}
