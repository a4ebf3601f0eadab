import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, put, type ConnectionType, type Integration } from '../api';
import { ErrorNote, Loading } from '../components/Notes';
import { go } from '../route';
import { useLoad } from '../usePoll';

// IntegrationForm creates an integration, or edits one, with the fields the
// connection-type catalog names. sluice validates the credentials before it
// saves; a failure shows the database's own message here.
export function IntegrationForm({ existing, onSaved }: { existing?: Integration; onSaved?: (i: Integration) => void }) {
  const catalog = useLoad(() => get<{ data: ConnectionType[] }>('/v2/connectionconfig'), []);
  const creatable = (catalog.data?.data ?? []).filter((t) => t.user_creatable || t.slug === existing?.type);
  const [type, setType] = useState(existing?.type ?? 'postgres');
  const [name, setName] = useState(existing?.name ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const spec = creatable.find((t) => t.slug === type);

  useEffect(() => {
    if (!spec) return;
    const initial: Record<string, string> = {};
    for (const f of spec.fields) {
      const have = existing?.config?.[f.name];
      if (!f.secret) initial[f.name] = have !== undefined && have !== null ? String(have) : f.default !== undefined ? String(f.default) : '';
    }
    setValues(initial);
  }, [spec, existing]);

  if (catalog.loading && !catalog.data) return <Loading />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const credentials: Record<string, unknown> = {};
    for (const f of spec?.fields ?? []) {
      const v = values[f.name];
      if (v === undefined || v === '') continue;
      credentials[f.name] = f.type === 'integer' && /^\d+$/.test(v) ? Number(v) : f.type === 'boolean' ? v === 'true' : v;
    }
    try {
      const res = existing
        ? await put<{ integration: Integration }>(`/v1/api/integrations/${existing.id}`, { name, credentials })
        : await post<{ integration: Integration }>('/v1/api/integrations', { type, name, credentials });
      if (onSaved) onSaved(res.integration);
      else go(`/integrations/${res.integration.id}`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-label={existing ? 'Edit integration' : 'New integration'}>
      {!existing && (
        <label>
          Type
          <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
            {creatable.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
          {spec && <span className="muted small">{spec.description}</span>}
        </label>
      )}
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="Production database" />
      </label>
      {spec?.fields.map((f) => (
        <label key={f.name}>
          <span>
            {f.name}
            {f.required && !existing && <span aria-hidden="true"> *</span>}
          </span>
          {f.enum ? (
            <select name={f.name} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
              {!f.required && <option value="">(default)</option>}
              {f.enum.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : f.type === 'json' || f.name.endsWith('_json') || f.name === 'private_key' ? (
            <textarea name={f.name} rows={4} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} required={f.required && !existing && !f.secret} />
          ) : (
            <input
              name={f.name}
              type={f.secret ? 'password' : 'text'}
              autoComplete="off"
              value={values[f.name] ?? ''}
              placeholder={f.secret && existing ? 'unchanged' : undefined}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              required={f.required && !existing}
            />
          )}
          {f.description && <span className="muted small">{f.description}</span>}
        </label>
      ))}
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking the connection…' : existing ? 'Save' : 'Create'}
        </button>
      </div>
      {error && (
        <div className="note error" role="alert" data-testid="integration-error">
          {error.message}
        </div>
      )}
      <ErrorNote error={catalog.error} />
    </form>
  );
}

export function NewIntegration() {
  return (
    <>
      <h1>New integration</h1>
      <p className="muted">sluice connects with these credentials and keeps them encrypted only if the connection works.</p>
      <IntegrationForm />
    </>
  );
}
