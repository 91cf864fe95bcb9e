import { verdictOfCode, type Reason, type Span } from './types.js';
import type { Word } from './words.js';

/** One field of a simple command's argument vector after brace expansion and splitting. */
export interface Arg {
  /** Best known value (unknown expansions stay as their source text). */
  value: string;
  /** Contains an expansion whose value is not known statically. */
  dynamic: boolean;
  /** Contains unquoted glob characters. */
  glob: boolean;
  word: Word;
  /** Commands run inside this word's substitutions (`$(…)`, `<(…)`). */
  nested: CommandInfo[];
}

/** What the pipeline- and substitution-level checks need to know about a command. */
export interface CommandInfo {
  program: string;
  /** A network fetcher (`curl`, `wget`, …). */
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
  /** A second look at the text (fallback tokenizing, joined line continuations): only denials count. */
  denyOnly?: boolean;
}

export interface Findings {
  reasons: Reason[];
  add(reason: Reason, context: Context): void;
}

export function within(context: Context, phrase: string): Context {
  return { ...context, where: [...context.where, phrase] };
}

export function describeWhere(context: Context): string {
  return context.where.length === 0 ? '' : `, ${[...context.where].reverse().join(', ')}`;
}

export function createFindings(): Findings {
  const reasons: Reason[] = [];
  return {
    reasons,
    add(reason, context) {
      if (context.denyOnly && verdictOfCode(reason.code) !== 'deny') return;
      const span = context.outerSpan ?? reason.span;
      const message = `${reason.message}${describeWhere(context)}`;
      const full: Reason = { code: reason.code, message };
      if (reason.rule) full.rule = reason.rule;
      if (span) full.span = span;
      const duplicate = reasons.some(
        (r) => r.code === full.code && r.message === full.message && r.span?.start === full.span?.start,
      );
      if (!duplicate) reasons.push(full);
    },
  };
}
