import type { SourceLine } from './textLines.js';

/** How the parser treats a fenced code block, decided by its language tag. */
export type FenceKind = 'shell' | 'console' | 'unlabeled' | 'other';

export interface Fence {
  /** Lower-cased first word of the info string; empty when there is none. */
  language: string;
  kind: FenceKind;
  /** The line with the opening fence. */
  open: SourceLine;
  /** Content lines, with the opening fence's indentation removed (as CommonMark does). */
  content: SourceLine[];
  /** UTF-16 range of the raw content in the pasted text. */
  contentStart: number;
  contentEnd: number;
  closed: boolean;
}

export interface Range {
  start: number;
  end: number;
}

export interface FencedText {
  fences: Fence[];
  /** The text outside every fence (prose, inline JSON), in order. */
  outside: Range[];
}

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh', 'shellscript']);
/** Transcripts: commands after a `$ ` or `% ` prompt, everything else is output. */
const CONSOLE_LANGUAGES = new Set(['console', 'terminal', 'shell-session', 'shellsession', 'sh-session', 'bash-session']);

const OPENING = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

function kindOf(language: string): FenceKind {
  if (language === '') return 'unlabeled';
  if (SHELL_LANGUAGES.has(language)) return 'shell';
  if (CONSOLE_LANGUAGES.has(language)) return 'console';
  return 'other';
}

/** `bash`, `{.bash}`, `bash title="x"`, `bash:run.sh` all name bash. */
function languageOf(info: string): string {
  const word = /^[{.\s]*([\w+#.-]*)/.exec(info)?.[1] ?? '';
  return word.replace(/\.+$/, '').toLowerCase();
}

function isClosing(text: string, marker: string): boolean {
  const match = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(text);
  const fence = match?.[1];
  return fence !== undefined && fence[0] === marker[0] && fence.length >= marker.length;
}

function dedent(line: SourceLine, indent: number): SourceLine {
  let cut = 0;
  while (cut < indent && (line.text[cut] === ' ' || line.text[cut] === '\t')) cut++;
  return cut === 0 ? line : { text: line.text.slice(cut), line: line.line, offset: line.offset + cut };
}

/**
 * Finds Markdown fenced code blocks (``` or ~~~, three or more). A fence closes only on a line
 * holding the same marker at least as long and nothing else, so a ````-fenced block may contain
 * ``` lines (a heredoc writing a README, a Markdown example). Unlike CommonMark, an opening fence
 * may be indented by any amount: AI replies indent fences inside list items. An unclosed fence
 * runs to the end of the text, as in CommonMark.
 */
export function findFences(lines: readonly SourceLine[], textLength: number): FencedText {
  const fences: Fence[] = [];
  const outside: Range[] = [];
  let outsideStart = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i] as SourceLine;
    const match = OPENING.exec(open.text);
    if (!match) continue;
    const [, indent = '', marker = '', info = ''] = match;
    if (marker[0] === '`' && info.includes('`')) continue; // inline code such as ```x```, not a fence
    if (open.offset > outsideStart) outside.push({ start: outsideStart, end: open.offset });
    const language = languageOf(info);
    const content: SourceLine[] = [];
    let closing: SourceLine | undefined;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] as SourceLine;
      if (isClosing(line.text, marker)) {
        closing = line;
        break;
      }
      content.push(dedent(line, indent.length));
    }
    const contentStart = lines[i + 1]?.offset ?? textLength;
    const contentEnd = closing ? closing.offset : textLength;
    fences.push({ language, kind: kindOf(language), open, content, contentStart: Math.min(contentStart, contentEnd), contentEnd, closed: closing !== undefined });
    const next = lines[j + 1];
    outsideStart = closing && next ? next.offset : textLength;
    i = j;
  }
  if (outsideStart < textLength) outside.push({ start: outsideStart, end: textLength });
  return { fences, outside };
}
