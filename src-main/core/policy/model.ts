import { verdictOfCode, type JudgedCommand, type Reason, type Span } from './types.js';

export type { JudgedCommand };
import type { Word } from './words.js';

/** One field of a simple command's argument vector after brace expansion and splitting. */
export interface Arg {
  /** Best known value (unknown expansions stay as their source text). */
  value: string;
  /** Not statically known: an expansion, a substitution, a tracked variable. Allow needs false. */
  dynamic: boolean;
  /** Only known when it runs, even with the variables tracked so far (deny rules can't see it). */
  unknown?: boolean;
  /** Contains unquoted glob characters. */
  glob: boolean;
  word: Word;
  /** Commands run inside this word's substitutions (`$(…)`, `<(…)`). */
  nested: CommandInfo[];
}

/** What the pipeline- and substitution-level checks need to know about a command. */
export interface CommandInfo {
  program: string;
  /** A network fetcher (`curl`, `wget`, …), or something that runs one (a function, `tee` of one). */
  fetches: boolean;
  /** A shell or interpreter that takes its program from standard input. */
  runsStdin: boolean;
  /** A shell or interpreter at all (reading a script or not). */
  interpreter: boolean;
  /** The command's standard output, when it is statically known (`echo 'ls'`). */
  staticOutput?: string;
  /** Runs inside a substitution of another command rather than as a stage of its own. */
  nestedIn?: boolean;
}

/** Where a command sits, for messages and spans. */
export interface Context {
  /** Phrases from outermost to innermost, e.g. "in the 2nd command of a pipeline". */
  where: string[];
  /** How many `sh -c` / `eval` strings deep we are. */
  depth: number;
  /** Set inside nested scripts: every span maps to the span of the outer string. */
  outerSpan?: Span;
  /** Variables assigned statically earlier in the script. */
  variables: Map<string, string>;
  /** A second look at the text (fallback tokenizing, argv suffixes): only denials count. */
  denyOnly?: boolean;
  /** How many wrappers (`env`, `nice`, `strace`, …) deep this command is. */
  wrappers?: number;
  /** Inside a suffix tried by the backstop: no further suffixes (bounded work). */
  inSuffix?: boolean;
  /** Record the commands judged even so (the fallback tokenizer is the only judge of unparsable text). */
  recordCommands?: boolean;
}

export interface Findings {
  reasons: Reason[];
  commands: JudgedCommand[];
  add(reason: Reason, context: Context): void;
}

export function within(context: Context, phrase: string): Context {
  return { ...context, where: [...context.where, phrase] };
}

export function describeWhere(context: Context): string {
  return context.where.length === 0 ? '' : `, ${[...context.where].reverse().join(', ')}`;
}

/** More reasons than this are summarised: a hostile 16,000-stage pipeline must stay linear. */
const MAX_REASONS = 200;

export function createFindings(): Findings {
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  const dropped = new Set<string>();
  return {
    reasons,
    commands: [],
    add(reason, context) {
      if (context.denyOnly && verdictOfCode(reason.code) !== 'deny') return;
      const span = context.outerSpan ?? reason.span;
      const message = `${reason.message}${describeWhere(context)}`;
      const key = `${reason.code}\u0000${message}\u0000${span?.start ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (reasons.length >= MAX_REASONS) {
        // Keep one reason of every code (a deny must never be lost), drop the repeats.
        if (dropped.has(reason.code) || reasons.some((r) => r.code === reason.code)) {
          dropped.add(reason.code);
          return;
        }
      }
      const full: Reason = { code: reason.code, message };
      if (reason.rule) full.rule = reason.rule;
      if (span) full.span = span;
      reasons.push(full);
    },
  };
}
