import type { LineDecision, SplitOptions } from './shellSplitter.js';
import type { SourceLine } from './textLines.js';

/**
 * A user prompt: `$ ` or `% ` (alone, after a `(venv) ` marker, after `user@host:dir`, or in
 * `[user@host dir]$ `), and the root prompts that carry a user and host (`root@box:~# `,
 * `[root@box ~]# `): no comment looks like those. A bare `# ` is judged separately (rootPrompt).
 * PowerShell's `PS C:\> ` is not taken: what follows it is not bash.
 */
const PROMPT =
  /^[ \t]*(?:\([^()\s]*\) )?(?:(?:[\w.-]+@[\w.-]+(?::[^\s$%#]*)? ?)?[$%]|[\w.-]+@[\w.-]+:[^\s$%#]*#|\[[\w.-]+@[\w.-]+ [^\]]*\][$#])(?: |$)/;
/** The secondary prompt bash shows on continuation lines (PS2). */
export const CONTINUATION_PROMPT = /^> ?/;
const BARE_ROOT = /^([ \t]*# )(\S.*)$/;
const POWERSHELL = /^[ \t]*PS [A-Za-z]:\\[^>]*> /;

/** A first word that can name a command: lower-case, a path, or an assignment. */
const COMMAND_WORD = /^(?:[a-z0-9_][a-z0-9._+-]*|\.{0,2}\/\S*|~\/\S*|[A-Za-z_]\w*=\S*)$/;
/** Options, paths, operators, expansions: signs of a command rather than of a sentence. */
const SHELL_SIGNAL = /(?:^|\s)--?[A-Za-z0-9]|[|&;<>$=/~*"'`]/;
/** Small English words that a command line rarely holds and a comment usually does. */
const ENGLISH = new Set([
  'a', 'an', 'the', 'to', 'into', 'onto', 'of', 'and', 'or', 'is', 'are', 'was', 'be', 'this', 'that', 'these', 'it', 'its',
  'we', 'you', 'your', 'our', 'my', 'then', 'now', 'first', 'next', 'with', 'from', 'will', 'should', 'can', 'must', 'not',
  'if', 'so', 'when', 'which', 'what', 'here', 'there', 'make', 'sure', 'want', 'need', 'via', 'using', 'as', 'by', 'for',
]);

export type RootJudgement = 'root' | 'comment' | 'uncertain';

/**
 * Tells a root prompt (`# apt-get install -y nginx`) from a shell comment (`# install the
 * dependencies`) on a `# ` line of a transcript. A sentence (upper-case start, sentence end,
 * small English words and no shell syntax) is a comment. A command word followed by options,
 * paths or operators is a root prompt. Anything else is a root prompt only in a transcript whose
 * prompts are all `# ` (a root session); next to `$ ` prompts it is `uncertain`: the line is
 * kept as a comment, which runs nothing, and the preview says it might have been a command.
 */
export function judgeRootLine(rest: string, rootSession: boolean): RootJudgement {
  const text = rest.trim();
  const words = text.split(/\s+/);
  const first = words[0] ?? '';
  if (!COMMAND_WORD.test(first) || /[.:!?]$/.test(text)) return 'comment';
  const signal = SHELL_SIGNAL.test(text.slice(first.length)) || first.includes('/') || first.includes('=');
  if (signal) return 'root';
  if (words.slice(1).some((word) => ENGLISH.has(word.toLowerCase()))) return 'comment';
  return rootSession ? 'root' : 'uncertain';
}

function isUserPrompt(prompt: RegExpExecArray | null): boolean {
  return prompt !== null && !prompt[0].trimEnd().endsWith('#');
}

/** True when a line opens with a user prompt (`$ `, `% `, `user@host:dir$ `, `root@host:~# `). */
export function startsWithPrompt(text: string): boolean {
  return PROMPT.test(text);
}

/**
 * True when some line of a ```console block carries a prompt, so the block is a transcript.
 * A `# ` line counts when it reads as a root prompt of a root session.
 */
export function hasPrompts(lines: readonly SourceLine[]): boolean {
  return lines.some((line) => {
    if (PROMPT.test(line.text)) return true;
    const root = BARE_ROOT.exec(line.text);
    return root !== null && judgeRootLine(root[2] as string, true) === 'root';
  });
}

export interface TranscriptOptions {
  /** The block says it is a transcript (```console, ```terminal …): `# ` lines may be prompts. */
  console: boolean;
  /** How a line without a prompt is read before the first prompt (plain lines: prose, JSON). */
  fallback?(line: SourceLine): LineDecision;
  /** Told once about a line that looks like PowerShell. */
  onPowerShell?(line: SourceLine): void;
}

/**
 * Reads a block that may be a terminal transcript. At the start of a command a prompt is
 * removed (the decision carries what was removed); once a prompt was seen, a line that starts
 * no prompted command is output and left out. Lines before the first prompt are read as
 * commands (a script that shows a prompt only later), and lines inside a command (here-document
 * bodies, continued lines) never reach this reader, so a body line starting with `$ ` stays.
 */
export function transcriptReader(lines: readonly SourceLine[], options: TranscriptOptions): SplitOptions {
  let dollarSeen = false;
  let promptSeen = false;
  // A root session: a transcript block whose prompts are all `# ` (no `$ ` anywhere in it).
  const rootSession = options.console && !lines.some((line) => isUserPrompt(PROMPT.exec(line.text)));
  return {
    continuationPrompt: CONTINUATION_PROMPT,
    startLine(line) {
      const prompt = PROMPT.exec(line.text);
      if (prompt) {
        promptSeen = true;
        if (isUserPrompt(prompt)) dollarSeen = true;
        return { take: line.text.slice(prompt[0].length), removed: prompt[0] };
      }
      const root = BARE_ROOT.exec(line.text);
      if (root && (options.console || dollarSeen)) {
        const judgement = judgeRootLine(root[2] as string, rootSession);
        if (judgement === 'root') {
          promptSeen = true;
          return { take: root[2] as string, removed: root[1] as string };
        }
        return judgement === 'uncertain' ? { take: line.text, uncertain: true } : { take: line.text };
      }
      if (promptSeen) return { skip: 'output' };
      if (POWERSHELL.test(line.text)) options.onPowerShell?.(line);
      return options.fallback ? options.fallback(line) : { take: line.text };
    },
  };
}
