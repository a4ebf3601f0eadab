import { useMemo, useState, type FormEvent } from 'react';
import { ErrorNote } from './Notes';
import { asApiError, type ApiError } from '../lib/http';
import type { ConnectionField, ConnectionType, Integration } from '../lib/types';
import { fieldLabel } from '../lib/format';

type Values = Record<string, string | boolean>;

interface IntegrationFormProps {
  types: ConnectionType[];
  /** the integration being edited; absent to create one */
  existing?: Integration;
  initialType?: string;
  submitLabel: string;
  onSubmit: (body: { type: string; name: string; credentials: Record<string, unknown> }) => Promise<void>;
}

/**
 * IntegrationForm asks for the fields the connection-type catalog names for a
 * type (which are required, which are secret, their allowed values). sluice
 * validates the credentials by connecting before it saves, so a failure here
 * carries the database's own message, shown under the form.
 */
export function IntegrationForm({ types, existing, initialType, submitLabel, onSubmit }: IntegrationFormProps) {
  const creatable = types.filter((t) => t.user_creatable);
  const [type, setType] = useState(existing?.type ?? (creatable.some((t) => t.slug === initialType) ? initialType! : creatable[0]?.slug ?? ''));
  const spec = types.find((t) => t.slug === type);
  const initial = useMemo(() => initialValues(spec, existing), [spec, existing]);
  const [name, setName] = useState(existing?.name ?? '');
  const [values, setValues] = useState<Values>(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const changeType = (slug: string) => {
    setType(slug);
    setValues(initialValues(types.find((t) => t.slug === slug), undefined));
    setError(null);
  };
  const set = (field: string, value: string | boolean) => setValues((v) => ({ ...v, [field]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!spec) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ type, name: name.trim(), credentials: credentialsToSend(spec.fields, values, initial, existing !== undefined) });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  // The API names a bad field as "credentials.host" (or config.host).
  const badField = error?.field?.replace(/^(credentials|config)\./, '');

  return (
    <form className="stack integration-form" onSubmit={submit} aria-label={existing ? 'Edit integration' : 'New integration'}>
      {!existing && (
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select id="f-type" name="type" value={type} onChange={(e) => changeType(e.target.value)}>
            {creatable.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
          {spec?.description && <p className="hint">{spec.description}</p>}
        </div>
      )}
      <div className="field">
        <label htmlFor="f-name">Name</label>
        <input id="f-name" name="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder={spec?.name ?? 'Production database'} />
        <p className="hint">Shown in lists. Leave empty to use “{spec?.name ?? 'the type’s name'}”.</p>
      </div>
      {spec?.fields.map((f) => (
        <FieldInput
          key={`${type}.${f.name}`}
          field={f}
          value={values[f.name]}
          editing={existing !== undefined}
          invalid={badField === f.name ? error?.message : undefined}
          onChange={(v) => set(f.name, v)}
        />
      ))}
      <div className="form-actions">
        <button type="submit" disabled={busy || !spec}>
          {busy ? 'Checking the connection…' : submitLabel}
        </button>
        {busy && <span className="muted small">sluice is connecting with these credentials; this can take a few seconds.</span>}
      </div>
      <ErrorNote error={error} testId="integration-error" />
    </form>
  );
}

interface FieldInputProps {
  field: ConnectionField;
  value: string | boolean | undefined;
  editing: boolean;
  invalid?: string;
  onChange: (value: string | boolean) => void;
}

function FieldInput({ field: f, value, editing, invalid, onChange }: FieldInputProps) {
  const id = `f-${f.name}`;
  const hintId = `${id}-hint`;
  const required = f.required && !(editing && f.secret);
  const common = {
    id,
    name: f.name,
    'aria-describedby': hintId,
    'aria-invalid': invalid ? true : undefined,
  } as const;
  const label = (
    <label htmlFor={id}>
      {fieldLabel(f.name)}
      {required ? <span className="req"> (required)</span> : null}
      {f.secret ? <span className="secret"> secret</span> : null}
    </label>
  );
  const hint = (
    <p className="hint" id={hintId}>
      {invalid && <strong className="field-error">{invalid} </strong>}
      {f.description}
      {f.default !== undefined && f.default !== null && f.default !== '' && ` Default: ${String(f.default)}.`}
      {editing && f.secret && ' Leave empty to keep the stored value.'}
    </p>
  );

  if (f.type === 'boolean') {
    return (
      <div className="field check">
        <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        {label}
        {hint}
      </div>
    );
  }
  let control;
  if (f.enum?.length) {
    control = (
      <select {...common} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} required={required}>
        {!f.required && <option value="">(default{f.default ? `: ${String(f.default)}` : ''})</option>}
        {f.enum.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (f.type === 'json' || /private_key|json/.test(f.name)) {
    control = (
      <textarea
        {...common}
        rows={5}
        className="mono"
        spellCheck={false}
        value={String(value ?? '')}
        placeholder={editing && f.secret ? 'unchanged' : undefined}
        onChange={(e) => onChange(e.target.value)}
        required={required}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type={f.secret ? 'password' : f.type === 'integer' ? 'number' : 'text'}
        inputMode={f.type === 'integer' ? 'numeric' : undefined}
        autoComplete={f.secret ? 'new-password' : 'off'}
        spellCheck={false}
        value={String(value ?? '')}
        placeholder={editing && f.secret ? 'unchanged' : f.default !== undefined ? String(f.default) : undefined}
        onChange={(e) => onChange(e.target.value)}
        required={required}
      />
    );
  }
  return (
    <div className={invalid ? 'field invalid' : 'field'}>
      {label}
      {control}
      {hint}
    </div>
  );
}

function initialValues(spec: ConnectionType | undefined, existing: Integration | undefined): Values {
  const out: Values = {};
  for (const f of spec?.fields ?? []) {
    const stored = existing?.config?.[f.name];
    if (f.secret) out[f.name] = '';
    else if (f.type === 'boolean') out[f.name] = stored !== undefined ? stored === true : f.default === true;
    else if (stored !== undefined && stored !== null) out[f.name] = typeof stored === 'object' ? JSON.stringify(stored, null, 2) : String(stored);
    else out[f.name] = '';
  }
  return out;
}

/**
 * credentialsToSend turns the form into the request's credentials. Creating,
 * it sends every filled field; editing, only what changed (an emptied field
 * as null, which restores its default), since the API merges the rest and
 * keeps a secret that is not sent.
 */
function credentialsToSend(fields: ConnectionField[], values: Values, initial: Values, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.type === 'boolean') {
      if (v !== initial[f.name] || (!editing && v === true)) out[f.name] = v === true;
      continue;
    }
    const text = String(v ?? '').trim();
    if (editing && !f.secret && text === String(initial[f.name] ?? '').trim()) continue;
    if (text === '') {
      if (editing && !f.secret) out[f.name] = null;
      continue;
    }
    out[f.name] = f.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : text;
  }
  return out;
}
