import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { createSettingsStore, type SettingsStore } from './store.js';

/**
 * The settings file of the CLI and browser mode: `config.json` in the data directory, the same
 * file electron-store writes in the desktop app. A corrupt file is copied aside
 * (`config.json.invalid-<time>`) before defaults replace it, so nothing the person wrote is lost.
 */
export function openFileSettingsStore(dataDir: string, now: () => Date = () => new Date()): SettingsStore {
  const path = join(dataDir, 'config.json');
  const backup = (): void => {
    if (existsSync(path)) copyFileSync(path, `${path}.invalid-${now().toISOString().replace(/[:.]/g, '-')}`);
  };
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf({ cwd: dataDir, configName: 'config', clearInvalidConfig: false, accessPropertiesByDotNotation: false });
  } catch (error) {
    // Not JSON at all: keep a copy, then start from the defaults.
    backup();
    conf = new Conf({ cwd: dataDir, configName: 'config', clearInvalidConfig: true, accessPropertiesByDotNotation: false });
    conf.clear();
    const problem = `settings file ${path} could not be read (${(error as Error).message}); a copy was kept and the defaults apply, autonomy off`;
    return createSettingsStore(conf, { problems: [problem] });
  }
  return createSettingsStore(conf, { onInvalid: backup });
}
