import { useState } from 'react';
import { Empty, ErrorNote, Loading, PageTitle, StatusBadge } from '../components/Notes';
import { alerts, DELIVERY_PAGE } from '../lib/api';
import { fmtAgo, fmtTime } from '../lib/format';
import { href } from '../lib/route';
import type { AlertDelivery } from '../lib/types';
import { usePoll } from '../lib/usePoll';

const columns = 7;

/** AlertDeliveries is one channel's delivery log, newest first, a page at a time. */
export function AlertDeliveries({ id }: { id: string }) {
  const channel = usePoll((signal) => alerts.channel(id, signal), [id]);
  const first = usePoll((signal) => alerts.deliveries(id, undefined, signal), [id]);
  // Pages after the first, each keyed by the id it starts before.
  const [pages, setPages] = useState<number[]>([]);
  const title = channel.data ? `Deliveries to ${channel.data.name}` : 'Deliveries';

  return (
    <>
      <PageTitle title={title} crumbs={<a href={href('/alerts')}>Alerts</a>}>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setPages([]);
            first.reload();
          }}
        >
          Refresh
        </button>
      </PageTitle>
      {channel.data && (
        <p className="lead">
          {channel.data.type === 'slack' ? 'Slack' : 'Webhook'} <code>{channel.data.url}</code>
          {channel.data.enabled ? '' : ' (disabled: nothing is sent to it)'}. Failed sends are retried; each row is one alert.
        </p>
      )}
      <ErrorNote error={channel.error ?? first.error} />
      {first.loading && !first.data && <Loading />}
      {first.data?.length === 0 && (
        <Empty title="Nothing delivered yet.">
          <a href={href('/alerts')}>Send it a test, or add a rule</a> that sends events to this channel.
        </Empty>
      )}
      {first.data && first.data.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Summary</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col" className="num">
                  HTTP
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <DeliveryRows rows={first.data} more={pages.length === 0} onMore={(before) => setPages([before])} />
            {pages.map((before, i) => (
              <DeliveryPage key={before} channelId={id} before={before} last={i === pages.length - 1} onMore={(next) => setPages([...pages, next])} />
            ))}
          </table>
        </div>
      )}
    </>
  );
}

interface DeliveryPageProps {
  channelId: string;
  before: number;
  last: boolean;
  onMore: (before: number) => void;
}

function DeliveryPage({ channelId, before, last, onMore }: DeliveryPageProps) {
  const page = usePoll((signal) => alerts.deliveries(channelId, before, signal), [channelId, before]);
  if (!page.data) {
    return (
      <tbody>
        <tr>
          <td colSpan={columns}>{page.error ? <ErrorNote error={page.error} /> : <Loading />}</td>
        </tr>
      </tbody>
    );
  }
  return <DeliveryRows rows={page.data} more={last} onMore={onMore} />;
}

/** DeliveryRows is one page; more offers the next when this one is full. */
function DeliveryRows({ rows, more, onMore }: { rows: AlertDelivery[]; more: boolean; onMore: (before: number) => void }) {
  const lastId = rows.length > 0 ? rows[rows.length - 1].id : undefined;
  return (
    <tbody>
      {rows.map((d) => (
        <tr key={d.id} data-testid={`delivery-${d.id}`}>
          <td className="nowrap" title={fmtTime(d.occurred_at)}>
            {fmtAgo(d.occurred_at)}
          </td>
          <td>
            <code>{d.event}</code>
          </td>
          <td>{d.summary}</td>
          <td>
            <StatusBadge status={d.status} />
            {d.status === 'delivered' && d.delivered_at && <div className="muted small">{fmtTime(d.delivered_at)}</div>}
            {d.status === 'pending' && d.next_attempt_at && <div className="muted small">next try {fmtAgo(d.next_attempt_at)}</div>}
            {d.possible_duplicates > 0 && (
              <div className="muted small" title="A send may have reached the receiver without sluice hearing back, so it may have seen this alert more than once.">
                possible duplicate ({d.possible_duplicates})
              </div>
            )}
          </td>
          <td className="num">{d.attempts}</td>
          <td className="num">{d.status_code ?? '—'}</td>
          <td className="small">{d.error || <span className="muted">—</span>}</td>
        </tr>
      ))}
      {more && lastId !== undefined && rows.length >= DELIVERY_PAGE && (
        <tr>
          <td colSpan={columns}>
            <button type="button" className="secondary small" onClick={() => onMore(lastId)}>
              Load older
            </button>
          </td>
        </tr>
      )}
    </tbody>
  );
}
