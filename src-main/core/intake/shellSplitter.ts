import { ShellScanner } from './shellScanner.js';
import { isBlank, type SourceLine } from './textLines.js';
import type { LineMark, Note } from './types.js';

/** Why a line that could have started a command was left out. */
export type SkipReason = 'output' | 'prose' | 'json';

/**
 * What to do with a line that would start a new command: take it (maybe rewritten: `removed`
 * is the prompt taken off its start; `uncertain` marks a `# ` line kept as a comment although
 * it may be a root prompt), or leave it out.
 */
export type LineDecision = { take: string; removed?: string; uncertain?: boolean } | { skip: SkipReason };

export interface SplitOptions {
  /** Decides about a line that would start a new command, and may rewrite it (drop a prompt). */
  startLine?(line: SourceLine): LineDecision;
  /**
   * A continuation prompt (`> `) to remove from the lines of a command that started at a
   * prompt. It is removed only when every continued line of that command carries it and the
   * command reads complete without it; otherwise the lines stay as written (a here-document
   * body may hold `> ` lines of its own).
   */
  continuationPrompt?: RegExp;
}

export interface ShellCommand {
  text: string;
  line: number;
  offset: number;
  /** The pasted line of each line of `text`. */
  lines: number[];
}

export interface SplitResult {
  commands: ShellCommand[];
  skipped: Array<{ line: SourceLine; reason: SkipReason }>;
  notes: Note[];
  /** The block as one script: its command and comment lines, prompts removed, output left out. */
  script: { text: string; lines: number[] };
  marks: LineMark[];
}

const COMMENT_ONLY = /^[ \t]*#/;

/** One way of reading a command's lines: as written, or with continuation prompts removed. */
interface Reading {
  scanner: ShellScanner;
  texts: string[];
  marks: LineMark[];
}

function reading(first: string): Reading {
  const scanner = new ShellScanner();
  scanner.feed(first);
  return { scanner, texts: [first], marks: [] };
}

interface OpenCommand {
  first: SourceLine;
  lines: number[];
  startMarks: LineMark[];
  literal: Reading;
  /** The prompt-stripped reading, while every continued line carried the prompt. */
  stripped: Reading | undefined;
}

function trimTrailingBlanks(texts: string[], lines: number[]): number {
  let end = texts.length;
  while (end > 1 && isBlank(texts[end - 1] as string)) end--;
  lines.length = Math.min(lines.length, end);
  return end;
}

/**
 * Splits shell lines into commands, one per top-level line, keeping multi-line constructs
 * (continuations, here-documents, open quotes, compound commands, groups, functions) together.
 * Blank and comment-only lines between commands are dropped from the commands (the script keeps
 * them); lines inside a command are kept as they are. A command still open when the lines run
 * out keeps every remaining line, with a note: splitting it would run fragments of a construct
 * as commands of their own.
 */
export function splitShellCommands(lines: readonly SourceLine[], options: SplitOptions = {}): SplitResult {
  const result: SplitResult = { commands: [], skipped: [], notes: [], script: { text: '', lines: [] }, marks: [] };
  const script: Array<{ text: string; line: number }> = [];
  let open: OpenCommand | undefined;

  const finish = (chosen: Reading): void => {
    const command = open as OpenCommand;
    const lineNumbers = [...command.lines];
    const end = trimTrailingBlanks(chosen.texts, lineNumbers);
    const texts = chosen.texts.slice(0, end);
    result.commands.push({ text: texts.join('\n'), line: command.first.line, offset: command.first.offset, lines: lineNumbers });
    texts.forEach((text, index) => script.push({ text, line: lineNumbers[index] as number }));
    result.marks.push(...command.startMarks, ...chosen.marks);
    open = undefined;
  };

  for (const line of lines) {
    if (open) {
      open.lines.push(line.line);
      open.literal.texts.push(line.text);
      open.literal.scanner.feed(line.text);
      const stripped = open.stripped;
      const prompt = stripped && options.continuationPrompt?.exec(line.text);
      if (stripped && prompt) {
        const text = line.text.slice(prompt[0].length);
        stripped.texts.push(text);
        stripped.marks.push({ line: line.line, text: line.text, kind: 'prompt', removed: prompt[0] });
        stripped.scanner.feed(text);
      } else {
        open.stripped = undefined;
      }
      if (open.stripped?.scanner.complete) finish(open.stripped);
      else if (open.literal.scanner.complete) finish(open.literal);
      continue;
    }
    const decision = options.startLine ? options.startLine(line) : { take: line.text };
    if ('skip' in decision) {
      result.skipped.push({ line, reason: decision.skip });
      if (decision.skip === 'output') result.marks.push({ line: line.line, text: line.text, kind: 'output' });
      continue;
    }
    const startMarks: LineMark[] = [];
    if (decision.removed !== undefined && !isBlank(decision.take)) {
      startMarks.push({ line: line.line, text: line.text, kind: 'prompt', removed: decision.removed });
    }
    if (decision.uncertain) startMarks.push({ line: line.line, text: line.text, kind: 'uncertain-comment' });
    if (isBlank(decision.take) || COMMENT_ONLY.test(decision.take)) {
      if (script.length > 0 || !isBlank(decision.take)) script.push({ text: decision.take, line: line.line });
      result.marks.push(...startMarks);
      continue;
    }
    open = {
      first: line,
      lines: [line.line],
      startMarks,
      literal: reading(decision.take),
      stripped: decision.removed !== undefined && options.continuationPrompt ? reading(decision.take) : undefined,
    };
    if (open.literal.scanner.complete) finish(open.literal);
  }
  if (open) {
    const describe = open.literal.scanner.describeOpen();
    const first = open.first;
    finish(open.literal);
    result.notes.push({ offset: first.offset, message: `the command starting here ${describe}; everything after it was kept as part of it` });
  }
  while (script.length > 0 && isBlank((script[script.length - 1] as { text: string }).text)) script.pop();
  result.marks.sort((a, b) => a.line - b.line);
  result.script = { text: script.map((entry) => entry.text).join('\n'), lines: script.map((entry) => entry.line) };
  return result;
}
