import type { CallOrigin, ExtractedCall, ExtractResult } from '../../../src-main/core/intake/index.js';

/** A Markdown fence, so the tests can write AI replies without escaping backquotes. */
export const F = '```';

export const lines = (...parts: string[]): string => parts.join('\n');

export const call = (origin: CallOrigin, line: number, command: string): ExtractedCall => ({ command, origin, line });

export const found = (calls: ExtractedCall[], notes: string[] = []): ExtractResult => ({ ok: true, calls, notes });

export const failed = (code: 'NOTHING_FOUND' | 'TOO_LARGE' | 'INVALID_TOOL_CALL', message: string): ExtractResult => ({
  ok: false,
  error: { code, message },
});
