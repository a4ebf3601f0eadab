import type { AlertEvent, AlertRule } from './types';

// The events an alert rule can watch, and the filters each one accepts (the
// server refuses a filter its event does not carry: it would never match).

export type AlertFilter = 'integration_id' | 'app' | 'task_id' | 'asset' | 'metric';

export interface AlertEventInfo {
  event: AlertEvent;
  label: string;
  filters: AlertFilter[];
  /** sync.stale needs stale_hours */
  stale?: boolean;
}

export const alertEvents: AlertEventInfo[] = [
  { event: 'sync_run.failed', label: 'A sync run failed', filters: ['integration_id'] },
  { event: 'sync_run.partially_succeeded', label: 'A sync run partially succeeded', filters: ['integration_id'] },
  { event: 'sync.stale', label: 'A sync has not succeeded for a while', filters: ['integration_id'], stale: true },
  { event: 'task_run.failed', label: 'A task run failed', filters: ['app', 'task_id'] },
  { event: 'task_run.timed_out', label: 'A task run timed out', filters: ['app', 'task_id'] },
  { event: 'metric.anomaly', label: 'A metric looks anomalous', filters: ['app', 'task_id', 'asset', 'metric'] },
  { event: 'dataset.schema_changed', label: 'A dataset’s schema changed', filters: ['app', 'task_id', 'asset'] },
  { event: 'source.schema_changed', label: 'A source table’s schema changed', filters: ['integration_id', 'asset'] },
];

export const MAX_STALE_HOURS = 8784;

export function eventInfo(event: string): AlertEventInfo | undefined {
  return alertEvents.find((e) => e.event === event);
}

export const filterLabels: Record<AlertFilter, string> = {
  integration_id: 'Integration',
  app: 'App',
  task_id: 'Task',
  asset: 'Asset',
  metric: 'Metric',
};

/** ruleFilters lists a rule's filters as label/value pairs, in form order. */
export function ruleFilters(r: AlertRule, integrationName: (id: string) => string): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  if (r.integration_id) out.push({ label: filterLabels.integration_id, value: integrationName(r.integration_id) });
  for (const f of ['app', 'task_id', 'asset', 'metric'] as const) {
    const v = r[f];
    if (v) out.push({ label: filterLabels[f], value: v });
  }
  if (r.stale_hours) out.push({ label: 'Stale after', value: `${r.stale_hours} h` });
  return out;
}
