import { useEffect, useState } from 'react';

// The console routes by the URL fragment (/#/lake/raw.users?x=1): the server
// serves one page at /, so a console page can never shadow an API path.

export interface Route {
  /** path segments, decoded: #/lake/raw.users → ['lake', 'raw.users'] */
  parts: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

type Query = Record<string, string | number | undefined | null>;

/** href builds a console link: href('/lake', {x: 1}) → '#/lake?x=1'. */
export function href(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, query?: Query) {
  window.location.hash = href(path, query);
}

/** pathOf joins segments, encoding each but keeping dots readable (#/lake/raw.users). */
export function pathOf(...segments: string[]): string {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}
