import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFileSettingsStore } from '../../src-main/core/settings/fileStore.js';
import { ELECTRON_STORE_BRIDGE_CHANNEL, electronStoreBackend, openDesktopSettingsStore } from '../../src-main/electron/settingsStore.js';
import { fake, resetFake } from './fakeElectron.js';
import { removeDir, scratchDir } from './leashFixture.js';

vi.hoisted(() => {
  // electron-store is loaded by Node, outside vi.mock: see fakeElectron.ts.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent/electron-dist';
});
vi.mock('electron', async () => (await import('./fakeElectron.js')).electronModule());

const fixedNow = (): Date => new Date('2025-01-02T03:04:05.678Z');
let dir: string;

beforeEach(async () => {
  resetFake();
  dir = await scratchDir('leash-settings-');
});
afterEach(async () => {
  await removeDir(dir);
});

const configPath = (): string => join(dir, 'config.json');
const backups = (): string[] => readdirSync(dir).filter((name) => name.startsWith('config.json.invalid-'));

describe('the desktop settings (electron-store)', () => {
  it('starts with the defaults, autonomy off, and writes the file only when asked', () => {
    const store = openDesktopSettingsStore(dir);
    expect(store.get().autonomy).toEqual({ enabled: false, tokenHash: null, fingerprint: null });
    expect(store.problems).toEqual([]);
    expect(store.path).toBe(configPath());
    store.update({ maxBatchSize: 4 });
    expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toMatchObject({ maxBatchSize: 4 });
  });

  it('keeps the file private to the user', () => {
    openDesktopSettingsStore(dir).update({ stopOnFailure: false });
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
  });

  it('shares config.json with the CLI and browser mode', () => {
    openDesktopSettingsStore(dir).update({ maxBatchSize: 3, allowPatterns: ['git status'] });
    const cli = openFileSettingsStore(dir);
    expect(cli.problems).toEqual([]);
    expect(cli.get()).toMatchObject({ maxBatchSize: 3, allowPatterns: ['git status'] });
    cli.update({ defaultTimeoutMs: 5000 });
    expect(openDesktopSettingsStore(dir).get()).toMatchObject({ maxBatchSize: 3, defaultTimeoutMs: 5000 });
  });

  it('refuses an invalid update and keeps the file as it was', () => {
    const store = openDesktopSettingsStore(dir);
    store.update({ maxBatchSize: 5 });
    expect(() => store.update({ maxBatchSize: 11 })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(openDesktopSettingsStore(dir).get().maxBatchSize).toBe(5);
  });

  it('backs up a file that is not JSON, reports it and starts with autonomy off', () => {
    const broken = '{"autonomy": {"enabled": true, "tokenHash": "';
    writeFileSync(configPath(), broken);
    const store = openDesktopSettingsStore(dir, { now: fixedNow });
    expect(store.get().autonomy.enabled).toBe(false);
    expect(backups()).toEqual(['config.json.invalid-2025-01-02T03-04-05-678Z']);
    expect(readFileSync(join(dir, backups()[0] as string), 'utf8')).toBe(broken);
    expect(store.problems).toHaveLength(1);
    expect(store.problems[0]).toMatch(/could not be read .*a copy was kept as .*config\.json\.invalid-.*autonomy off/);
    // The next start finds a valid file and nothing to report.
    expect(openDesktopSettingsStore(dir).problems).toEqual([]);
  });

  it('backs up a file that fails the schema, keeps its valid fields and never keeps its autonomy on', () => {
    const invalid = { autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'abcdef12' }, maxBatchSize: 99, allowPatterns: ['make test'] };
    writeFileSync(configPath(), JSON.stringify(invalid));
    const store = openDesktopSettingsStore(dir, { now: fixedNow });
    expect(store.get().autonomy).toEqual({ enabled: false, tokenHash: null, fingerprint: null });
    expect(store.get().allowPatterns).toEqual(['make test']);
    expect(store.problems[0]).toMatch(/maxBatchSize: .*the default \(10\) applies/);
    expect(store.problems.join('\n')).toMatch(/autonomy was on and is now off/);
    expect(JSON.parse(readFileSync(join(dir, backups()[0] as string), 'utf8'))).toEqual(invalid);
    expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toMatchObject({ autonomy: { enabled: false }, allowPatterns: ['make test'] });
  });

  it('starts with defaults in memory when config.json is a directory, and deletes and overwrites nothing', () => {
    mkdirSync(configPath());
    const store = openDesktopSettingsStore(dir);
    expect(store.get().autonomy.enabled).toBe(false);
    expect(store.problems).toEqual([expect.stringMatching(/cannot be read \(it is a directory, not a file\)/)]);
    expect(() => store.update({ maxBatchSize: 3 })).toThrow(expect.objectContaining({ code: 'SETTINGS_UNWRITABLE' }));
    expect(statSync(configPath()).isDirectory()).toBe(true);
    expect(backups()).toEqual([]);
  });

  it('removes electron-store\'s renderer bridge, which would bypass the sender check', () => {
    fake().ipcMain.on(ELECTRON_STORE_BRIDGE_CHANNEL, () => undefined);
    electronStoreBackend(dir);
    expect(fake().ipcMain.listenerCount(ELECTRON_STORE_BRIDGE_CHANNEL)).toBe(0);
  });

  it('reads electron-store\'s file as it is on disk', () => {
    writeFileSync(configPath(), JSON.stringify({ maxBatchSize: 2 }));
    const backend = electronStoreBackend(dir);
    expect(backend.path).toBe(configPath());
    expect(backend.store).toEqual({ maxBatchSize: 2 });
    expect(existsSync(configPath())).toBe(true);
  });
});
