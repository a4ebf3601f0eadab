import { useState } from 'react';
import { eventInfo, ruleFilters } from '../lib/alertEvents';
import { alerts } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import { href, pathOf } from '../lib/route';
import type { AlertChannel, AlertRule, Integration } from '../lib/types';
import type { Polled } from '../lib/usePoll';
import { ConfirmButton } from './ConfirmButton';
import { NewRuleForm } from './NewRuleForm';
import { Empty, ErrorNote, Loading, StatusBadge } from './Notes';

interface AlertRulesProps {
  rules: Polled<AlertRule[]>;
  channels: AlertChannel[] | undefined;
  integrations: Integration[] | undefined;
}

/** AlertRules lists the rules that route events to channels, adds, pauses and deletes them. */
export function AlertRules({ rules, channels, integrations }: AlertRulesProps) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const act = async (id: string, change: () => Promise<unknown>) => {
    setBusy(id);
    setError(null);
    try {
      await change();
      rules.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(null);
    }
  };
  const channelOf = (id: string) => channels?.find((c) => c.id === id);
  const integrationName = (id: string) => integrations?.find((i) => i.id === id)?.name ?? id;
  // The team's lake is where syncs write, not a source a rule watches.
  const sources = integrations?.filter((i) => i.type !== 'ducklake');
  const list = rules.data;

  return (
    <section aria-labelledby="rules-heading">
      <h2 id="rules-heading">Rules</h2>
      <NewRuleForm channels={channels} integrations={sources} onCreated={rules.reload} />
      <ErrorNote error={error ?? rules.error} />
      {rules.loading && !list && <Loading />}
      {list?.length === 0 && (
        <Empty title="No rules yet.">
          {channels?.length
            ? 'Add one above to say which events (failed syncs, failed or timed-out task runs, stale syncs, anomalies, schema changes) go to which channel.'
            : 'Add a channel first, then a rule saying which events go to it.'}
        </Empty>
      )}
      {list && list.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Event</th>
                <th scope="col">Channel</th>
                <th scope="col" className="hide-narrow">
                  Filters
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => {
                const channel = channelOf(r.channel_id);
                const filters = ruleFilters(r, integrationName);
                return (
                  <tr key={r.id} data-testid={`rule-${r.name}`}>
                    <td>{r.name}</td>
                    <td>
                      <code>{r.event}</code>
                      <div className="muted small">{eventInfo(r.event)?.label}</div>
                    </td>
                    <td>{channel ? <a href={href(pathOf('alerts', channel.id))}>{channel.name}</a> : <span className="muted">unknown</span>}</td>
                    <td className="hide-narrow small">
                      {filters.length === 0 ? (
                        <span className="muted">all</span>
                      ) : (
                        <span className="filters">
                          {filters.map((f) => (
                            <span key={f.label}>
                              <span className="muted">{f.label}:</span> {f.value}
                            </span>
                          ))}
                        </span>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={r.enabled ? 'enabled' : 'disabled'} />
                    </td>
                    <td className="actions-cell">
                      <div className="actions">
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy === r.id}
                          onClick={() => act(r.id, () => alerts.updateRule(r.id, { enabled: !r.enabled }))}
                        >
                          {busy === r.id ? 'Saving…' : r.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <ConfirmButton
                          label="Delete"
                          question={`Delete rule “${r.name}”? Its past deliveries stay in the channel’s log.`}
                          onConfirm={() => act(r.id, () => alerts.removeRule(r.id))}
                        />
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
