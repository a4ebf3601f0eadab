// Typed helpers for the routes the console uses, one per call, grouped by
// area. Shapes are in types.ts; errors are ApiError (http.ts).
import { ApiError, request, seg } from './http';
import type {
  AlertChannel,
  AlertChannelRequest,
  AlertDelivery,
  AlertRule,
  AlertRuleRequest,
  AppTask,
  ChannelTestResult,
  CacheInfo,
  ConnectionType,
  DatasetDetail,
  DatasetSummary,
  DiscoveredColumn,
  DiscoveredTable,
  Integration,
  LakeSnapshot,
  LakeTable,
  LineageGraph,
  LineageParams,
  MetricSeries,
  NewToken,
  Pipeline,
  QueryRequest,
  QueryResult,
  SyncConfig,
  SyncConfigRequest,
  SyncRun,
  TaskRun,
  TaskRunDetail,
  TokenInfo,
} from './types';

type Signal = AbortSignal | undefined;

export const tokens = {
  list: (signal?: Signal) => request<{ tokens: TokenInfo[] }>('GET', '/api/tokens', { signal }).then((r) => r.tokens),
  create: (name: string, expiresIn?: string) =>
    request<NewToken>('POST', '/api/tokens', { body: expiresIn ? { name, expires_in: expiresIn } : { name } }),
  revoke: (id: string) => request<{ id: string; revoked: true }>('DELETE', `/api/tokens/${seg(id)}`),
};

export const connectionTypes = {
  list: (signal?: Signal) => request<{ data: ConnectionType[] }>('GET', '/v2/connectionconfig', { signal }).then((r) => r.data),
};

export const integrations = {
  list: (type?: string, signal?: Signal) =>
    request<{ integrations: Integration[] }>('GET', '/v1/api/integrations', { query: { type }, signal }).then((r) => r.integrations),
  get: (id: string, signal?: Signal) =>
    request<{ integration: Integration }>('GET', `/v1/api/integrations/${seg(id)}`, { signal }).then((r) => r.integration),
  create: (body: { type: string; name?: string; credentials: Record<string, unknown> }) =>
    request<{ integration: Integration }>('POST', '/v1/api/integrations', { body }).then((r) => r.integration),
  update: (id: string, body: { name?: string; credentials?: Record<string, unknown> }) =>
    request<{ integration: Integration }>('PUT', `/v1/api/integrations/${seg(id)}`, { body }).then((r) => r.integration),
  remove: (id: string) => request<{ id: string; deleted: true }>('DELETE', `/v1/api/integrations/${seg(id)}`),
  tables: (id: string, refresh: boolean, signal?: Signal) =>
    request<{ tables: DiscoveredTable[]; cache: CacheInfo }>('GET', `/v1/api/integrations/${seg(id)}/schema`, {
      query: { refresh: refresh || undefined },
      signal,
    }),
  columns: (id: string, table: string, signal?: Signal) =>
    request<{ table: { schema: string; name: string }; columns: DiscoveredColumn[]; cache: CacheInfo }>(
      'GET',
      `/v1/api/integrations/${seg(id)}/schema/${seg(table)}`,
      { signal },
    ),
};

const syncPath = (integrationId: string) => `/v1/api/integrations/${seg(integrationId)}/sync`;

export const syncs = {
  /** config answers null when the integration has no sync yet (a 404 on a
   * route whose integration the caller has just loaded). */
  config: (integrationId: string, signal?: Signal) =>
    request<{ sync_config: SyncConfig }>('GET', syncPath(integrationId), { signal }).then(
      (r) => r.sync_config,
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      },
    ),
  save: (integrationId: string, body: SyncConfigRequest) =>
    request<{ sync_config: SyncConfig }>('POST', syncPath(integrationId), { body }).then((r) => r.sync_config),
  remove: (integrationId: string, dropTables: boolean) =>
    request<{ deleted: true; dropped_tables: string[] }>('DELETE', syncPath(integrationId), {
      query: { drop_tables: dropTables ? 'true' : undefined },
    }),
  pause: (integrationId: string) => request<{ sync_config: SyncConfig }>('POST', `${syncPath(integrationId)}/pause`).then((r) => r.sync_config),
  resume: (integrationId: string) => request<{ sync_config: SyncConfig }>('POST', `${syncPath(integrationId)}/resume`).then((r) => r.sync_config),
  runNow: (integrationId: string) => request<{ data: SyncRun }>('POST', `${syncPath(integrationId)}/run`).then((r) => r.data),
  history: (integrationId: string, limit: number, signal?: Signal) =>
    request<{ data: SyncRun[] }>('GET', `/v1/api/integrations/${seg(integrationId)}/syncs`, { query: { limit }, signal }).then((r) => r.data),
};

export const runs = {
  get: (runId: string, signal?: Signal) => request<{ data: SyncRun }>('GET', `/v1/api/syncs/${seg(runId)}`, { signal }).then((r) => r.data),
  cancel: (runId: string) => request<{ data: SyncRun }>('POST', `/v1/api/syncs/${seg(runId)}/cancel`).then((r) => r.data),
  replay: (runId: string, tables: 'failed' | 'all') =>
    request<{ data: SyncRun }>('POST', `/v1/api/syncs/${seg(runId)}/replay`, { body: { tables } }).then((r) => r.data),
};

