import { ShellScanner } from './shellScanner.js';
import { isBlank, type SourceLine } from './textLines.js';
import type { Note } from './types.js';

/** Why a line that could have started a command was left out. */
export type SkipReason = 'output' | 'prose' | 'json';

export type LineDecision = { take: string } | { skip: SkipReason };

export interface SplitOptions {
  /** Decides about a line that would start a new command, and may rewrite it (drop a prompt). */
  startLine?(line: SourceLine): LineDecision;
  /** Rewrites a line that continues an open command (drop a `> ` continuation prompt). */
  continueLine?(text: string): string;
}

export interface ShellCommand {
  text: string;
  line: number;
  offset: number;
}

export interface SplitResult {
  commands: ShellCommand[];
  skipped: Array<{ line: SourceLine; reason: SkipReason }>;
  notes: Note[];
}

const COMMENT_ONLY = /^[ \t]*#/;

function finishCommand(first: SourceLine, texts: string[]): ShellCommand {
  let end = texts.length;
  while (end > 1 && isBlank(texts[end - 1] as string)) end--;
  return { text: texts.slice(0, end).join('\n'), line: first.line, offset: first.offset };
}

/**
 * Splits shell lines into commands, one per top-level line, keeping multi-line constructs
 * (continuations, here-documents, open quotes, compound commands, groups, functions) together.
 * Blank and comment-only lines between commands are dropped; lines inside a command are kept
 * as they are. A command still open when the lines run out keeps every remaining line, with a
 * note: splitting it would run fragments of a construct as commands of their own.
 */
export function splitShellCommands(lines: readonly SourceLine[], options: SplitOptions = {}): SplitResult {
  const result: SplitResult = { commands: [], skipped: [], notes: [] };
  let first: SourceLine | undefined;
  let texts: string[] = [];
  let scanner = new ShellScanner();
  for (const line of lines) {
    if (first) {
      const text = options.continueLine ? options.continueLine(line.text) : line.text;
      texts.push(text);
      scanner.feed(text);
    } else {
      const decision = options.startLine ? options.startLine(line) : { take: line.text };
      if ('skip' in decision) {
        result.skipped.push({ line, reason: decision.skip });
        continue;
      }
      if (isBlank(decision.take) || COMMENT_ONLY.test(decision.take)) continue;
      first = line;
      texts = [decision.take];
      scanner = new ShellScanner();
      scanner.feed(decision.take);
    }
    if (scanner.complete) {
      result.commands.push(finishCommand(first, texts));
      first = undefined;
    }
  }
  if (first) {
    result.commands.push(finishCommand(first, texts));
    result.notes.push({
      offset: first.offset,
      message: `the command starting here ${scanner.describeOpen()}; everything after it was kept as part of it`,
    });
  }
  return result;
}
