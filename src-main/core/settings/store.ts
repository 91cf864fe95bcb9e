import { repairSettings } from './repair.js';
import { describeIssues, settingsSchema, type Settings } from './schema.js';

/** What holds the settings file: `conf` in the CLI and browser mode, electron-store in the app. */
export interface SettingsBackend {
  store: Record<string, unknown>;
  readonly path: string;
}

export interface SettingsStore {
  get(): Settings;
  /** Validates the merged result as a whole; an invalid update changes nothing. */
  update(patch: Partial<Settings>): Settings;
  /** Problems found when the file was loaded (e.g. an invalid file that was set aside). */
  readonly problems: readonly string[];
  readonly path: string;
}

export class SettingsError extends Error {
  constructor(readonly code: 'SETTINGS_INVALID' | 'SETTINGS_UNWRITABLE', message: string) {
    super(message);
  }
}

/**
 * Settings over a key-value backend, validated with the shared zod schema on every read and
 * write. A stored file that fails validation is read field by field (`repairSettings`): every
 * valid field is kept, each invalid one is named in `problems` and takes its default, and
 * autonomy is off. `onInvalid` runs first (to back the file up), then the repaired settings are
 * written back so the next start finds a valid file.
 */
export function createSettingsStore(
  backend: SettingsBackend,
  options: { onInvalid?: (problems: string[]) => string | undefined; problems?: string[] } = {},
): SettingsStore {
  const problems: string[] = [...(options.problems ?? [])];
  const repaired = repairSettings(backend.store);
  let current: Settings = repaired.settings;
  if (repaired.problems.length > 0) {
    const named = repaired.problems.map((problem) => `settings file ${backend.path}: ${problem}`);
    problems.push(...named);
    try {
      const copy = options.onInvalid?.(named);
      if (copy) problems.push(`the settings file as it was is kept as ${copy}`);
      backend.store = { ...current };
    } catch (error) {
      problems.push(`settings file ${backend.path} could not be repaired on disk (${(error as Error).message}); the settings above apply until it is fixed`);
    }
  }
  return {
    problems,
    path: backend.path,
    get: () => structuredClone(current),
    update(patch) {
      const next = settingsSchema.safeParse({ ...current, ...patch });
      if (!next.success) throw new SettingsError('SETTINGS_INVALID', describeIssues(next.error));
      backend.store = { ...next.data };
      current = next.data;
      return structuredClone(current);
    },
  };
}

/**
 * Defaults in memory for a settings file that cannot be read at all (a directory, no
 * permission): Leash starts, autonomy is off, and nothing is written over what is there;
 * saving fails with SETTINGS_UNWRITABLE and the reason.
 */
export function createUnavailableSettingsStore(path: string, problem: string): SettingsStore {
  const backend: SettingsBackend = {
    path,
    get store() {
      return {};
    },
    set store(_value) {
      throw new SettingsError('SETTINGS_UNWRITABLE', `settings cannot be saved: ${problem}`);
    },
  };
  return createSettingsStore(backend, { problems: [problem] });
}

/** An in-memory backend, for tests and one-off runs. */
export function memorySettingsBackend(initial: Record<string, unknown> = {}): SettingsBackend {
  return { store: { ...initial }, path: '(memory)' };
}
