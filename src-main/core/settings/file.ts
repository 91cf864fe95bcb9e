import { readFile } from 'node:fs/promises';
import { parseSettings, type Settings } from './schema.js';

export class SettingsFileError extends Error {
  constructor(readonly code: 'SETTINGS_UNREADABLE' | 'SETTINGS_NOT_JSON' | 'SETTINGS_INVALID', message: string) {
    super(message);
  }
}

/** Reads and validates a settings file (the app's own or one given with `--settings`). */
export async function readSettingsFile(path: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SettingsFileError('SETTINGS_UNREADABLE', `cannot read settings file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError('SETTINGS_NOT_JSON', `settings file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseSettings(json);
  if (!parsed.ok) throw new SettingsFileError('SETTINGS_INVALID', `settings file ${path} is invalid: ${parsed.error.message}`);
  return parsed.value;
}
