import type { Classification, PolicyEngine } from '../policy/index.js';
import { HARD_MAX_BATCH_SIZE } from '../settings/schema.js';
import { extractToolCalls } from './pasteParser.js';
import type { ExtractError, ExtractedCall } from './types.js';

export interface PreviewEntry {
  command: string;
  origin: ExtractedCall['origin'];
  line: number;
  classification: Classification;
}

export type PreviewResult =
  | { ok: true; entries: PreviewEntry[]; notes: string[]; /** More entries than one batch may hold. */ tooMany: boolean; limit: number }
  | { ok: false; error: ExtractError };

export interface PreviewSettings {
  allowPatterns: readonly string[];
  maxBatchSize: number;
}

/**
 * Extracts the commands of a paste and classifies each, for the person to review before a batch
 * is created. Every entry is returned, also beyond the batch limit: then `tooMany` is set and a
 * note says so, and the person splits the paste. Nothing is dropped silently.
 */
export function previewPaste(text: string, engine: PolicyEngine, settings: PreviewSettings): PreviewResult {
  const extracted = extractToolCalls(text);
  if (!extracted.ok) return extracted;
  const limit = Math.min(settings.maxBatchSize, HARD_MAX_BATCH_SIZE);
  const policySettings = { allowPatterns: settings.allowPatterns };
  const entries = extracted.calls.map((call) => ({
    ...call,
    classification: engine.classify({ tool: 'shell', command: call.command }, policySettings),
  }));
  const tooMany = entries.length > limit;
  const notes = [...extracted.notes];
  if (tooMany) notes.push(`found ${entries.length} commands; a batch holds at most ${limit} — split it`);
  return { ok: true, entries, notes, tooMany, limit };
}
