import type { SplitOptions } from './shellSplitter.js';
import type { SourceLine } from './textLines.js';

/**
 * A prompt: `$ ` or `% `, optionally after a `(venv) ` marker and a `user@host:dir` part. A
 * `# ` root prompt is not recognised: it cannot be told apart from a comment.
 */
const PROMPT = /^[ \t]*(?:\([^()\s]*\) )?(?:[\w.-]+@[\w.-]+(?::[^\s$%]*)? ?)?[$%](?: |$)/;
/** The secondary prompt bash shows on continuation lines. */
const CONTINUATION_PROMPT = /^> ?/;

/** True when some line of a block carries a prompt, so the block is a terminal transcript. */
export function hasPrompts(lines: readonly SourceLine[]): boolean {
  return lines.some((line) => PROMPT.test(line.text));
}

/**
 * Reads a terminal transcript: a command starts at a prompt, which is removed; lines that do
 * not continue a command and carry no prompt are output and left out.
 */
export const CONSOLE_TRANSCRIPT: SplitOptions = {
  startLine(line) {
    const prompt = PROMPT.exec(line.text);
    return prompt ? { take: line.text.slice(prompt[0].length) } : { skip: 'output' };
  },
  continueLine(text) {
    return text.replace(CONTINUATION_PROMPT, '');
  },
};
