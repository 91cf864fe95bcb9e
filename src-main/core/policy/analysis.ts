import type { BashParser } from './bashParser.js';
import type { Arg, CommandInfo, Context, Findings } from './model.js';
import type { PolicySettings, Span } from './types.js';

/** Shared state of one classification: the parser, the settings and the findings so far. */
export interface Analysis {
  parser: BashParser;
  settings: PolicySettings;
  findings: Findings;
  /** Files a network fetcher wrote earlier in the script (`curl -o x.sh …; sh x.sh`). */
  downloads: Set<string>;
  /** Shell functions defined so far, and whether calling one runs a network fetcher. */
  functions: Map<string, { fetches: boolean }>;
  /** Analyses a script found inside the command (`sh -c '…'`, `eval`, a here-document for a shell). */
  analyzeScript(text: string, context: Context, outerSpan: Span): CommandInfo[];
}

/** What a command reads on standard input, when Leash can tell. */
export interface StdinInput {
  /** Static text fed in (here-document, here-string). */
  text?: string;
  /** Commands producing the input (`< <(curl …)`, `<<< "$(curl …)"`). */
  producers: CommandInfo[];
  label: string;
}

export interface Invocation {
  args: Arg[];
  /** `NAME=value` words in front of the command (or given to `env`). */
  assignments: { name: string; value: Arg }[];
  stdin?: StdinInput;
  span: Span;
  /** Files the command's redirections write (a fetcher's output saved there is a download). */
  writes: string[];
}

export const MAX_SCRIPT_DEPTH = 6;
