import { useState } from 'react';
import { Empty, ErrorNote, Loading, StatusBadge } from './Notes';
import { observability } from '../lib/api';
import { fmtAgo, fmtDuration, fmtTime } from '../lib/format';
import { href, pathOf } from '../lib/route';
import type { TaskRun } from '../lib/types';
import { usePoll } from '../lib/usePoll';

/** TaskRunsTable pages through reported task runs (newest first), refreshing
 * while one is still running. */
export function TaskRunsTable({ app, status }: { app?: string; status?: string }) {
  const [cursors, setCursors] = useState<string[]>(['']);
  return (
    <div className="scroll">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Task run</th>
            {!app && <th scope="col">App</th>}
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        {cursors.map((cursor, i) => (
          <Page
            key={`${app}/${status}/${cursor}`}
            app={app}
            status={status}
            cursor={cursor}
            first={i === 0}
            last={i === cursors.length - 1}
            onMore={(next) => setCursors([...cursors, next])}
          />
        ))}
      </table>
    </div>
  );
}

interface PageProps {
  app?: string;
  status?: string;
  cursor: string;
  first: boolean;
  last: boolean;
  onMore: (cursor: string) => void;
}

function Page({ app, status, cursor, first, last, onMore }: PageProps) {
  const page = usePoll((signal) => observability.taskRuns({ app_name: app || undefined, status: status || undefined, cursor: cursor || undefined }, signal), [app, status, cursor], {
    everyMs: 5000,
    keepPolling: (p) => first && p.tasks.some((t) => t.status === 'running'),
  });
  const cols = app ? 5 : 6;
  if (!page.data) {
    return (
      <tbody>
        <tr>
          <td colSpan={cols}>{page.error ? <ErrorNote error={page.error} /> : <Loading />}</td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {first && page.data.tasks.length === 0 && (
        <tr>
          <td colSpan={cols}>
            <Empty title={status ? `No ${status.replace(/_/g, ' ')} task runs.` : 'No task runs reported yet.'}>
              A pipeline reports a run with <code>POST /log/task</code> (status start, then end); see the <a href="/api/docs">API docs</a>.
            </Empty>
          </td>
        </tr>
      )}
      {page.data.tasks.map((t) => (
        <Row key={`${t.app_name}/${t.task_id}`} t={t} showApp={!app} />
      ))}
      {last && page.data.next_cursor && (
        <tr>
          <td colSpan={cols}>
            <button type="button" className="secondary small" onClick={() => onMore(page.data!.next_cursor)}>
              Older runs
            </button>
          </td>
        </tr>
      )}
    </tbody>
  );
}

function Row({ t, showApp }: { t: TaskRun; showApp: boolean }) {
  return (
    <tr>
      <td>
        <a className="mono" href={href(pathOf('tasks', t.task_id))}>
          {t.task_id}
        </a>
      </td>
      {showApp && (
        <td>
          <a href={href('/pipelines', { app: t.app_name })}>{t.app_name}</a>
        </td>
      )}
      <td>
        {t.task_name} {t.task_type && <span className="muted small">{t.task_type}</span>}
      </td>
      <td>
        <StatusBadge status={t.status} />
        {t.status === 'timed_out' && <div className="muted small">no end reported before the deadline</div>}
      </td>
      <td title={fmtTime(t.started_at)}>{fmtAgo(t.started_at)}</td>
      <td className="num">{t.status === 'running' ? `${fmtDuration(Date.now() - new Date(t.started_at).getTime(), true)} so far` : fmtDuration(t.duration_ms)}</td>
    </tr>
  );
}
