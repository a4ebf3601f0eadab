import { Empty, ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { connectionTypes, integrations } from '../lib/api';
import { fmtAgo, fmtTime } from '../lib/format';
import { href, navigate, pathOf } from '../lib/route';
import type { Integration } from '../lib/types';
import { usePoll } from '../lib/usePoll';

/** Integrations lists the team's connections, optionally of one type. */
export function Integrations({ type }: { type: string }) {
  const types = usePoll((signal) => connectionTypes.list(signal), []);
  const list = usePoll((signal) => integrations.list(type || undefined, signal), [type]);
  const typeName = (slug: string) => types.data?.find((t) => t.slug === slug)?.name ?? slug;

  return (
    <>
      <PageTitle title="Integrations">
        <a className="button" href={href('/integrations/new')}>
          New integration
        </a>
      </PageTitle>
      <p className="lead">Databases and warehouses sluice can query and sync into the lake. Credentials are checked before they are saved.</p>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="type-filter">Type</label>
          <select id="type-filter" name="type" value={type} onChange={(e) => navigate('/integrations', { type: e.target.value })}>
            <option value="">All types</option>
            {types.data?.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={list.error ?? types.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && type && list.data.length === 0 && (
        <Empty title={`No ${typeName(type)} integrations.`}>
          <a href={href('/integrations')}>Show every type</a> or <a href={href('/integrations/new', { type })}>create one</a>.
        </Empty>
      )}
      {/* The team's lake is listed from the start; the prompt is about sources of their own. */}
      {list.data && !type && list.data.every((i) => i.type === 'ducklake') && (
        <Empty title="No integrations yet — create one.">
          <p>Point sluice at a database: it connects with the credentials you give, and keeps them (encrypted) only if that works.</p>
          <a className="button" href={href('/integrations/new')}>
            Create an integration
          </a>
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">
                  Where
                </th>
                <th scope="col" className="hide-narrow">
                  Validated
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={href(pathOf('integrations', i.id))}>{i.name}</a>
                  </td>
                  <td>{typeName(i.type)}</td>
                  <td>
                    <StatusBadge status={i.status} />
                  </td>
                  <td className="muted hide-narrow">{whereItPoints(i)}</td>
                  <td className="hide-narrow" title={fmtTime(i.validated_at)}>
                    {fmtAgo(i.validated_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** whereItPoints summarizes an integration's address: host / database. */
export function whereItPoints(i: Integration): string {
  const c = i.config ?? {};
  const host = c.host ?? c.account ?? c.project_id ?? c.api_url ?? '';
  const db = c.database ?? c.dataset ?? '';
  return [host, db].filter(Boolean).map(String).join(' / ');
}
