/**
 * What the paste parser returns. Errors are values with stable codes a caller (and a test) can
 * assert on; notes are sentences for the person reviewing the paste.
 */

/** Where a command came from in the pasted text. */
export type CallOrigin = 'json' | 'openai' | 'anthropic' | 'fenced' | 'lines';

export interface ExtractedCall {
  /** The command exactly as the AI wrote it (after JSON string decoding). */
  command: string;
  origin: CallOrigin;
  /** 1-based line in the pasted text where it was found. */
  line: number;
}

/**
 * A pasted line Leash changed or left out of a block, so the preview can show it: a prompt
 * removed (`removed` is the prefix taken off), console output dropped, or a `# ` line kept as a
 * comment although it could be a root prompt.
 */
export interface LineMark {
  /** 1-based line in the pasted text. */
  line: number;
  /** The line as pasted (fence indentation removed). */
  text: string;
  kind: 'prompt' | 'output' | 'uncertain-comment';
  /** For `prompt`: the exact prefix removed from `text`. */
  removed?: string;
}

/**
 * A shell block (a fenced block, or the plain pasted lines) and the script it makes when run as
 * one entry: every command and comment line of the block, in order, with prompts removed and
 * output left out. Running the script runs exactly the block's commands in one shell.
 */
export interface ExtractedBlock {
  origin: 'fenced' | 'lines';
  /** 1-based line where the block starts (its opening fence, or its first line). */
  line: number;
  /** What the block is, for a person: "```bash block", "code block", "pasted lines". */
  label: string;
  script: { command: string; lines: number[] };
  marks: LineMark[];
}

/** A command with the block it belongs to and the pasted line of each of its lines. */
export interface BlockCall extends ExtractedCall {
  /** Index into the blocks; null for a JSON tool call (always an entry of its own). */
  block: number | null;
  /** 1-based pasted line of each line of `command` (same count); empty for JSON calls. */
  lines: number[];
}

export type ExtractErrorCode = 'NOTHING_FOUND' | 'TOO_LARGE' | 'INVALID_TOOL_CALL';

export interface ExtractError {
  code: ExtractErrorCode;
  message: string;
}

export type ExtractResult = { ok: true; calls: ExtractedCall[]; notes: string[] } | { ok: false; error: ExtractError };

/** The paste read with its blocks, so a block can be offered as one script. */
export type PasteReading = { ok: true; calls: BlockCall[]; blocks: ExtractedBlock[]; notes: string[] } | { ok: false; error: ExtractError };

/**
 * A finding inside the parser, positioned by UTF-16 offset in the pasted text so findings from
 * different scanners (JSON, fences, lines) can be merged in order of appearance.
 */
export type Finding =
  | { kind: 'call'; offset: number; command: string; origin: CallOrigin; block?: number; lines?: number[] }
  /** A tool call that could not be used; `message` finishes the sentence "line N: …". */
  | { kind: 'unusable'; offset: number; message: string };

/** A remark for the person, positioned like a finding (or about the whole text). */
export interface Note {
  offset?: number;
  message: string;
}
