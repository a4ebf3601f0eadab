import { useState, type FormEvent } from 'react';
import { ApiError, get, put } from '../api';
import { Empty, ErrorNote, Loading, StatusBadge } from '../components/Notes';
import { fmtDuration, fmtTime } from '../format';
import { href } from '../route';
import { useLoad } from '../usePoll';

interface Pipeline {
  app_name: string;
  task_count: number;
  run_count: number;
  task_timeout_seconds: number | null;
  last_run: { task_id: string; task_name: string; status: string; started_at: string; ended_at: string | null } | null;
}

interface TaskRun {
  task_id: string;
  app_name: string;
  task_name: string;
  task_type: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
}

// Pipelines lists the apps that report their runs, and the task runs of one.
export function Pipelines({ app }: { app?: string }) {
  const pipes = useLoad(() => get<{ pipelines: Pipeline[] }>('/api/pipelines'), []);
  const tasks = useLoad(
    () => get<{ tasks: TaskRun[] }>(app ? `/api/pipelines/${encodeURIComponent(app)}/tasks` : '/api/tasks'),
    [app],
    5000,
    (d) => d.tasks.some((t) => t.status === 'running'),
  );
  return (
    <>
      <h1>Pipelines</h1>
      <ErrorNote error={pipes.error} />
      {pipes.loading && !pipes.data && <Loading />}
      {pipes.data && pipes.data.pipelines.length === 0 && (
        <Empty title="No pipeline has reported yet.">
          Pipelines report task runs with <code>POST /log/task</code> (see the API docs); sluice's own syncs report as <code>sluice-sync</code>.
        </Empty>
      )}
      {pipes.data && pipes.data.pipelines.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>App</th>
                <th>Tasks</th>
                <th>Runs</th>
                <th>Timeout</th>
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {pipes.data.pipelines.map((p) => (
                <tr key={p.app_name} aria-current={p.app_name === app ? 'true' : undefined}>
                  <td>
                    <a href={href('/pipelines', { app: p.app_name })}>{p.app_name}</a>
                  </td>
                  <td>{p.task_count}</td>
                  <td>{p.run_count}</td>
                  <td>{p.task_timeout_seconds ? fmtDuration(p.task_timeout_seconds * 1000) : '—'}</td>
                  <td>
                    {p.last_run ? (
                      <>
                        <StatusBadge status={p.last_run.status} /> {p.last_run.task_name} <span className="muted small">{fmtTime(p.last_run.started_at)}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {app && <TimeoutForm app={app} current={pipes.data?.pipelines.find((p) => p.app_name === app)?.task_timeout_seconds ?? null} onSaved={pipes.reload} />}
      <h2>{app ? `Task runs of ${app}` : 'Recent task runs'}</h2>
      <ErrorNote error={tasks.error} />
      {tasks.data && tasks.data.tasks.length === 0 && <p className="muted">No task runs.</p>}
      {tasks.data && tasks.data.tasks.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Task run</th>
                <th>App / task</th>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.tasks.map((t) => (
                <tr key={`${t.app_name}/${t.task_id}`}>
                  <td>
                    <code>{t.task_id}</code>
                  </td>
                  <td>
                    {t.app_name} / {t.task_name} <span className="muted small">{t.task_type}</span>
                  </td>
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td>{fmtTime(t.started_at)}</td>
                  <td>{fmtDuration(t.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

// TimeoutForm sets how long a task run of the app may run before sluice
// marks it timed out.
function TimeoutForm({ app, current, onSaved }: { app: string; current: number | null; onSaved: () => void }) {
  const [seconds, setSeconds] = useState(current ? String(current) : '');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await put(`/api/pipelines/${encodeURIComponent(app)}/settings`, { task_timeout_seconds: seconds ? Number(seconds) : null });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <form className="inline" onSubmit={submit} aria-label={`Settings of ${app}`}>
      <label>
        Task timeout of {app} (seconds)
        <input name="task_timeout_seconds" type="number" min={1} value={seconds} onChange={(e) => setSeconds(e.target.value)} placeholder="none" />
      </label>
      <button type="submit">Save</button>
      {saved && <span className="muted">Saved.</span>}
      <ErrorNote error={error} />
    </form>
  );
}
