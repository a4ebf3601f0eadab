import { Empty, ErrorNote, Loading, StatusBadge } from './Notes';
import { syncs } from '../lib/api';
import { elapsed, fmtAgo, fmtDuration, fmtNumber, fmtTime } from '../lib/format';
import { href, pathOf } from '../lib/route';
import { isLive } from '../lib/runs';
import { usePoll } from '../lib/usePoll';

interface RunHistoryProps {
  integrationId: string;
  limit?: number;
  /** bump to reload (after Run now) */
  version?: number;
}

/** RunHistory lists an integration's sync runs, newest first, refreshing
 * while one of them is still going. */
export function RunHistory({ integrationId, limit = 20, version = 0 }: RunHistoryProps) {
  const runs = usePoll((signal) => syncs.history(integrationId, limit, signal), [integrationId, limit, version], {
    everyMs: 3000,
    keepPolling: (list) => list.some((r) => isLive(r.status)),
  });
  if (runs.loading && !runs.data) return <Loading />;
  if (!runs.data) return <ErrorNote error={runs.error} />;
  if (runs.data.length === 0) return <Empty title="No runs yet.">Runs appear here when the schedule fires or you press Run now.</Empty>;
  return (
    <div className="scroll">
      <table className="data runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">
              Rows read
            </th>
            <th scope="col">Rows per table</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={href(pathOf('syncs', r.id))} title={fmtTime(r.created_at)}>
                  {fmtAgo(r.started_at ?? r.created_at)}
                </a>
                <div className="muted small">{r.trigger}</div>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{fmtDuration(elapsed(r.started_at, r.finished_at))}</td>
              <td className="num">{fmtNumber(r.rows_read)}</td>
              <td className="small">
                <ul className="plain">
                  {(r.tables ?? []).map((t) => (
                    <li key={t.name}>
                      <span className="mono">{t.name}</span>: {fmtNumber(t.status === 'succeeded' ? t.rows : t.rows_read)}{' '}
                      {t.status !== 'succeeded' && <StatusBadge status={t.status} />}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
