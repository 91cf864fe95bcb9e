import { ipcMain } from 'electron';
import ElectronStore from 'electron-store';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { backupSettingsFile, describeUnreadable } from '../core/settings/fileStore.js';
import { createSettingsStore, createUnavailableSettingsStore, type SettingsBackend, type SettingsStore } from '../core/settings/store.js';

/*
 * Why electron-store, although the CLI dropped `conf` (which electron-store extends):
 *
 * DESIGN.md fixes electron-store for the app, and in Electron its two costs are contained here:
 *  - conf's writer (atomically → when-exit) hooks SIGINT/SIGTERM/SIGHUP at import with one-shot
 *    listeners that re-raise the signal. Electron's main process has no JS signal listener of its
 *    own, so by the time of the re-raise Node has put the default action back and main dies on
 *    the spot: no `before-quit`, no emergency stop, no `leash.close()`, running commands
 *    orphaned. The app therefore always
 *    installs persistent listeners of its own (quit.ts `routeSignalsToQuit`) that send every
 *    signal down the ordinary quit path; with them installed the re-raise is absorbed
 *    (tests/electron/signals.test.ts runs this with the real packages).
 *  - electron-store registers an `ipcMain.on('electron-store-get-data')` listener for renderer
 *    instances. That channel would bypass our sender check and nothing of ours uses it, so it is
 *    removed right after the store is created.
 * Validation stays ours: the store is only a key-value backend under `createSettingsStore` and the
 * shared zod schema, and the file is the same `config.json` the CLI and browser mode read.
 */

/** electron-store's renderer bridge channel (electron-store 11, `initDataListener`). */
export const ELECTRON_STORE_BRIDGE_CHANNEL = 'electron-store-get-data';

/** `config.json` in `dataDir` through electron-store. Throws (SyntaxError) if the file is not JSON. */
export function electronStoreBackend(dataDir: string): SettingsBackend {
  const store = new ElectronStore<Record<string, unknown>>({
    cwd: dataDir,
    name: 'config',
    // Never wipe a broken file silently: the caller backs it up and reports it.
    clearInvalidConfig: false,
    configFileMode: 0o600,
    // Keys are whole top-level fields; no dotted paths.
    accessPropertiesByDotNotation: false,
  });
  ipcMain.removeAllListeners(ELECTRON_STORE_BRIDGE_CHANNEL);
  return store;
}

export interface DesktopSettingsOptions {
  /** Opens the backend; may throw when the file is not JSON. Defaults to electron-store. */
  openBackend?: (dataDir: string) => SettingsBackend;
  now?: () => Date;
}

/**
 * Opens the app's settings. A file that is not JSON (electron-store throws on construction) is
 * copied aside as `config.json.invalid-<time>` and replaced by the defaults; one with invalid
 * fields is copied aside too, keeps its valid fields and names the others (autonomy off); one
 * that cannot be read at all gives defaults in memory. The app starts in every case.
 */
export function openDesktopSettingsStore(dataDir: string, options: DesktopSettingsOptions = {}): SettingsStore {
  const openBackend = options.openBackend ?? electronStoreBackend;
  const now = options.now ?? (() => new Date());
  const path = join(dataDir, 'config.json');
  let backend: SettingsBackend;
  try {
    backend = openBackend(dataDir);
  } catch (error) {
    // A file that cannot be read at all (a directory, no permission) is not ours to delete or
    // overwrite, and must not stop the start: defaults in memory, autonomy off, nothing saved.
    if ((error as Error | undefined)?.name !== 'SyntaxError') {
      return createUnavailableSettingsStore(path, `settings file ${path} cannot be read (${describeUnreadable(error)}); the defaults apply for now, autonomy off, and settings are not saved until it is fixed`);
    }
    let copy: string | undefined;
    try {
      copy = backupSettingsFile(path, now);
    } catch (backupError) {
      return createUnavailableSettingsStore(path, `settings file ${path} is not valid JSON and no copy of it could be kept (${describeUnreadable(backupError)}); the defaults apply for now, autonomy off, and it is left as it is`);
    }
    rmSync(path, { force: true });
    const kept = copy ? `a copy was kept as ${copy}` : 'no copy could be kept';
    const problem = `settings file ${path} could not be read (${(error as Error).message}); ${kept}; the defaults apply, autonomy off`;
    const store = createSettingsStore(openBackend(dataDir), { problems: [problem] });
    // Writes the defaults so the next start finds a valid file.
    store.update({});
    return store;
  }
  return createSettingsStore(backend, { onInvalid: () => backupSettingsFile(path, now) });
}
