import { useEffect, useRef, useState, type FormEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get } from '../api';
import { Empty, ErrorNote, Loading } from '../components/Notes';
import { fmtTime } from '../format';
import { go } from '../route';
import { useLoad } from '../usePoll';

interface Series {
  asset_name: string;
  asset_type: string;
  metric_type: string;
  points: { value: number; recorded_at: string; task_id: string; anomaly: boolean }[];
}

// Metrics charts an asset's reported metrics over time, anomalies marked.
export function Metrics({ asset }: { asset: string }) {
  const [input, setInput] = useState(asset);
  useEffect(() => setInput(asset), [asset]);
  const data = useLoad(() => get<{ series: Series[] }>(`/api/metrics${asset ? `?asset_name=${encodeURIComponent(asset)}` : ''}`), [asset]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go('/metrics', { asset: input });
  };
  const series = data.data?.series ?? [];
  return (
    <>
      <h1>Metrics</h1>
      <form className="inline" onSubmit={submit}>
        <label>
          Asset <input value={input} onChange={(e) => setInput(e.target.value)} placeholder="db.orders (empty: all)" />
        </label>
        <button type="submit">Show</button>
      </form>
      <ErrorNote error={data.error} />
      {data.loading && !data.data && <Loading />}
      {data.data && series.length === 0 && (
        <Empty title="No metrics.">Pipelines report metrics with POST /log/metrics; each series appears here with its anomalies marked.</Empty>
      )}
      {series.map((s) => (
        <section key={`${s.asset_name}/${s.metric_type}`}>
          <h2>
            {s.asset_name} · {s.metric_type}
          </h2>
          <Chart s={s} />
          <p className="muted small">
            {s.points.length} points, {plural(s.points.filter((p) => p.anomaly).length, "anomaly", "anomalies")}
            {s.points.length > 0 && `, last ${fmtTime(s.points[s.points.length - 1].recorded_at)}`}
          </p>
        </section>
      ))}
    </>
  );
}

function Chart({ s }: { s: Series }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = s.points.map((p) => new Date(p.recorded_at).getTime() / 1000);
    const ys = s.points.map((p) => p.value);
    const anomalies = s.points.map((p) => (p.anomaly ? p.value : null));
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        series: [
          {},
          { label: s.metric_type, stroke: '#2563eb', width: 2, points: { show: true, size: 5 } },
          { label: 'anomaly', stroke: '#dc2626', width: 0, points: { show: true, size: 10, fill: '#dc2626' }, paths: () => null },
        ],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      },
      [xs, ys, anomalies],
      el,
    );
    const onResize = () => plot.setSize({ width: width(), height: 240 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [s]);
  return <div ref={box} className="chart" data-testid="metric-chart" data-points={s.points.length} data-anomalies={s.points.filter((p) => p.anomaly).length} />;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
