import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/Notes';
import { tokens } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import { signIn, signOut } from '../lib/session';

/** SignIn checks a token against the API before keeping it for this tab. */
export function SignIn({ reason, onSignedIn }: { reason: string | null; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    signIn(token.trim());
    try {
      await tokens.list(); // any authenticated call proves the token works
      onSignedIn();
    } catch (err) {
      signOut();
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <p className="brand-line" aria-hidden="true">
          sluice
        </p>
        <h1>Sign in</h1>
        <p className="muted">
          Sign in with an API token of your team. <code>make run</code> prints one on its first start and keeps it in{' '}
          <code>.sluice/dev-token</code>; <code>sluice token create --team NAME</code> makes more. The token is kept in this
          browser tab only and forgotten when it closes.
        </p>
        {reason && !error && (
          <div className="note warn" role="status">
            You were signed out: {reason}
          </div>
        )}
        <form onSubmit={submit} className="stack">
          <div className="field">
            <label htmlFor="token">API token</label>
            <input
              id="token"
              name="token"
              data-testid="token-input"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="slk_…"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              required
              autoFocus
            />
          </div>
          <button type="submit" disabled={busy || !token.trim()}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
        <ErrorNote error={error} />
      </div>
    </main>
  );
}
