import { useState, type FormEvent } from 'react';
import { alertEvents, eventInfo, filterLabels, MAX_STALE_HOURS, type AlertFilter } from '../lib/alertEvents';
import { alerts } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import type { AlertChannel, AlertEvent, AlertRuleRequest, Integration } from '../lib/types';
import { ErrorNote } from './Notes';

const noFilters: Record<AlertFilter, string> = { integration_id: '', app: '', task_id: '', asset: '', metric: '' };

interface NewRuleFormProps {
  channels: AlertChannel[] | undefined;
  /** the integrations a sync or source filter can name */
  integrations: Integration[] | undefined;
  onCreated: () => void;
}

/** NewRuleForm adds an alert rule, showing only the filters its event accepts. */
export function NewRuleForm({ channels, integrations, onCreated }: NewRuleFormProps) {
  const [name, setName] = useState('');
  const [event, setEvent] = useState<AlertEvent>('sync_run.failed');
  const [channelId, setChannelId] = useState('');
  const [filters, setFilters] = useState(noFilters);
  const [staleHours, setStaleHours] = useState('24');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const info = eventInfo(event) ?? alertEvents[0];
  // The first channel is chosen until the user picks another (or it goes).
  const channel = channels?.some((c) => c.id === channelId) ? channelId : (channels?.[0]?.id ?? '');
  const setFilter = (f: AlertFilter, value: string) => setFilters({ ...filters, [f]: value });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: AlertRuleRequest = { name: name.trim(), event, channel_id: channel };
    for (const f of info.filters) if (filters[f].trim()) body[f] = filters[f].trim();
    if (info.stale) body.stale_hours = Number(staleHours);
    try {
      await alerts.createRule(body);
      setName('');
      setFilters(noFilters);
      onCreated();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-rule-heading">
      <h2 id="new-rule-heading">New rule</h2>
      <form className="row-form" onSubmit={create}>
        <div className="field">
          <label htmlFor="rule-name">Name</label>
          <input id="rule-name" name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="failed syncs" />
        </div>
        <div className="field">
          <label htmlFor="rule-event">Event</label>
          <select id="rule-event" name="event" value={event} onChange={(e) => setEvent(e.target.value as AlertEvent)}>
            {alertEvents.map((ev) => (
              <option key={ev.event} value={ev.event}>
                {ev.label} ({ev.event})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rule-channel">Channel</label>
          <select id="rule-channel" name="channel_id" value={channel} onChange={(e) => setChannelId(e.target.value)} required>
            {!channels?.length && <option value="">No channels yet</option>}
            {channels?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.enabled ? '' : ' (disabled)'}
              </option>
            ))}
          </select>
        </div>
        {info.filters.map((f) =>
          f === 'integration_id' ? (
            <div className="field" key={f}>
              <label htmlFor="rule-integration">{filterLabels[f]}</label>
              <select id="rule-integration" name={f} value={filters[f]} onChange={(e) => setFilter(f, e.target.value)}>
                <option value="">Any integration</option>
                {integrations?.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <div className="field" key={f}>
              <label htmlFor={`rule-${f}`}>{filterLabels[f]}</label>
              <input id={`rule-${f}`} name={f} value={filters[f]} onChange={(e) => setFilter(f, e.target.value)} maxLength={500} placeholder="any" />
            </div>
          ),
        )}
        {info.stale && (
          <div className="field">
            <label htmlFor="rule-stale">Stale after (hours)</label>
            <input
              id="rule-stale"
              name="stale_hours"
              type="number"
              className="narrow"
              min={1}
              max={MAX_STALE_HOURS}
              step={1}
              value={staleHours}
              onChange={(e) => setStaleHours(e.target.value)}
              required
            />
          </div>
        )}
        <button type="submit" disabled={busy || !channel}>
          {busy ? 'Adding…' : 'Add rule'}
        </button>
      </form>
      <p className="hint">
        {!channels?.length
          ? 'Add a channel first: a rule sends its events to one.'
          : info.stale
            ? 'Alerts when an integration’s sync has not succeeded for this many hours (1 to 8784).'
            : 'Leave a filter empty to match every one.'}
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
