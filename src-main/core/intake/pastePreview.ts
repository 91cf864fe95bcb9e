import type { BashParser, Classification, PolicyEngine, PolicySettings } from '../policy/index.js';
import { HARD_MAX_BATCH_SIZE } from '../settings/schema.js';
import { readPaste } from './pasteParser.js';
import { findStateLosses, type StateLoss } from './stateChanges.js';
import type { BlockCall, ExtractError, ExtractedBlock, ExtractedCall, LineMark } from './types.js';

/** How the commands of a shell block become entries: the block as one script, or one entry each. */
export type EntryMode = 'script' | 'separate';

export interface PreviewEntry {
  /** Exactly what the entry runs (`bash -c`): a batch created from the preview gets this text. */
  command: string;
  origin: ExtractedCall['origin'];
  line: number;
  /** The pasted line of each line of `command` (empty for a JSON tool call). */
  lines: number[];
  /** How many of the pasted commands this entry runs (more than one for a block as one script). */
  commandCount: number;
  classification: Classification;
}

/** The entries one mode makes, and what they would lose between one shell and the next. */
export interface PreviewPlan {
  entries: PreviewEntry[];
  /** More entries than one batch may hold. */
  tooMany: boolean;
  losses: StateLoss[];
}

export interface PreviewBlock extends Omit<ExtractedBlock, 'script'> {
  commandCount: number;
}

export type PreviewResult =
  | {
      ok: true;
      modes: Record<EntryMode, PreviewPlan>;
      /** The mode the preview starts in: one script when a block needs it or is a fenced block. */
      mode: EntryMode;
      /** Some block holds more than one command, so the two modes differ. */
      choice: boolean;
      blocks: PreviewBlock[];
      /** Every changed or left-out pasted line (prompts, output), in order. */
      marks: LineMark[];
      notes: string[];
      limit: number;
    }
  | { ok: false; error: ExtractError };

export interface PreviewSettings {
  allowPatterns: readonly string[];
  maxBatchSize: number;
  /** The person's rules for the batch's directory, so the preview shows the verdicts the batch will get. */
  userRules?: PolicySettings['userRules'];
}

export interface PreviewTools {
  engine: PolicyEngine;
  /** The bash grammar, to find what separate shells would lose. */
  parser: BashParser;
}

function plan(entries: PreviewEntry[], limit: number, parser: BashParser): PreviewPlan {
  return { entries, tooMany: entries.length > limit, losses: findStateLosses(parser, entries) };
}

/**
 * Extracts the commands of a paste and classifies them, both ways a shell block can become
 * entries: the whole block as one script (one entry, one shell, so `cd` and `export` carry over,
 * judged as a whole like any multi-line command) and one entry per command. Each mode lists the
 * state its entries would lose between shells, naming the line. Every entry is returned, also
 * beyond the batch limit (then that mode's `tooMany` is set): nothing is dropped silently. The
 * renderer creates a batch from exactly one mode's `entries[].command`.
 */
export function previewPaste(text: string, tools: PreviewTools, settings: PreviewSettings): PreviewResult {
  const reading = readPaste(text);
  if (!reading.ok) return reading;
  const limit = Math.min(settings.maxBatchSize, HARD_MAX_BATCH_SIZE);
  const policySettings: PolicySettings = { allowPatterns: settings.allowPatterns, ...(settings.userRules ? { userRules: settings.userRules } : {}) };
  const classify = (command: string): Classification => tools.engine.classify({ tool: 'shell', command }, policySettings);

  const separate = reading.calls.map((call) => ({ ...entryOf(call), classification: classify(call.command) }));
  const perBlock = new Map<number, number>();
  for (const call of reading.calls) if (call.block !== null) perBlock.set(call.block, (perBlock.get(call.block) ?? 0) + 1);

  const script: PreviewEntry[] = [];
  reading.calls.forEach((call, index) => {
    const count = call.block === null ? 1 : (perBlock.get(call.block) ?? 1);
    if (count === 1) {
      script.push(separate[index] as PreviewEntry);
      return;
    }
    if (reading.calls[index - 1]?.block === call.block) return; // the block's script is already in
    const block = reading.blocks[call.block as number] as ExtractedBlock;
    const { command, lines } = block.script;
    script.push({ command, origin: call.origin, line: lines[0] ?? call.line, lines, commandCount: count, classification: classify(command) });
  });

  const choice = [...perBlock.values()].some((count) => count > 1);
  const modes = { script: plan(script, limit, tools.parser), separate: plan(separate, limit, tools.parser) };
  const fencedScript = reading.blocks.some((block, index) => block.origin === 'fenced' && (perBlock.get(index) ?? 0) > 1);
  const mode: EntryMode = choice && (fencedScript || modes.separate.losses.length > 0) ? 'script' : 'separate';
  const blocks = reading.blocks.map(({ script: _script, ...block }, index) => ({ ...block, commandCount: perBlock.get(index) ?? 0 }));
  return { ok: true, modes, mode, choice, blocks, marks: blocks.flatMap((block) => block.marks), notes: reading.notes, limit };
}

function entryOf(call: BlockCall): Omit<PreviewEntry, 'classification'> {
  return { command: call.command, origin: call.origin, line: call.line, lines: call.lines, commandCount: 1 };
}
