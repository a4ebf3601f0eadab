import { useState } from 'react';
import { ApiError, del, get, type Integration } from '../api';
import { ErrorNote, Loading, StatusBadge } from '../components/Notes';
import { fmtTime } from '../format';
import { go, href } from '../route';
import { useLoad } from '../usePoll';
import { IntegrationForm } from './IntegrationForm';
import { SchemaBrowser } from './SchemaBrowser';
import { SyncPanel } from './SyncPanel';

// IntegrationDetail shows one integration, edits or deletes it, and holds
// its sync: configuration, actions and run history.
export function IntegrationDetail({ id }: { id: string }) {
  const it = useLoad(() => get<{ integration: Integration }>(`/v1/api/integrations/${id}`), [id]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (it.loading && !it.data) return <Loading />;
  if (!it.data) return <ErrorNote error={it.error} />;
  const i = it.data.integration;
  const remove = async () => {
    if (!window.confirm(`Delete the integration "${i.name}"? Its sync stops; the lake keeps its tables.`)) return;
    try {
      await del(`/v1/api/integrations/${i.id}`);
      go('/integrations');
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <p className="crumbs">
        <a href={href('/integrations')}>Integrations</a> /
      </p>
      <div className="title-row">
        <h1>{i.name}</h1>
        <div className="actions">
          <button onClick={() => setEditing(!editing)}>{editing ? 'Close editor' : 'Edit'}</button>
          <button className="danger" onClick={remove}>
            Delete
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      <dl className="facts">
        <dt>Type</dt>
        <dd>{i.type}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={i.status} />
        </dd>
        <dt>Validated</dt>
        <dd>{fmtTime(i.validated_at)}</dd>
        {Object.entries(i.config ?? {}).map(([k, v]) => (
          <Fact key={k} name={k} value={v} />
        ))}
      </dl>
      {(i.warnings ?? []).map((w) => (
        <div key={w} className="note warn">
          {w}
        </div>
      ))}
      {editing && (
        <section>
          <h2>Edit</h2>
          <p className="muted small">Changing where it connects (host, port, database, user) needs the password again.</p>
          <IntegrationForm
            existing={i}
            onSaved={(saved) => {
              setEditing(false);
              it.setData({ integration: saved });
            }}
          />
        </section>
      )}
      {i.type !== 'ducklake' && i.type !== 'cube' && <SyncPanel integrationId={i.id} />}
      {i.type !== 'cube' && <SchemaBrowser integrationId={i.id} />}
    </>
  );
}

function Fact({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
    </>
  );
}
