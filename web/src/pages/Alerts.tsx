import { AlertChannels } from '../components/AlertChannels';
import { AlertRules } from '../components/AlertRules';
import { ErrorNote, PageTitle } from '../components/Notes';
import { alerts, integrations } from '../lib/api';
import { usePoll } from '../lib/usePoll';

/** Alerts manages where alerts go (channels) and which events send them (rules). */
export function Alerts() {
  const channels = usePoll((signal) => alerts.channels(signal), []);
  const rules = usePoll((signal) => alerts.rules(signal), []);
  const sources = usePoll((signal) => integrations.list(undefined, signal), []);

  return (
    <>
      <PageTitle title="Alerts" />
      <p className="lead">
        sluice tells a webhook or a Slack channel when a sync or task run fails, a sync goes stale, a metric looks anomalous or a schema changes. A
        channel is where alerts go; a rule says which events go to which channel.
      </p>
      {/* Deleting a channel deletes its rules too. */}
      <AlertChannels channels={channels} onDeleted={rules.reload} />
      <ErrorNote error={sources.error} />
      <AlertRules rules={rules} channels={channels.data} integrations={sources.data} />
    </>
  );
}
