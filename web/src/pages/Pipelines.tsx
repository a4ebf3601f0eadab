import { useState, type FormEvent } from 'react';
import { Empty, ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { TaskRunsTable } from '../components/TaskRunsTable';
import { observability } from '../lib/api';
import { fmtAgo, fmtDuration, fmtTime } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import { href, navigate } from '../lib/route';
import type { Pipeline } from '../lib/types';
import { usePoll } from '../lib/usePoll';

const defaultDeadline = 86_400;
const statuses = ['running', 'success', 'failed', 'timed_out'];

/** Pipelines lists the apps that report their task runs; with one chosen,
 * its tasks, its run deadline and its runs. */
export function Pipelines({ app, status }: { app: string; status: string }) {
  const pipelines = usePoll((signal) => observability.pipelines(signal), []);
  const chosen = pipelines.data?.pipelines.find((p) => p.app_name === app);
  return (
    <>
      <PageTitle title="Pipelines" />
      <p className="lead">Apps report their task runs, lineage and metrics to sluice; a run that reports no end before its app’s deadline is timed out.</p>
      <ErrorNote error={pipelines.error} />
      {pipelines.loading && !pipelines.data && <Loading />}
      {pipelines.data?.pipelines.length === 0 && (
        <Empty title="No pipeline has reported yet.">
          A pipeline reports a run with <code>POST /log/task</code>, its transformations with <code>POST /log/tf</code> and metrics with{' '}
          <code>POST /log/metrics</code>; see the <a href="/api/docs">API docs</a>.
        </Empty>
      )}
      {pipelines.data && pipelines.data.pipelines.length > 0 && <PipelineTable pipelines={pipelines.data.pipelines} current={app} />}
      {chosen && <AppDetail key={chosen.app_name} pipeline={chosen} onSaved={pipelines.reload} />}
      <section aria-labelledby="task-runs-heading">
        <div className="title-row">
          <h2 id="task-runs-heading">{app ? `Task runs of ${app}` : 'Recent task runs'}</h2>
          <div className="field inline">
            <label htmlFor="status-filter">Status</label>
            <select id="status-filter" value={status} onChange={(e) => navigate('/pipelines', { app, status: e.target.value })}>
              <option value="">Any</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {s.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </div>
        </div>
        <TaskRunsTable key={`${app}/${status}`} app={app} status={status} />
      </section>
    </>
  );
}

function PipelineTable({ pipelines, current }: { pipelines: Pipeline[]; current: string }) {
  return (
    <div className="scroll">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col" className="num">
              Tasks
            </th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col">Deadline</th>
            <th scope="col">Last run</th>
          </tr>
        </thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.app_name} className={p.app_name === current ? 'current' : undefined}>
              <th scope="row">
                <a href={href('/pipelines', { app: p.app_name })} aria-current={p.app_name === current ? 'true' : undefined}>
                  {p.app_name}
                </a>
                {p.envs && p.envs.length > 0 && <div className="muted small">{p.envs.join(', ')}</div>}
              </th>
              <td className="num">{p.task_count}</td>
              <td className="num">{p.run_count}</td>
              <td>{fmtDuration((p.task_timeout_seconds ?? defaultDeadline) * 1000, true)}</td>
              <td>
                {p.last_run ? (
                  <>
                    <StatusBadge status={p.last_run.status} /> {p.last_run.task_name}{' '}
                    <span className="muted small" title={fmtTime(p.last_run.started_at)}>
                      {fmtAgo(p.last_run.started_at)}
                    </span>
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
  );
}

/** AppDetail: the app's distinct tasks and its run deadline, editable. */
function AppDetail({ pipeline, onSaved }: { pipeline: Pipeline; onSaved: () => void }) {
  const tasks = usePoll((signal) => observability.appTasks(pipeline.app_name, signal), [pipeline.app_name]);
  const [hours, setHours] = useState(String((pipeline.task_timeout_seconds ?? defaultDeadline) / 3600));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (e: FormEvent, reset = false) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await observability.setAppTimeout(pipeline.app_name, reset ? null : Math.round(Number(hours) * 3600));
      if (reset) setHours(String(defaultDeadline / 3600));
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section aria-labelledby="app-heading" className="card">
      <h2 id="app-heading">{pipeline.app_name}</h2>
      <form className="row-form" onSubmit={save}>
        <div className="field">
          <label htmlFor="deadline">Run deadline (hours)</label>
          <input id="deadline" name="deadline_hours" type="number" min={0.001} max={720} step="any" value={hours} onChange={(e) => setHours(e.target.value)} className="narrow" />
        </div>
        <button type="submit" className="secondary">
          Save deadline
        </button>
        <button type="button" className="secondary" onClick={(e) => save(e, true)}>
          Reset to 24 h
        </button>
        {saved && (
          <span className="muted small" role="status">
            Saved; applies to runs started from now on.
          </span>
        )}
      </form>
      <ErrorNote error={error ?? tasks.error} />
      {tasks.data && tasks.data.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col" className="num">
                  Runs
                </th>
                <th scope="col">Last run</th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.map((t) => (
                <tr key={t.task_name}>
                  <th scope="row">
                    {t.task_name} {t.task_type && <span className="muted small">{t.task_type}</span>}
                  </th>
                  <td className="num">{t.run_count}</td>
                  <td>
                    {t.last_run ? (
                      <>
                        <StatusBadge status={t.last_run.status} />{' '}
                        <a className="small" href={href(`/tasks/${encodeURIComponent(t.last_run.task_id)}`)} title={fmtTime(t.last_run.started_at)}>
                          {fmtAgo(t.last_run.started_at)}
                        </a>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="num">{t.last_run ? fmtDuration(t.last_run.duration_ms) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
