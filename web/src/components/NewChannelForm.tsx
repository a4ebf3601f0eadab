import { useState, type FormEvent } from 'react';
import { alerts } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import type { AlertChannel, AlertChannelType } from '../lib/types';
import { CopyButton } from './CopyButton';
import { ErrorNote } from './Notes';

const placeholders: Record<AlertChannelType, string> = {
  webhook: 'https://example.com/hooks/sluice',
  slack: 'https://hooks.slack.com/services/…',
};

/** NewChannelForm adds an alert channel; a webhook's generated signing secret is shown once. */
export function NewChannelForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<AlertChannelType>('webhook');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [made, setMade] = useState<AlertChannel | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), type, url: url.trim(), ...(type === 'webhook' && secret ? { secret } : {}) };
      setMade(await alerts.createChannel(body));
      setName('');
      setUrl('');
      setSecret('');
      onCreated();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-channel-heading">
      <h2 id="new-channel-heading">New channel</h2>
      <form className="row-form" onSubmit={create}>
        <div className="field">
          <label htmlFor="channel-name">Name</label>
          <input id="channel-name" name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="on-call" />
        </div>
        <div className="field">
          <label htmlFor="channel-type">Type</label>
          <select id="channel-type" name="type" value={type} onChange={(e) => setType(e.target.value as AlertChannelType)}>
            <option value="webhook">Webhook</option>
            <option value="slack">Slack incoming webhook</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="channel-url">URL</label>
          <input id="channel-url" name="url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} required placeholder={placeholders[type]} />
        </div>
        {type === 'webhook' && (
          <div className="field">
            <label htmlFor="channel-secret">
              Signing secret <span className="req">(optional)</span>
            </label>
            <input
              id="channel-secret"
              name="secret"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              minLength={16}
              maxLength={256}
              autoComplete="off"
              placeholder="generated if empty"
            />
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add channel'}
        </button>
      </form>
      <p className="hint">
        {type === 'webhook'
          ? 'sluice POSTs each alert as JSON, signed with the secret in the X-Sluice-Signature header.'
          : 'Make an incoming webhook in Slack for the channel to post to, and paste its URL.'}{' '}
        The URL’s path stays secret: lists show only its host.
      </p>
      <ErrorNote error={error} />
      {made?.secret && (
        <div className="note ok new-token" role="status">
          <p>
            <strong>Channel “{made.name}” added.</strong> Copy its signing secret now: it is shown once.
          </p>
          <div className="token-line">
            <code data-testid="new-channel-secret">{made.secret}</code>
            <CopyButton text={made.secret} />
          </div>
        </div>
      )}
      {made && !made.secret && (
        <div className="note ok" role="status">
          Channel “{made.name}” added. Send it a test below.
        </div>
      )}
    </section>
  );
}
