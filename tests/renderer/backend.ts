import { DEFAULT_SETTINGS } from '../../src-main/core/settings/schema';
import type { AppInfo, Batch, Settings } from '../../src-renderer/src/model/contract';
import { fakeIpc } from './fakeIpc';

/** Main's own defaults, so the fixture follows the settings schema as it grows. */
export const SETTINGS: Settings = structuredClone(DEFAULT_SETTINGS);

export const INFO: AppInfo = { version: '0.1.0', mode: 'browser', platform: 'linux', dataDir: '/data', homeDir: '/home/dev', problems: [], sandbox: { available: true, description: 'bubblewrap 0.8.0 (/usr/bin/bwrap)', fix: null } };

/** The start-up channels answered as a fresh install would, with `batches` on record. */
export function startupBackend(options: { batches?: Batch[]; info?: Partial<AppInfo>; autonomy?: { enabled: boolean; fingerprint: string | null } } = {}): void {
  fakeIpc.handle('app:info', () => ({ ...INFO, ...options.info }));
  fakeIpc.handle('batch:list', () => options.batches ?? []);
  fakeIpc.handle('autonomy:status', () => options.autonomy ?? { enabled: false, fingerprint: null });
  fakeIpc.handle('settings:get', () => SETTINGS);
  fakeIpc.handle('audit:tail', () => []);
}
