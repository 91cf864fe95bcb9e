import type { Analysis, Invocation } from './analysis.js';
import { allowRuleFor, checkAllowed } from './allowlist.js';
import { recordDownloads, recordTee } from './downloads.js';
import { invoke, ownInfo, type Add } from './invocation.js';
import { shellQuoting } from './lazyLibraries.js';
import { within, type Arg, type CommandInfo, type Context } from './model.js';
import { matchingPattern } from './patterns.js';
import { FETCHERS } from './programs.js';

/**
 * The last step for an ordinary program: the allowlist (bare names only: `./ls` and
 * `node_modules/.bin/grep` are not the `ls` and `grep` on PATH), then the person's own patterns,
 * else UNKNOWN_COMMAND. Also records what the command tells later commands (downloads, output).
 */

export interface RuleInput {
  exact: string;
  byPath: boolean;
  args: Arg[];
  invocation: Invocation;
  context: Context;
}

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** The simple command as one line, for allow patterns: `make test`, `npm run 'a b'`. */
export function normalizedText(program: string, args: readonly Arg[]): string {
  const words = [program, ...args.map((a) => (a.dynamic ? a.word.source : a.value))];
  return words.map((w) => (/^[\w\-.,:/@%+=]+$/.test(w) ? w : shellQuoting().quote([w]))).join(' ');
}

export function judgeByRules(analysis: Analysis, input: RuleInput, add: Add): { infos: CommandInfo[]; unknown: boolean } {
  const { exact, byPath, args, invocation, context } = input;
  const program = exact.toLowerCase();
  if (FETCHERS.has(program)) recordDownloads(analysis, program, args, invocation.writes);
  if (program === 'tee' && invocation.stdin && invocation.stdin.producers.some((p) => p.fetches)) recordTee(analysis, args);
  const nested = program === 'find' ? invokeFindExec(analysis, invocation, context, args) : [];
  const found = byPath ? undefined : allowRuleFor(exact);
  const foundCheck = found ? checkAllowed(found, args) : undefined;
  // A version rule covers one spelling (`npm --version`); any other use is an unknown command.
  const rule = found?.probeOnly && !foundCheck?.ok ? undefined : found;
  const checked = rule ? foundCheck : undefined;
  let unknown = false;
  if (rule && checked?.ok) {
    add({ code: 'ALLOWED_COMMAND', rule: `allow:${rule.name}`, message: `\`${exact}\` ${rule.summary}` });
  } else if (userAllow(analysis, input, rule !== undefined, add)) {
    // A person's rule approved this command in advance (see userAllow for what it may lift).
  } else {
    const patterns = analysis.settings.allowPatterns;
    const normalized = patterns.length === 0 ? '' : normalizedText(byPath ? invocation.args[0]?.value ?? exact : exact, args);
    const pattern = patterns.length === 0 || args.some((a) => a.dynamic) ? undefined : matchingPattern(patterns, normalized);
    if (pattern !== undefined) {
      add({ code: 'ALLOWED_BY_PATTERN', rule: `pattern:${pattern}`, message: `\`${normalized}\` matches your allow pattern \`${pattern}\`` });
    } else if (checked && !checked.ok) {
      add({ code: checked.dynamic ? 'DYNAMIC_ARGUMENT' : 'UNSAFE_ARGUMENTS', rule: `allow:${rule?.name}`, message: `\`${exact}\` needs review: ${checked.why}` });
    } else if (byPath && allowRuleFor(exact) && !allowRuleFor(exact)?.probeOnly) {
      add({ code: 'UNKNOWN_COMMAND', message: `\`${invocation.args[0]?.value}\` runs a program by its path, not the \`${exact}\` found on PATH` });
      unknown = true;
    } else {
      add({ code: 'UNKNOWN_COMMAND', message: `\`${exact}\` is not on the allowlist` });
      unknown = true;
    }
  }
  const output = program === 'cat' && args.length === 0 ? invocation.stdin?.text : staticOutputOf(program, args);
  const copiesFetch = (program === 'tee' || program === 'cat') && invocation.stdin?.producers.some((p) => p.fetches) === true;
  const info = ownInfo(analysis, program, output === undefined ? {} : { staticOutput: output });
  if (copiesFetch) info.fetches = true;
  return { infos: [...nested, info], unknown };
}

/**
 * A person's allow rule turns "not on the allowlist" into allow, and "needs review" of an
 * allowlisted program only for a rule naming a subcommand (`git push`): for a program alone the
 * options that need review are the whole point of its allowlist entry (`sort -o`, `rg --pre`).
 * Never for a program run by its path, nor with a word only known when it runs (an expansion or
 * a glob, which may become any words, options included). Structural findings (redirects,
 * substitutions, …) are separate reasons, so the verdict stays as strict as they make it.
 */
function userAllow(analysis: Analysis, input: RuleInput, allowlisted: boolean, add: Add): boolean {
  const rules = analysis.settings.userRules;
  if (!rules || input.byPath || input.args.some((a) => a.dynamic || a.glob)) return false;
  const match = rules.allowing([input.exact, ...input.args.map((a) => a.value)]);
  if (!match || (allowlisted && match.words < 2)) return false;
  add({ code: 'ALLOWED_BY_RULE', rule: `user:${match.id}${match.network ? ':network' : ''}`, message: `allowed by ${match.description}` });
  return true;
}

/** What `echo` / `printf` print, when it is fully static (for `echo 'rm -rf /' | sh`). */
function staticOutputOf(program: string, args: Arg[]): string | undefined {
  if (args.some((a) => a.dynamic)) return undefined;
  if (program === 'echo') return args.filter((a, i) => !(i === 0 && /^-[neE]+$/.test(a.value))).map((a) => a.value).join(' ');
  if (program === 'printf' && args.length === 1) return args[0]?.value.replace(/\\n/g, '\n');
  return undefined;
}

/** `find … -exec CMD {} ;` runs CMD: judge it like any other command. */
function invokeFindExec(analysis: Analysis, invocation: Invocation, context: Context, args: Arg[]): CommandInfo[] {
  const infos: CommandInfo[] = [];
  for (let i = 0; i < args.length; i++) {
    const action = (args[i] as Arg).value;
    if (!FIND_EXEC.has(action)) continue;
    const end = args.findIndex((a, k) => k > i && (a.value === ';' || a.value === '+'));
    const command = args.slice(i + 1, end === -1 ? undefined : end);
    if (command.length > 0) {
      infos.push(...invoke(analysis, { args: command, assignments: [], span: invocation.span, writes: [] }, within(context, `run by \`find ${action}\``)));
    }
    if (end === -1) break;
    i = end;
  }
  return infos;
}