export const lake = {
  tables: (signal?: Signal) => request<{ tables: LakeTable[]; truncated: boolean }>('GET', '/v1/api/lake/tables', { signal }),
  table: (name: string, signal?: Signal) => request<LakeTable>('GET', `/v1/api/lake/tables/${seg(name)}`, { signal }),
  snapshots: (before: number | undefined, signal?: Signal) =>
    request<{ snapshots: LakeSnapshot[]; next_before: number | null }>('GET', '/v1/api/lake/snapshots', {
      query: { limit: 20, before },
      signal,
    }),
};

/** runQuery runs read-only SQL on an integration, or on the lake without one. */
export const runQuery = (body: QueryRequest, snapshot?: number) =>
  request<QueryResult>('POST', '/v1/query', { body, query: { snapshot } });

export const observability = {
  pipelines: (signal?: Signal) => request<{ pipelines: Pipeline[]; next_cursor: string }>('GET', '/api/pipelines', { signal }),
  appTasks: (app: string, signal?: Signal) =>
    request<{ app_name: string; tasks: AppTask[] }>('GET', `/api/pipelines/${seg(app)}/tasks`, { signal }).then((r) => r.tasks ?? []),
  setAppTimeout: (app: string, seconds: number | null) =>
    request<{ app_name: string; task_timeout_seconds: number | null }>('PUT', `/api/pipelines/${seg(app)}/settings`, {
      body: { task_timeout_seconds: seconds },
    }),
  taskRuns: (filter: { app_name?: string; status?: string; cursor?: string }, signal?: Signal) =>
    request<{ tasks: TaskRun[]; next_cursor: string }>('GET', '/api/tasks', { query: { ...filter, limit: 50 }, signal }),
  taskRun: (taskId: string, signal?: Signal) =>
    request<{ task: TaskRunDetail }>('GET', `/api/tasks/${seg(taskId)}`, { signal }).then((r) => r.task),
  datasets: (prefix?: string, signal?: Signal) =>
    request<{ datasets: DatasetSummary[]; next_cursor: string }>('GET', '/api/datasets', { query: { prefix, limit: 500 }, signal }),
  dataset: (name: string, signal?: Signal) =>
    request<{ dataset: DatasetDetail }>('GET', `/api/datasets/${seg(name)}`, { signal }).then((r) => r.dataset),
  metrics: (filter: { asset_name: string; metric_type?: string; since?: string; until?: string }, signal?: Signal) =>
    request<{ series: MetricSeries[] }>('GET', '/api/metrics', { query: filter, signal }).then((r) => r.series ?? []),
  lineage: (p: LineageParams, signal?: Signal) =>
    request<LineageGraph>('GET', '/api/lineage', {
      query: { dataset: p.dataset, direction: p.direction, depth: p.depth, column: p.column, at: p.at },
      signal,
    }),
};

/** DELIVERY_PAGE is how many deliveries one page of a channel's log holds. */
export const DELIVERY_PAGE = 100;

const channelPath = (id: string) => `/v1/api/alerts/channels/${seg(id)}`;
const rulePath = (id: string) => `/v1/api/alerts/rules/${seg(id)}`;

export const alerts = {
  channels: (signal?: Signal) =>
    request<{ channels: AlertChannel[] }>('GET', '/v1/api/alerts/channels', { signal }).then((r) => r.channels ?? []),
  channel: (id: string, signal?: Signal) => request<AlertChannel>('GET', channelPath(id), { signal }),
  createChannel: (body: AlertChannelRequest) => request<AlertChannel>('POST', '/v1/api/alerts/channels', { body }),
  updateChannel: (id: string, body: AlertChannelRequest) => request<AlertChannel>('PATCH', channelPath(id), { body }),
  removeChannel: (id: string) => request<{ deleted: true; id: string }>('DELETE', channelPath(id)),
  testChannel: (id: string) => request<ChannelTestResult>('POST', `${channelPath(id)}/test`),
  /** deliveries is a page of a channel's log, newest first; before is the last id of the page above. */
  deliveries: (id: string, before: number | undefined, signal?: Signal) =>
    request<{ deliveries: AlertDelivery[] }>('GET', `${channelPath(id)}/deliveries`, { query: { limit: DELIVERY_PAGE, before }, signal }).then(
      (r) => r.deliveries ?? [],
    ),
  rules: (signal?: Signal) => request<{ rules: AlertRule[] }>('GET', '/v1/api/alerts/rules', { signal }).then((r) => r.rules ?? []),
  createRule: (body: AlertRuleRequest) => request<AlertRule>('POST', '/v1/api/alerts/rules', { body }),
  updateRule: (id: string, body: AlertRuleRequest) => request<AlertRule>('PATCH', rulePath(id), { body }),
  removeRule: (id: string) => request<{ deleted: true; id: string }>('DELETE', rulePath(id)),
};
