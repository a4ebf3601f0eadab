import { useState } from 'react';
import { alerts } from '../lib/api';
import { fmtDuration } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import { href, pathOf } from '../lib/route';
import type { AlertChannel, ChannelTestResult } from '../lib/types';
import type { Polled } from '../lib/usePoll';
import { ConfirmButton } from './ConfirmButton';
import { NewChannelForm } from './NewChannelForm';
import { Empty, ErrorNote, Loading, StatusBadge } from './Notes';

/** AlertChannels lists the team's alert channels, adds, tests, pauses and deletes them. */
export function AlertChannels({ channels, onDeleted }: { channels: Polled<AlertChannel[]>; onDeleted: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (change: () => Promise<unknown>) => {
    setError(null);
    try {
      await change();
      channels.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };
  const list = channels.data;

  return (
    <section aria-labelledby="channels-heading">
      <h2 id="channels-heading">Channels</h2>
      <NewChannelForm onCreated={channels.reload} />
      <ErrorNote error={error ?? channels.error} />
      {channels.loading && !list && <Loading />}
      {list?.length === 0 && (
        <Empty title="No channels yet.">Add a webhook or Slack incoming webhook above to be told when syncs or task runs fail.</Empty>
      )}
      {list && list.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col" className="hide-narrow">
                  URL
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <ChannelRow
                  key={c.id}
                  channel={c}
                  onToggle={() => act(() => alerts.updateChannel(c.id, { enabled: !c.enabled }))}
                  onDelete={() => act(() => alerts.removeChannel(c.id).then(onDeleted))}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface ChannelRowProps {
  channel: AlertChannel;
  onToggle: () => Promise<void>;
  onDelete: () => Promise<void>;
}

function ChannelRow({ channel: c, onToggle, onDelete }: ChannelRowProps) {
  const [test, setTest] = useState<ChannelTestResult | null>(null);
  const [testError, setTestError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'test' | 'toggle' | null>(null);

  const sendTest = async () => {
    setBusy('test');
    setTest(null);
    setTestError(null);
    try {
      setTest(await alerts.testChannel(c.id));
    } catch (err) {
      setTestError(asApiError(err));
    } finally {
      setBusy(null);
    }
  };
  const toggle = async () => {
    setBusy('toggle');
    await onToggle();
    setBusy(null);
  };

  const said = test !== null || testError !== null;
  return (
    <>
      <tr className={said ? 'has-error' : undefined} data-testid={`channel-${c.name}`}>
        <td>
          <a href={href(pathOf('alerts', c.id))}>{c.name}</a>
        </td>
        <td>{c.type === 'slack' ? 'Slack' : 'Webhook'}</td>
        <td className="hide-narrow">
          <code>{c.url}</code>
        </td>
        <td>
          <StatusBadge status={c.enabled ? 'enabled' : 'disabled'} />
        </td>
        <td className="actions-cell">
          <div className="actions">
            <button type="button" className="secondary" onClick={sendTest} disabled={busy !== null}>
              {busy === 'test' ? 'Sending…' : 'Send test'}
            </button>
            <a className="button secondary" href={href(pathOf('alerts', c.id))}>
              Deliveries
            </a>
            <button type="button" className="secondary" onClick={toggle} disabled={busy !== null}>
              {busy === 'toggle' ? 'Saving…' : c.enabled ? 'Disable' : 'Enable'}
            </button>
            <ConfirmButton
              label="Delete"
              question={`Delete “${c.name}”? Its rules and its delivery log are deleted too.`}
              onConfirm={onDelete}
            />
          </div>
        </td>
      </tr>
      {said && (
        <tr className="error-row">
          <td colSpan={5}>
            {testError ? <ErrorNote error={testError} /> : test && <TestResult result={test} />}
          </td>
        </tr>
      )}
    </>
  );
}

function TestResult({ result: r }: { result: ChannelTestResult }) {
  const took = fmtDuration(r.duration_ms);
  if (r.delivered) {
    return (
      <div className="note ok small" role="status">
        Test delivered ({r.status_code ? `${r.status_code}, ` : ''}
        {took}).
      </div>
    );
  }
  return (
    <div className="note error small" role="status">
      Test not delivered{r.status_code ? ` (HTTP ${r.status_code})` : ''}: {r.error || 'no reason given'} <span className="code">after {took}</span>
    </div>
  );
}
