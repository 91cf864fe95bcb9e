import { flushPromises } from '@vue/test-utils';
import { vi } from 'vitest';
import { createBatchListing } from '../../src-main/core/batch/listing';
import { DEFAULT_SETTINGS } from '../../src-main/core/settings/schema';
import type { AppInfo, Batch, Settings } from '../../src-renderer/src/model/contract';
import { fakeIpc } from './fakeIpc';

/** Main's own defaults, so the fixture follows the settings schema as it grows. */
export const SETTINGS: Settings = structuredClone(DEFAULT_SETTINGS);

export const INFO: AppInfo = { version: '0.1.0', mode: 'browser', platform: 'linux', dataDir: '/data', homeDir: '/home/dev', problems: [], sandbox: { available: true, description: 'bubblewrap 0.8.0 (/usr/bin/bwrap)', fix: null } };

/** The start-up channels answered as a fresh install would, with `batches` on record. */
export function startupBackend(options: { batches?: Batch[]; info?: Partial<AppInfo>; autonomy?: { enabled: boolean; fingerprint: string | null } } = {}): void {
  fakeIpc.handle('app:info', () => ({ ...INFO, ...options.info }));
  serveBatches(options.batches ?? []);
  fakeIpc.handle('autonomy:status', () => options.autonomy ?? { enabled: false, fingerprint: null });
  fakeIpc.handle('settings:get', () => SETTINGS);
  fakeIpc.handle('audit:tail', () => []);
}

/** `batch:list` and `batch:get` answered by main's own listing code over `batches` (pages, search, filters, short ids). */
export function serveBatches(batches: Batch[]): void {
  const listing = createBatchListing(batches);
  const byId = new Map(batches.map((b) => [b.id, b]));
  fakeIpc.handle('batch:list', (query) => listing.list(query));
  fakeIpc.handle('batch:get', ({ id }) => byId.get(listing.resolve(id)) as Batch);
}

/** Every screen but the batch list is its own chunk (App.vue): after switching to one, wait until it has loaded and rendered. */
export async function viewSettled(): Promise<void> {
  await vi.dynamicImportSettled();
  await flushPromises();
}
