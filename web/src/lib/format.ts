// Formatting shared by every page. Numbers use en-US grouping ("150,000")
// whatever the browser's locale, so tests and screenshots read the same.

const numberFormat = new Intl.NumberFormat('en-US');

export function fmtNumber(n: number | null | undefined): string {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : numberFormat.format(n);
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit > 0 && value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFormat.format(d);
}

/** fmtAgo says how long ago a time was ("3 min ago"), for lists. */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  if (ms < 0) return `in ${fmtDuration(-ms, true)}`;
  if (ms < 45_000) return 'just now';
  return `${fmtDuration(ms, true)} ago`;
}

/** fmtDuration: "850 ms", "12.3 s", "4 min 05 s", "2 h 10 min"; coarse drops the small unit. */
export function fmtDuration(ms: number | null | undefined, coarse = false): string {
  if (ms === null || ms === undefined || ms < 0 || Number.isNaN(ms)) return '—';
  if (ms < 1000) return coarse ? '1 s' : `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return coarse ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return coarse ? `${m} min` : `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return coarse ? `${h} h` : `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

/** elapsed is the time from start to end, or to now while it goes on. */
export function elapsed(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start) return null;
  return (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
}

export function humanize(status: string): string {
  return status.replace(/_/g, ' ');
}

// Words of field names that read as acronyms.
const acronyms = new Set(['api', 'id', 'ssl', 'sql', 'url', 'json', 'tls', 'ip']);

/** fieldLabel turns a field name into words: api_base → "API base", project_id → "Project ID". */
export function fieldLabel(name: string): string {
  const words = name.split('_').map((w) => (acronyms.has(w.toLowerCase()) ? w.toUpperCase() : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
