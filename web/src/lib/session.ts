// The signed-in API token lives in sessionStorage only: it is gone when the
// tab closes and is never written anywhere a script on another tab or a
// later visitor could read it.

const tokenKey = 'sluice.token';
const signedOutEvent = 'sluice:signed-out';

export function currentToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function signIn(token: string) {
  sessionStorage.setItem(tokenKey, token);
}

/** signOut forgets the token; reason says why when the API refused it. */
export function signOut(reason?: string) {
  sessionStorage.removeItem(tokenKey);
  window.dispatchEvent(new CustomEvent(signedOutEvent, { detail: reason ?? null }));
}

export function onSignedOut(listener: (reason: string | null) => void): () => void {
  const handler = (e: Event) => listener((e as CustomEvent<string | null>).detail);
  window.addEventListener(signedOutEvent, handler);
  return () => window.removeEventListener(signedOutEvent, handler);
}
