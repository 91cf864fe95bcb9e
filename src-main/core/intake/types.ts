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

export type ExtractErrorCode = 'NOTHING_FOUND' | 'TOO_LARGE' | 'INVALID_TOOL_CALL';

export interface ExtractError {
  code: ExtractErrorCode;
  message: string;
}

export type ExtractResult = { ok: true; calls: ExtractedCall[]; notes: string[] } | { ok: false; error: ExtractError };

/**
 * A finding inside the parser, positioned by UTF-16 offset in the pasted text so findings from
 * different scanners (JSON, fences, lines) can be merged in order of appearance.
 */
export type Finding =
  | { kind: 'call'; offset: number; command: string; origin: CallOrigin }
  /** A tool call that could not be used; `message` finishes the sentence "line N: …". */
  | { kind: 'unusable'; offset: number; message: string };

/** A remark for the person, positioned like a finding (or about the whole text). */
export interface Note {
  offset?: number;
  message: string;
}
