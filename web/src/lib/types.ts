// Shapes of the API's answers, as api/openapi.yaml describes them (only the
// fields the console reads).

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface NewToken extends TokenInfo {
  token: string;
}

export interface ConnectionField {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'json';
  required: boolean;
  secret: boolean;
  default?: unknown;
  enum?: string[];
  description: string;
}

export interface ConnectionType {
  id: number;
  slug: string;
  name: string;
  description: string;
  user_creatable: boolean;
  fields: ConnectionField[];
}

export interface Integration {
  id: string;
  type: string;
  name: string;
  status: string;
  validated_at: string | null;
  created_at: string;
  updated_at: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  validation?: { warnings?: string[] };
}

export interface DiscoveredTable {
  schema: string;
  name: string;
  kind: string;
  row_estimate: number | null;
  comment?: string;
}

export interface DiscoveredColumn {
  name: string;
  source_type: string;
  type: string;
  nullable: boolean;
  primary_key: boolean;
  ordinal: number;
  comment?: string;
}

export interface CacheInfo {
  cached: boolean;
  fetched_at: string;
  age_seconds: number;
}

export type DeleteMode = 'keep' | 'hard' | 'soft';
export type LoadMethod = 'merge' | 'append' | 'overwrite';

export interface SyncTableSpec {
  name: string;
  cursor_field?: string;
  primary_keys?: string[];
  delete_mode?: DeleteMode;
}

export interface SyncConfig {
  id: string;
  integration_id: string;
  dest_schema: string;
  schedule: string;
  tables: SyncTableSpec[];
  load_method: LoadMethod;
  delete_mode?: DeleteMode;
  table_parallelism: number;
  split_rows: number | null;
  paused: boolean;
  next_run_at: string | null;
  updated_at: string;
}

