import type { SyncRun } from './types';

/** isLive: the run may still change, so its page keeps polling. */
export const isLive = (status: string) => status === 'queued' || status === 'running' || status === 'pending';

/** canReplayFailed: a run that left tables unsynced can replay just those. */
export const canReplayFailed = (run: SyncRun) =>
  run.status === 'failed' || run.status === 'partially_succeeded' || run.status === 'cancelled';
