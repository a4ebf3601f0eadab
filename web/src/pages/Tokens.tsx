import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyButton } from '../components/CopyButton';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { tokens } from '../lib/api';
import { fmtAgo, fmtTime } from '../lib/format';
import { asApiError, type ApiError } from '../lib/http';
import type { NewToken } from '../lib/types';
import { usePoll } from '../lib/usePoll';

const lifetimes = [
  { value: '', label: '90 days (default)' },
  { value: '1d', label: '1 day' },
  { value: '30d', label: '30 days' },
  { value: '365d', label: '1 year' },
  { value: '3650d', label: '10 years' },
];

/** Tokens lists the team's API tokens, makes new ones (shown once) and revokes them. */
export function Tokens() {
  const list = usePoll((signal) => tokens.list(signal), []);
  const [name, setName] = useState('');
  const [lifetime, setLifetime] = useState('');
  const [made, setMade] = useState<NewToken | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setMade(await tokens.create(name.trim(), lifetime || undefined));
      setName('');
      list.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await tokens.revoke(id);
      if (made?.id === id) setMade(null);
      list.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <>
      <PageTitle title="Tokens" />
      <p className="lead">
        API tokens let scripts, pipelines and this console call sluice for your team. Each is shown once when it is made; sluice keeps only its hash.
      </p>
      <section className="card" aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">New token</h2>
        <form className="row-form" onSubmit={create}>
          <div className="field">
            <label htmlFor="token-name">Name</label>
            <input id="token-name" name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="airflow" />
          </div>
          <div className="field">
            <label htmlFor="token-lifetime">Expires after</label>
            <select id="token-lifetime" name="expires_in" value={lifetime} onChange={(e) => setLifetime(e.target.value)}>
              {lifetimes.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </form>
        {made && (
          <div className="note ok new-token" role="status">
            <p>
              <strong>Token “{made.name}” created.</strong> Copy it now: it will not be shown again.
            </p>
            <div className="token-line">
              <code data-testid="new-token">{made.token}</code>
              <CopyButton text={made.token} />
            </div>
            <p className="muted small">Expires {fmtTime(made.expires_at)}.</p>
          </div>
        )}
      </section>
      <ErrorNote error={error ?? list.error} />
      <h2>Your team’s tokens</h2>
      {list.loading && !list.data && <Loading />}
      {list.data?.length === 0 && <Empty title="No tokens yet.">Create one above for each script or pipeline that calls sluice.</Empty>}
      {list.data && list.data.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name || <span className="muted">unnamed</span>}</td>
                  <td>{t.prefix ? <code>{t.prefix}…</code> : '—'}</td>
                  <td title={fmtTime(t.created_at)}>{fmtAgo(t.created_at)}</td>
                  <td title={fmtTime(t.last_used_at)}>{t.last_used_at ? fmtAgo(t.last_used_at) : 'never'}</td>
                  <td>{t.expires_at ? fmtTime(t.expires_at) : 'never'}</td>
                  <td className="actions-cell">
                    <ConfirmButton
                      label="Revoke"
                      question={`Revoke “${t.name || t.prefix}”? Clients using it are refused from now on.`}
                      onConfirm={() => revoke(t.id)}
                    />
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