export interface SyncConfigRequest {
  dest_schema: string;
  schedule: string;
  tables: (string | SyncTableSpec)[];
  load_method: LoadMethod;
  delete_mode?: DeleteMode;
  table_parallelism?: number;
  split_rows?: number | null;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';

export interface RunTable {
  name: string;
  dest_table: string;
  status: string;
  rows: number;
  rows_read: number;
  rows_estimate?: number | null;
  bytes_written: number;
  error: string | null;
  attempts: number;
  snapshot_id?: number | null;
}

export interface SyncRun {
  id: string;
  status: RunStatus;
  trigger: string;
  replay_of: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  rows_read: number;
  rows_written: number;
  bytes_written: number;
  error: string | null;
  tables: RunTable[] | null;
  workflow_id: string;
  temporal_ui_url: string;
  config?: { integration_id?: string; dest_schema?: string };
}

export interface LakeColumn {
  name: string;
  type: string;
  source_type?: string;
  nullable?: boolean;
  primary_key?: boolean;
}

export interface LakeTable {
  table_id: number;
  schema: string;
  table: string;
  row_count: number;
  file_count: number;
  size_bytes: number;
  last_snapshot_id: number;
  last_snapshot_time: string | null;
  owner: { config_id: string; integration_id: string; integration_name: string } | null;
  columns?: LakeColumn[];
}

export interface LakeSnapshot {
  id: number;
  time: string;
  schema_version: number;
  changes: string;
  change_list: { kind: string; schema?: string; table?: string }[];
}

export interface QueryRequest {
  sql: string;
  integration_id?: string;
  limit?: number;
  at?: string;
}

export interface QueryResult {
  data: Record<string, unknown>[];
  columns: { name: string; type: string }[];
  row_count: number;
  truncated: boolean;
  truncated_reason: 'rows' | 'bytes' | 'value_bytes' | null;
  elapsed_ms: number;
}

export type TaskStatus = 'running' | 'success' | 'failed' | 'timed_out';

export interface RunSummary {
  task_id: string;
  task_name: string;
  status: TaskStatus;
  env?: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
}

export interface Pipeline {
  app_name: string;
  env?: string;
  envs?: string[];
  task_count: number;
  run_count: number;
  task_timeout_seconds: number | null;
  last_run: RunSummary | null;
}

export interface AppTask {
  task_name: string;
  task_type?: string;
  run_count: number;
  last_run: RunSummary;
}

export interface TaskRun {
  task_id: string;
  app_name: string;
  task_name: string;
  task_type?: string;
  env?: string;
  status: TaskStatus;
  error?: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  workflow_id: string;
}

export interface SchemaField {
  name: string;
  type: string;
  position?: number;
}

export interface TaskRunDetail extends TaskRun {
  transformations?: {
    tf_id: string;
    status?: string;
    query_str?: string;
    input_datasets?: Record<string, { columns?: string[] }>;
    output?: string;
    reported_at?: string;
  }[];
  datasets?: { name: string; ds_type?: string; tf_id?: string; schema_version: number | null; fields?: SchemaField[] }[];
  metrics?: { asset_name: string; metric_type: string; value: number; recorded_at: string }[];
  anomalies?: { asset_name: string; metric_type: string; value: number; median: number; lower_bound: number; upper_bound: number; detected_at: string }[];
}

export interface DatasetSummary {
  name: string;
  ds_type?: string;
  namespace?: string;
  schema_version: number;
  field_count: number;
  created_at: string;
  updated_at: string;
}

export interface SchemaChange {
  from_version: number;
  to_version: number;
  added?: SchemaField[] | null;
  removed?: SchemaField[] | null;
  retyped?: { name: string; from: string; to: string }[] | null;
  task_id?: string;
  created_at: string;
}

export interface DatasetDetail extends DatasetSummary {
  properties?: Record<string, string>;
  versions?: { version: number; fields: SchemaField[] | null; task_id?: string; tf_id?: string; created_at: string }[] | null;
  changes?: SchemaChange[] | null;
}

export interface MetricPoint {
  value: number;
  recorded_at: string;
  task_id?: string;
  anomaly: boolean;
}

export interface MetricSeries {
  asset_name: string;
  asset_type?: string;
  metric_type: string;
  points: MetricPoint[];
}

export interface LineageNode {
  id: string;
  type: 'dataset' | 'transformation';
  name: string;
  ds_type?: string;
  app_name?: string;
  task_name?: string;
  tf_id?: string;
  last_task_id?: string;
  last_seen_at?: string;
  depth?: number;
}

export interface LineageEdge {
  source: string;
  target: string;
  type: 'input' | 'output';
  columns?: string[];
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
  truncated: boolean;
}

export interface LineageParams {
  dataset: string;
  direction: 'upstream' | 'downstream' | 'both';
  depth: number;
  column?: string;
  at?: string;
}

export type AlertChannelType = 'webhook' | 'slack';

/** AlertChannel is where alerts go; url shows only scheme://host/… (the path is secret). */
export interface AlertChannel {
  id: string;
  name: string;
  type: AlertChannelType;
  url: string;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  /** a generated webhook signing secret, in the create answer only */
  secret?: string;
}

export interface AlertChannelRequest {
  name?: string;
  type?: AlertChannelType;
  url?: string;
  secret?: string;
  enabled?: boolean;
}

export interface ChannelTestResult {
  delivered: boolean;
  status_code?: number;
  error?: string;
  duration_ms: number;
}

export type AlertDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface AlertDelivery {
  id: number;
  event_id: number;
  event: string;
  summary: string;
  occurred_at: string;
  rule_id: string | null;
  status: AlertDeliveryStatus;
  attempts: number;
  possible_duplicates: number;
  status_code: number | null;
  error: string | null;
  created_at: string;
  delivered_at: string | null;
  next_attempt_at?: string | null;
}

export type AlertEvent =
  | 'sync_run.failed'
  | 'sync_run.partially_succeeded'
  | 'sync.stale'
  | 'task_run.failed'
  | 'task_run.timed_out'
  | 'metric.anomaly'
  | 'dataset.schema_changed'
  | 'source.schema_changed';

export interface AlertRule {
  id: string;
  name: string;
  event: AlertEvent;
  channel_id: string;
  integration_id: string | null;
  app: string | null;
  task_id: string | null;
  asset: string | null;
  metric: string | null;
  stale_hours: number | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** AlertRuleRequest creates a rule, or (PATCH) changes the fields it sets. */
export interface AlertRuleRequest {
  name?: string;
  event?: AlertEvent;
  channel_id?: string;
  integration_id?: string;
  app?: string;
  task_id?: string;
  asset?: string;
  metric?: string;
  stale_hours?: number;
  enabled?: boolean;
}
