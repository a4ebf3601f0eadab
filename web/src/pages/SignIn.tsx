import { useState, type FormEvent } from 'react';
import { ApiError, get, setToken } from '../api';
import { ErrorNote } from '../components/Notes';

// SignIn checks the token against the API before keeping it (in this
// browser tab's session only).
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setToken(token.trim());
    try {
      await get('/api/tokens');
      onSignedIn();
    } catch (err) {
      setToken(null);
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>Sign in</h1>
      <p className="muted">
        Paste an API token of your team. <code>make run</code> prints one on first start (also in{' '}
        <code>.sluice/dev-token</code>); <code>sluice token create --team NAME</code> makes more. The token stays in this
        tab only.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input id="token" data-testid="token-input" type="password" autoComplete="off" value={token} onChange={(e) => setValue(e.target.value)} required autoFocus />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
