import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricSeries } from '../lib/types';

const height = 260;

/**
 * MetricChart plots one metric series over time with uPlot: the values as a
 * line with points, and the anomalous values again as large red points on a
 * series of their own, so they stand out and have their own legend entry.
 */
export function MetricChart({ series }: { series: MetricSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const points = series.points;
  const anomalies = points.filter((p) => p.anomaly).length;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = points.map((p) => new Date(p.recorded_at).getTime() / 1000);
    const values = points.map((p) => p.value);
    const marked = points.map((p) => (p.anomaly ? p.value : null));
    const width = () => Math.max(260, el.clientWidth - 2);
    const plot = new uPlot(
      {
        width: width(),
        height,
        cursor: { points: { size: 8 } },
        legend: { live: true },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#475569', grid: { stroke: '#eef2f7' } },
          { stroke: '#475569', grid: { stroke: '#eef2f7' }, size: 64, values: (_u, ticks) => ticks.map(compact) },
        ],
        series: [
          { label: 'Time' },
          {
            label: series.metric_type,
            stroke: '#2563eb',
            width: 2,
            fill: 'rgba(37, 99, 235, 0.06)',
            points: { show: true, size: 5, fill: '#2563eb' },
          },
          {
            label: 'Anomaly',
            stroke: '#dc2626',
            width: 0,
            paths: () => null,
            points: { show: true, size: 13, width: 2, stroke: '#7f1d1d', fill: '#ef4444' },
          },
        ],
      },
      [xs, values, marked],
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [points, series.metric_type]);

  return (
    <div
      ref={box}
      className="chart"
      data-testid="metric-chart"
      data-points={points.length}
      data-anomalies={anomalies}
      role="img"
      aria-label={`${series.metric_type} of ${series.asset_name} over time: ${points.length} values, ${anomalies} anomalous. The table below lists the anomalies.`}
    />
  );
}

function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return String(+n.toFixed(3));
}
