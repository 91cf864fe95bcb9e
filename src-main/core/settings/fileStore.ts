import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSettingsStore, type SettingsBackend, type SettingsStore } from './store.js';

/**
 * `config.json` in the data directory: plain JSON, the file electron-store keeps in the desktop
 * app. Writes are atomic (temp file, fsync, rename).
 *
 * DESIGN.md names `conf` for this; it is not used because its writer (atomically → when-exit)
 * hooks SIGINT/SIGTERM at import and re-raises them, which kills the process in the middle of
 * Leash's own Ctrl+C handling (graceful stop, then emergency stop).
 */
export function jsonFileBackend(path: string): SettingsBackend {
  const read = (): Record<string, unknown> => {
    if (!existsSync(path)) return {};
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SyntaxError('the settings file does not hold a JSON object');
    return value as Record<string, unknown>;
  };
  let cache = read();
  return {
    path,
    get store() {
      return structuredClone(cache);
    },
    set store(value) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const temp = join(dirname(path), `.config.${randomUUID()}.tmp`);
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        renameSync(temp, path);
      } catch (error) {
        rmSync(temp, { force: true });
        throw error;
      }
      cache = structuredClone(value);
    },
  };
}

/**
 * Opens the settings of the CLI and browser mode. A file that is not JSON, or not valid, is
 * copied aside (`config.json.invalid-<time>`) before the defaults replace it, so nothing the
 * person wrote is lost and autonomy is never left on by accident.
 */
export function openFileSettingsStore(dataDir: string, now: () => Date = () => new Date()): SettingsStore {
  const path = join(dataDir, 'config.json');
  const backup = (): void => {
    if (existsSync(path)) copyFileSync(path, `${path}.invalid-${now().toISOString().replace(/[:.]/g, '-')}`);
  };
  try {
    return createSettingsStore(jsonFileBackend(path), { onInvalid: backup });
  } catch (error) {
    backup();
    rmSync(path, { force: true });
    const problem = `settings file ${path} could not be read (${(error as Error).message}); a copy was kept and the defaults apply, autonomy off`;
    const store = createSettingsStore(jsonFileBackend(path), { problems: [problem] });
    store.update({});
    return store;
  }
}
