import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { observability } from '../lib/api';
import { fmtDuration, fmtNumber, fmtTime } from '../lib/format';
import { href, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

/** TaskRunPage shows one reported task run with what it reported:
 * transformations, datasets, metric values and anomalies. */
export function TaskRunPage({ taskId }: { taskId: string }) {
  const run = usePoll((signal) => observability.taskRun(taskId, signal), [taskId], {
    everyMs: 5000,
    keepPolling: (t) => t.status === 'running',
  });
  const t = run.data;
  return (
    <>
      <PageTitle
        title="Task run"
        crumbs={
          <>
            <a href={href('/pipelines')}>Pipelines</a>
            {t && (
              <>
                {' / '}
                <a href={href('/pipelines', { app: t.app_name })}>{t.app_name}</a>
              </>
            )}
          </>
        }
      />
      <ErrorNote error={run.error} />
      {run.loading && !t && <Loading />}
      {t && (
        <>
          <dl className="facts">
            <dt>Task run</dt>
            <dd className="mono">{t.task_id}</dd>
            <dt>Task</dt>
            <dd>
              {t.task_name} {t.task_type && <span className="muted">({t.task_type})</span>}
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={t.status} />
              {t.status === 'timed_out' && <span className="muted small"> no end was reported before the app’s deadline</span>}
            </dd>
            {t.env && (
              <>
                <dt>Env</dt>
                <dd>{t.env}</dd>
              </>
            )}
            <dt>Started</dt>
            <dd>{fmtTime(t.started_at)}</dd>
            <dt>Ended</dt>
            <dd>{t.ended_at ? `${fmtTime(t.ended_at)} (${fmtDuration(t.duration_ms)})` : '—'}</dd>
            <dt>Workflow</dt>
            <dd className="mono small">{t.workflow_id}</dd>
          </dl>
          {t.error && <div className="note error">{t.error}</div>}

          <h2>Transformations</h2>
          {(t.transformations ?? []).length === 0 ? (
            <p className="muted">None reported.</p>
          ) : (
            <ul className="cards">
              {(t.transformations ?? []).map((tf) => (
                <li key={tf.tf_id} className="card">
                  <p>
                    <strong>#{tf.tf_id}</strong>{' '}
                    {Object.entries(tf.input_datasets ?? {}).map(([name, spec], i) => (
                      <span key={name}>
                        {i > 0 && ', '}
                        <a href={href('/lineage', { dataset: name })}>{name}</a>
                        {spec.columns?.length ? <span className="muted small"> ({spec.columns.join(', ')})</span> : null}
                      </span>
                    ))}{' '}
                    → {tf.output ? <a href={href('/lineage', { dataset: tf.output })}>{tf.output}</a> : '—'}
                  </p>
                  {tf.query_str && <pre className="mono small">{tf.query_str}</pre>}
                </li>
              ))}
            </ul>
          )}

          <h2>Datasets</h2>
          {(t.datasets ?? []).length === 0 ? (
            <p className="muted">None reported.</p>
          ) : (
            <ul className="plain">
              {(t.datasets ?? []).map((d) => (
                <li key={`${d.name}/${d.tf_id}`}>
                  <a href={href(pathOf('datasets', d.name))}>{d.name}</a> {d.ds_type && <span className="muted small">{d.ds_type}</span>}
                  {d.schema_version !== null && <span className="muted small"> · schema version {d.schema_version}</span>}
                </li>
              ))}
            </ul>
          )}

          <h2>Metrics</h2>
          {(t.anomalies ?? []).map((a, i) => (
            <div key={i} className="note warn">
              <strong>Anomaly:</strong> {a.asset_name} · {a.metric_type} = {fmtNumber(a.value)}, outside {fmtNumber(a.lower_bound)} – {fmtNumber(a.upper_bound)}{' '}
              (median {fmtNumber(a.median)}). <a href={href('/metrics', { asset: a.asset_name, metric: a.metric_type })}>See the chart</a>
            </div>
          ))}
          {(t.metrics ?? []).length === 0 ? (
            <p className="muted">None reported.</p>
          ) : (
            <div className="scroll">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Asset</th>
                    <th scope="col">Metric</th>
                    <th scope="col" className="num">
                      Value
                    </th>
                    <th scope="col">Recorded</th>
                  </tr>
                </thead>
                <tbody>
                  {(t.metrics ?? []).slice(0, 500).map((m, i) => (
                    <tr key={i}>
                      <td>
                        <a href={href('/metrics', { asset: m.asset_name, metric: m.metric_type })}>{m.asset_name}</a>
                      </td>
                      <td>{m.metric_type}</td>
                      <td className="num">{fmtNumber(m.value)}</td>
                      <td>{fmtTime(m.recorded_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
