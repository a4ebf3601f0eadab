import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { RunHistory } from '../components/RunHistory';
import { integrations } from '../lib/api';
import { href, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

const notSyncable = new Set(['cube', 'ducklake']);

/** SyncRuns shows the latest runs of every integration's sync. */
export function SyncRuns() {
  const list = usePoll((signal) => integrations.list(undefined, signal), []);
  const sources = (list.data ?? []).filter((i) => !notSyncable.has(i.type));
  return (
    <>
      <PageTitle title="Sync runs" />
      <p className="lead">The latest runs of each integration’s sync. Open a run to follow it live, cancel it or replay it.</p>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && sources.length === 0 && (
        <Empty title="No integrations yet — create one.">
          Syncs copy an integration’s tables into the lake. <a href={href('/integrations/new')}>Create an integration</a>, then configure its
          sync.
        </Empty>
      )}
      {sources.map((i) => (
        <section key={i.id} aria-labelledby={`runs-${i.id}`}>
          <h2 id={`runs-${i.id}`}>
            <a href={href(pathOf('integrations', i.id))}>{i.name}</a> <span className="muted small">{i.type}</span>
          </h2>
          <RunHistory integrationId={i.id} limit={5} />
        </section>
      ))}
    </>
  );
}
