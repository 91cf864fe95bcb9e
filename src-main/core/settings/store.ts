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
  constructor(readonly code: 'SETTINGS_INVALID', message: string) {
    super(message);
  }
}

/**
 * Settings over a key-value backend, validated with the shared zod schema on every read and
 * write. A file that fails validation is never trusted field by field: the defaults apply (so
 * autonomy is off) and the problem is reported; `onInvalid` can back the file up first.
 */
export function createSettingsStore(
  backend: SettingsBackend,
  options: { onInvalid?: (problem: string) => void; problems?: string[] } = {},
): SettingsStore {
  const problems: string[] = [...(options.problems ?? [])];
  const onInvalid = options.onInvalid;
  let current: Settings;
  const parsed = settingsSchema.safeParse(backend.store);
  if (parsed.success) {
    current = parsed.data;
  } else {
    const problem = `settings file ${backend.path} is invalid (${describeIssues(parsed.error)}); using defaults, autonomy off`;
    problems.push(problem);
    onInvalid?.(problem);
    current = settingsSchema.parse({});
    backend.store = { ...current };
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

/** An in-memory backend, for tests and one-off runs. */
export function memorySettingsBackend(initial: Record<string, unknown> = {}): SettingsBackend {
  return { store: { ...initial }, path: '(memory)' };
}
