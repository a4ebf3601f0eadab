import { useMemo, useState } from 'react';
import { get, type ConnectionType, type Integration } from '../api';
import { Empty, ErrorNote, Loading, StatusBadge } from '../components/Notes';
import { fmtTime } from '../format';
import { href } from '../route';
import { useLoad } from '../usePoll';

// Integrations lists the team's connections, filtered by type.
export function Integrations({ type }: { type: string }) {
  const catalog = useLoad(() => get<{ data: ConnectionType[] }>('/v2/connectionconfig'), []);
  const list = useLoad(() => get<{ integrations: Integration[] }>(`/v1/api/integrations${type ? `?type=${encodeURIComponent(type)}` : ''}`), [type]);
  const [filter, setFilter] = useState(type);
  const types = useMemo(() => catalog.data?.data ?? [], [catalog.data]);
  return (
    <>
      <div className="title-row">
        <h1>Integrations</h1>
        <a className="button" href={href('/integrations/new')}>
          New integration
        </a>
      </div>
      <label className="inline-label">
        Type{' '}
        <select
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            window.location.hash = href('/integrations', { type: e.target.value });
          }}
        >
          <option value="">all</option>
          {types.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.integrations.length === 0 && (
        <Empty title={type ? `No ${type} integrations.` : 'No integrations yet.'}>
          <a href={href('/integrations/new')}>Create one</a> to point sluice at a database: it checks the credentials before saving them.
        </Empty>
      )}
      {list.data && list.data.integrations.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Status</th>
                <th>Where</th>
                <th>Validated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.integrations.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={href(`/integrations/${i.id}`)}>{i.name}</a>
                  </td>
                  <td>{i.type}</td>
                  <td>
                    <StatusBadge status={i.status} />
                  </td>
                  <td className="muted">{where(i)}</td>
                  <td>{fmtTime(i.validated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function where(i: Integration): string {
  const c = i.config ?? {};
  const host = c.host ?? c.account ?? c.project_id ?? '';
  const db = c.database ?? c.dataset ?? '';
  return [host, db].filter(Boolean).join(' / ');
}
