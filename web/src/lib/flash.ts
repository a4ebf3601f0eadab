// A message for the next page only (e.g. the warnings a create answered
// with, shown on the page the console opens after it). Kept in memory: a
// reload drops it, which is what a one-time notice should do. Reading and
// clearing are separate so React's double render in development sees it.
let pending: string[] = [];

export function flash(messages: string[]) {
  pending = messages;
}

export function peekFlash(): string[] {
  return pending;
}

export function clearFlash() {
  pending = [];
}
