import { useState, type FormEvent } from 'react';
import { ApiError, del, get, post } from '../api';
import { Empty, ErrorNote, Loading } from '../components/Notes';
import { fmtTime } from '../format';
import { useLoad } from '../usePoll';

interface Token {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

// Tokens lists the team's API tokens, makes new ones (shown once) and revokes them.
export function Tokens() {
  const list = useLoad(() => get<{ tokens: Token[] }>('/api/tokens'), []);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('90d');
  const [made, setMade] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await post<{ token: string }>('/api/tokens', { name, expires_in: expires });
      setMade(res.token);
      setName('');
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const revoke = async (t: Token) => {
    if (!window.confirm(`Revoke the token "${t.name}"? Clients using it get 401 from now on.`)) return;
    try {
      await del(`/api/tokens/${t.id}`);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <h1>Tokens</h1>
      <form className="inline" onSubmit={create}>
        <label>
          Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="airflow" />
        </label>
        <label>
          Expires in <input value={expires} onChange={(e) => setExpires(e.target.value)} placeholder="90d" size={6} />
        </label>
        <button type="submit">Create token</button>
      </form>
      {made && (
        <div className="note ok" role="status">
          New token (shown only now): <code data-testid="new-token">{made}</code>{' '}
          <button className="small" onClick={() => navigator.clipboard?.writeText(made)}>
            Copy
          </button>
        </div>
      )}
      <ErrorNote error={error ?? list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.tokens.length === 0 && <Empty title="No tokens">Create one above.</Empty>}
      {list.data && list.data.tokens.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Starts with</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{fmtTime(t.created_at)}</td>
                  <td>{fmtTime(t.last_used_at)}</td>
                  <td>{t.expires_at ? fmtTime(t.expires_at) : 'never'}</td>
                  <td>
                    <button className="small danger" onClick={() => revoke(t)}>
                      Revoke
                    </button>
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
