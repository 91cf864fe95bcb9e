import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../json/atomicFile.js';
import { createSettingsStore, createUnavailableSettingsStore, type SettingsBackend, type SettingsStore } from './store.js';

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
      writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
      cache = structuredClone(value);
    },
  };
}

/** `config.json.invalid-<time>`, a copy of the file as it was; throws if it cannot be made. */
export function backupSettingsFile(path: string, now: () => Date): string | undefined {
  if (!existsSync(path)) return undefined;
  const copy = `${path}.invalid-${now().toISOString().replace(/[:.]/g, '-')}`;
  copyFileSync(path, copy);
  return copy;
}

/** Why a settings file could not be opened, in words (`it is a directory`, `permission denied`). */
export function describeUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR') return 'it is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error as Error).message;
}

/**
 * Opens the settings of the CLI and browser mode. Invalid fields are named and take their
 * defaults, the rest is kept (see `createSettingsStore`), with a copy of the file as it was
 * (`config.json.invalid-<time>`). A file that is not JSON is copied aside and replaced by the
 * defaults. A file that cannot be read at all (a directory, no permission) never blocks the
 * start: the defaults apply in memory, autonomy off, and nothing is written over it.
 */
export function openFileSettingsStore(dataDir: string, now: () => Date = () => new Date()): SettingsStore {
  const path = join(dataDir, 'config.json');
  let backend: SettingsBackend;
  try {
    backend = jsonFileBackend(path);
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      return createUnavailableSettingsStore(path, `settings file ${path} cannot be read (${describeUnreadable(error)}); the defaults apply for now, autonomy off, and settings are not saved until it is fixed`);
    }
    let copy: string | undefined;
    try {
      copy = backupSettingsFile(path, now);
    } catch (backupError) {
      return createUnavailableSettingsStore(path, `settings file ${path} is not valid JSON and no copy of it could be kept (${describeUnreadable(backupError)}); the defaults apply for now, autonomy off, and it is left as it is`);
    }
    rmSync(path, { force: true });
    const problem = `settings file ${path} is not valid JSON (${error.message}); a copy was kept as ${copy ?? '(none)'} and the defaults apply, autonomy off`;
    const store = createSettingsStore(jsonFileBackend(path), { problems: [problem] });
    store.update({});
    return store;
  }
  return createSettingsStore(backend, { onInvalid: () => backupSettingsFile(path, now) });
}
