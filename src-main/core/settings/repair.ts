import * as z from 'zod';
import { checkPatterns } from '../policy/patterns.js';
import { DEFAULT_SETTINGS, describeIssues, settingsSchema, type Settings } from './schema.js';

/** The settings as far as a stored value allows, and what had to be left out, field by field. */
export interface RepairedSettings {
  settings: Settings;
  /** One line per field that was not used, naming it and what was wrong. Empty when all was valid. */
  problems: string[];
}

type Field = keyof Settings;
const FIELDS = Object.keys(settingsSchema.shape) as Field[];
const AUTONOMY_OFF: Settings['autonomy'] = { enabled: false, tokenHash: null, fingerprint: null };

function oneLine(error: z.ZodError): string {
  return describeIssues(error);
}

/** Keeps every pattern that passes, names every one that does not (a person's rules are never dropped silently). */
function repairPatterns(value: unknown, problems: string[]): string[] {
  if (!Array.isArray(value)) {
    problems.push(`allowPatterns is not a list of patterns (${JSON.stringify(value)?.slice(0, 80)}); no allow patterns apply until it is fixed`);
    return [];
  }
  const strings = value.filter((pattern, index) => {
    if (typeof pattern === 'string') return true;
    problems.push(`allowPatterns.${index} is not a string and was left out`);
    return false;
  }) as string[];
  const errors = new Map(checkPatterns(strings).errors.map((error) => [error.index, error]));
  const kept = strings.filter((pattern, index) => {
    const error = errors.get(index);
    if (!error) return true;
    problems.push(`allowPatterns: the pattern ${JSON.stringify(pattern)} was left out (${error.code}: ${error.message}); the other patterns still apply`);
    return false;
  });
  const bounded = settingsSchema.shape.allowPatterns.safeParse(kept);
  if (bounded.success) return bounded.data;
  problems.push(`allowPatterns: ${oneLine(bounded.error)}; only the first 200 patterns apply`);
  return kept.slice(0, 200);
}

/** A nested object (`inbox`) keeps its valid members; an invalid member takes its default. */
function repairObject<F extends 'inbox'>(field: F, value: unknown, problems: string[]): Settings[F] {
  const fallback = DEFAULT_SETTINGS[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${field} is not an object; its defaults apply`);
    return structuredClone(fallback);
  }
  const shape = (settingsSchema.shape[field] as unknown as { unwrap(): z.ZodObject }).unwrap().shape;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!(key in shape)) problems.push(`${field}.${key} is not a setting Leash knows; it was ignored`);
  }
  for (const [key, schema] of Object.entries(shape)) {
    const parsed = (schema as z.ZodType).safeParse((value as Record<string, unknown>)[key]);
    if (parsed.success) result[key] = parsed.data;
    else {
      problems.push(`${field}.${key}: ${oneLine(parsed.error)}; the default applies`);
      result[key] = (fallback as Record<string, unknown>)[key];
    }
  }
  // The combination must still hold (e.g. an enabled inbox needs a folder); if not, it is off.
  const whole = settingsSchema.shape[field].safeParse(result);
  return whole.success ? (whole.data as Settings[F]) : structuredClone(fallback);
}

/**
 * Reads a stored settings object field by field: every valid field is kept, every invalid or
 * unknown one is named in `problems` and takes its default. Fails closed on autonomy: if
 * anything at all was wrong, autonomy is off (a half-understood file never runs commands
 * unattended). Allow patterns are kept one by one.
 */
export function repairSettings(stored: unknown): RepairedSettings {
  const whole = settingsSchema.safeParse(stored);
  if (whole.success) return { settings: whole.data, problems: [] };
  const problems: string[] = [];
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    return { settings: structuredClone(DEFAULT_SETTINGS), problems: ['the settings file does not hold a JSON object; the defaults apply, autonomy off'] };
  }
  const raw = stored as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as string[]).includes(key)) problems.push(`${key} is not a setting Leash knows; it was ignored`);
  }
  const settings = structuredClone(DEFAULT_SETTINGS) as Record<Field, unknown>;
  for (const field of FIELDS) {
    if (!(field in raw) || field === 'autonomy') continue;
    if (field === 'allowPatterns') settings.allowPatterns = repairPatterns(raw.allowPatterns, problems);
    else if (field === 'inbox') settings.inbox = repairObject('inbox', raw.inbox, problems);
    else {
      const parsed = settingsSchema.shape[field].safeParse(raw[field]);
      if (parsed.success) settings[field] = parsed.data;
      else problems.push(`${field}: ${oneLine(parsed.error)}; the default (${JSON.stringify(DEFAULT_SETTINGS[field])}) applies`);
    }
  }
  const autonomy = settingsSchema.shape.autonomy.safeParse(raw.autonomy);
  if (!autonomy.success) problems.push(`autonomy: ${oneLine(autonomy.error)}; autonomy is off`);
  if (problems.length === 0) problems.push(`the settings file is invalid (${oneLine(whole.error)})`);
  const wasOn = autonomy.success && autonomy.data.enabled;
  settings.autonomy = AUTONOMY_OFF;
  if (wasOn) problems.push('autonomy was on and is now off because the settings file had problems; turn it on again in Settings once they are fixed');
  return { settings: settings as Settings, problems };
}
