import { useEffect, useState } from 'react';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { RunHistory } from '../components/RunHistory';
import { SchemaBrowser } from '../components/SchemaBrowser';
import { SyncPanel } from '../components/SyncPanel';
import { integrations } from '../lib/api';
import { clearFlash, peekFlash } from '../lib/flash';
import { fieldLabel, fmtTime } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import { href, navigate, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

// Types that answer queries but have no tables to sync.
const notSyncable = new Set(['cube', 'ducklake']);

/** IntegrationDetail shows one integration with its sync and run history. */
export function IntegrationDetail({ id }: { id: string }) {
  const it = usePoll((signal) => integrations.get(id, signal), [id]);
  const [warnings] = useState(peekFlash);
  useEffect(clearFlash, []);
  const [error, setError] = useState<ApiError | null>(null);
  const [runsVersion, setRunsVersion] = useState(0);

  if (!it.data) return it.error ? <><PageTitle title="Integration" crumbs={<a href={href('/integrations')}>Integrations</a>} /><ErrorNote error={it.error} /></> : <Loading />;
  const i = it.data;

  const remove = async () => {
    setError(null);
    try {
      await integrations.remove(i.id);
      navigate('/integrations');
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <>
      <PageTitle title={i.name} crumbs={<a href={href('/integrations')}>Integrations</a>}>
        <a className="button secondary" href={href(pathOf('integrations', i.id, 'edit'))}>
          Edit
        </a>
        {i.type !== 'stripe' && (
          <a className="button secondary" href={href('/query', { integration: i.id })}>
            Query
          </a>
        )}
        <ConfirmButton
          label="Delete"
          question={`Delete “${i.name}”? Its stored secrets are erased and it leaves every list.`}
          confirmLabel="Delete integration"
          onConfirm={remove}
        />
      </PageTitle>
      <ErrorNote error={error} />
      {warnings.map((w) => (
        <div key={w} className="note warn" role="status">
          {w}
        </div>
      ))}
      <dl className="facts">
        <dt>Type</dt>
        <dd>{i.type}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={i.status} />
        </dd>
        <dt>Validated</dt>
        <dd>{fmtTime(i.validated_at)}</dd>
        {Object.entries(i.credentials ?? {}).map(([k, v]) => (
          <Fact key={k} name={k} value={v} />
        ))}
      </dl>
      {i.type === 'ducklake' && (
        <p>
          This is your team’s lake. See its tables on the <a href={href('/lake')}>Lake</a> page.
        </p>
      )}
      {!notSyncable.has(i.type) && (
        <>
          <SyncPanel integration={i} onRunStarted={() => setRunsVersion((v) => v + 1)} />
          <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">Run history</h2>
            <RunHistory integrationId={i.id} version={runsVersion} />
          </section>
        </>
      )}
      {i.type !== 'cube' && <SchemaBrowser integrationId={i.id} />}
    </>
  );
}

function Fact({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{fieldLabel(name)}</dt>
      <dd className={value === '********' ? 'muted' : undefined}>
        {value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)}
      </dd>
    </>
  );
}
