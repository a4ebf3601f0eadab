import { useEffect, useState, type FormEvent } from 'react';
import { MetricChart } from '../components/MetricChart';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { observability } from '../lib/api';
import { fmtNumber, fmtTime } from '../lib/format';
import { href, navigate, pathOf } from '../lib/route';
import type { MetricSeries } from '../lib/types';
import { usePoll } from '../lib/usePoll';

/** Metrics charts an asset's reported metric series with their anomalies. */
export function Metrics({ asset, metricType }: { asset: string; metricType: string }) {
  const series = usePoll((signal) => (asset ? observability.metrics({ asset_name: asset }, signal) : Promise.resolve([])), [asset]);
  const datasets = usePoll((signal) => observability.datasets(undefined, signal), []);
  const [typed, setTyped] = useState(asset);
  useEffect(() => setTyped(asset), [asset]);
  const names = (datasets.data?.datasets ?? []).map((d) => d.name);
  const shown = (series.data ?? []).filter((s) => !metricType || s.metric_type === metricType);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate('/metrics', { asset: typed.trim() });
  };
  return (
    <>
      <PageTitle title="Metrics" />
      <p className="lead">
        Values pipelines report with <code>POST /log/metrics</code>, one chart per metric. A value far outside its recent history (median ± 5 MADs
        of the last 30) is an anomaly, drawn as a red point.
      </p>
      <form className="toolbar" onSubmit={submit} aria-label="Metric asset">
        <div className="field">
          <label htmlFor="m-asset">Asset</label>
          <input id="m-asset" name="asset" list="m-assets" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="db.orders" required />
          <datalist id="m-assets">
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </div>
        {series.data && series.data.length > 1 && (
          <div className="field">
            <label htmlFor="m-type">Metric</label>
            <select id="m-type" name="metric" value={metricType} onChange={(e) => navigate('/metrics', { asset, metric: e.target.value })}>
              <option value="">All ({series.data.length})</option>
              {series.data.map((s) => (
                <option key={s.metric_type} value={s.metric_type}>
                  {s.metric_type}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit">Show metrics</button>
      </form>
      <ErrorNote error={series.error} />
      {!asset && (
        <Empty title="Pick an asset to chart its metrics.">
          {names.length > 0 ? (
            <>
              Assets are usually datasets:{' '}
              {names.slice(0, 15).map((n, i) => (
                <span key={n}>
                  {i > 0 && ', '}
                  <a href={href('/metrics', { asset: n })}>{n}</a>
                </span>
              ))}
              {names.length > 15 && ' …'}
            </>
          ) : (
            'No pipeline has reported yet.'
          )}
        </Empty>
      )}
      {asset && series.loading && !series.data && <Loading />}
      {asset && series.data?.length === 0 && (
        <Empty title={`No metrics reported for ${asset}.`}>
          A pipeline reports them with <code>POST /log/metrics</code> during a task run; check the asset’s name on the{' '}
          <a href={href('/datasets')}>Datasets</a> page.
        </Empty>
      )}
      {shown.map((s) => (
        <SeriesSection key={`${s.asset_name}/${s.metric_type}`} series={s} />
      ))}
    </>
  );
}

function SeriesSection({ series: s }: { series: MetricSeries }) {
  const anomalies = s.points.filter((p) => p.anomaly);
  const last = s.points[s.points.length - 1];
  const id = `series-${s.metric_type}`;
  return (
    <section aria-labelledby={id} className="series">
      <h2 id={id}>
        {s.metric_type} <span className="muted small">{s.asset_name}</span>
      </h2>
      <p className="muted small">
        {fmtNumber(s.points.length)} values
        {last && `, last ${fmtNumber(last.value)} at ${fmtTime(last.recorded_at)}`} · {anomalies.length}{' '}
        {anomalies.length === 1 ? 'anomaly' : 'anomalies'}
      </p>
      <MetricChart series={s} />
      {anomalies.length > 0 && (
        <div className="scroll anomalies">
          <table className="data">
            <caption className="visually-hidden">Anomalies of {s.metric_type}</caption>
            <thead>
              <tr>
                <th scope="col">Anomaly at</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col">Task run</th>
              </tr>
            </thead>
            <tbody>
              {anomalies.map((p) => (
                <tr key={p.recorded_at + p.value}>
                  <td>{fmtTime(p.recorded_at)}</td>
                  <td className="num anomaly-value">{fmtNumber(p.value)}</td>
                  <td>{p.task_id ? <a href={href(pathOf('tasks', p.task_id))} className="mono">{p.task_id}</a> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
