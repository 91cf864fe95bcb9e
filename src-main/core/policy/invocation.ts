import { posix } from 'node:path';
import type { Analysis, Invocation } from './analysis.js';
import { judgeByRules } from './judgeRules.js';
import { invokeBuiltin } from './builtins.js';
import { isAscii } from './characters.js';
import { credentialPath } from './credentials.js';
import { argumentDenyReasons, argumentFlags, denyReasons, globPattern, isBlockDevice } from './denyRules.js';
import { denyDownloadedRun } from './downloads.js';
import { checkAssignments } from './environment.js';
import { within, type Arg, type CommandInfo, type Context, type JudgedCommand } from './model.js';
import { DENIED_PROGRAM_NAMES, FETCHERS, SHELLS } from './programs.js';
import type { Reason } from './types.js';
import { unwrap, type Unwrapped } from './wrappers.js';
import { WRAPPERS } from './wrapperSpecs.js';

/**
 * Classifies one simple command: resolves its program, applies the deny rules, unwraps wrappers,
 * looks inside scripts given as strings, then the allowlist and the user's patterns. Every path
 * adds at least one reason, so no command is silently allowed.
 */

export type Add = (reason: Reason, context?: Context) => void;

/** Programs that write to the files they are given: a disk device among them is a raw disk write. */
const DEVICE_WRITERS = new Set(['tee', 'cp', 'mv', 'install', 'shred', 'truncate', 'ddrescue']);

/** Wrappers unwrapped one inside another before Leash stops (`env env env … rm`). */
const MAX_WRAPPERS = 16;

/** Argv suffixes tried per command when looking for a command hidden in an unknown one. */
const MAX_SUFFIXES = 8;

/** Names a glob-spelled command name (`/bin/r[!x]`) is tried as. */
const GLOB_CANDIDATES = new Set([...DENIED_PROGRAM_NAMES, ...Object.keys(WRAPPERS), ...SHELLS, 'env', 'xargs', 'eval', 'curl', 'wget']);

/** C0 controls and DEL, except a tab in an argument (a newline in a word is a control here). */
function hasControlCharacter(text: string, inName = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && !(code === 0x09 && !inName)) || code === 0x7f) return true;
  }
  return false;
}

export function fetcherIn(infos: readonly CommandInfo[]): CommandInfo | undefined {
  return infos.find((info) => info.fetches);
}

export function ownInfo(analysis: Analysis, program: string, extra: Partial<CommandInfo> = {}): CommandInfo {
  const fetches = FETCHERS.has(program) || analysis.functions.get(program)?.fetches === true;
  return { program, fetches, runsStdin: false, interpreter: false, ...extra };
}

function judged(args: readonly Arg[]): JudgedCommand {
  const unknown = args.flatMap((a, i) => (a.dynamic || a.glob ? [i] : []));
  const globs = args.flatMap((a, i) => (a.glob && !a.dynamic ? [i] : []));
  return { argv: args.map((a) => a.value), ...(unknown.length > 0 ? { unknown } : {}), ...(globs.length > 0 ? { globs } : {}) };
}

export function invoke(analysis: Analysis, invocation: Invocation, context: Context): CommandInfo[] {
  const add: Add = (reason, ctx = context) => analysis.findings.add({ span: invocation.span, ...reason }, ctx);
  if (!context.denyOnly || context.recordCommands) analysis.findings.commands.push(judged(invocation.args));
  const [nameArg, ...args] = invocation.args;
  checkAssignments(invocation.assignments, add);
  if (!nameArg) {
    add({ code: 'EMPTY_COMMAND', message: 'there is no command to run' });
    return [];
  }
  // Second looks only hunt for denials: the ask-level checks are done once, on the first look.
  for (const arg of context.denyOnly ? [] : args) {
    const found = credentialPath(arg.value, arg.glob);
    if (found) add({ code: 'CREDENTIAL_PATH', rule: 'ask:credential-path', message: `\`${arg.word.source}\` names a credential location (${found})` });
    if (hasControlCharacter(arg.value)) add({ code: 'CONTROL_CHARACTER', message: `the argument \`${arg.word.source}\` holds control characters` });
  }
  if (nameArg.word.nulCut || args.some((a) => a.word.nulCut)) {
    add({ code: 'CONTROL_CHARACTER', message: 'a `$\'…\'` word holds a NUL character, where bash cuts it short' });
  }

  if (nameArg.unknown) {
    const fetcher = fetcherIn(nameArg.nested);
    if (fetcher) add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: runs what \`${fetcher.program}\` downloads as a command` });
    add({ code: 'DYNAMIC_COMMAND_NAME', message: `the command name \`${nameArg.word.source}\` is only known when it runs` });
    // `$(echo rm) -rf ~`: a substitution that prints static text names the program.
    const printed = nameArg.word.pieces.length === 1 ? nameArg.nested.find((i) => i.staticOutput !== undefined)?.staticOutput : undefined;
    if (printed !== undefined) analysis.analyzeScript([printed, ...args.map((a) => a.value)].join(' '), { ...context, denyOnly: true }, nameArg.word.span);
    trySuffixes(analysis, invocation, context, 1, true);
    return [ownInfo(analysis, nameArg.value)];
  }
  if (nameArg.dynamic) add({ code: 'DYNAMIC_COMMAND_NAME', message: `the command name \`${nameArg.word.source}\` comes from a variable` });
  if (hasControlCharacter(nameArg.value, true)) add({ code: 'CONTROL_CHARACTER', message: `the command name \`${nameArg.word.source}\` holds control characters` });

  const path = nameArg.value.includes('/') ? posix.normalize(nameArg.value) : nameArg.value;
  const exact = posix.basename(path);
  // Case-insensitive file systems (macOS, Windows) run `RM` as `rm`, so dangerous names are
  // matched in lower case; the allowlist stays exact, so `LS` is merely unknown.
  const program = exact.toLowerCase();
  const keyword = nameArg.word.pieces.length === 1 && nameArg.word.pieces[0]?.kind === 'unquoted';
  // `time [[ … ]]`, `coproc [[ … ]]`: the keyword, not a glob (the grammar leaves it a word there).
  const bareWord = nameArg.word.pieces.every((piece) => piece.kind === 'unquoted');
  if (nameArg.glob && /[*?[]/.test(exact) && !(bareWord && exact === '[[')) {
    add({ code: 'DYNAMIC_COMMAND_NAME', message: `the command name \`${nameArg.word.source}\` is a glob pattern` });
    const pattern = globPattern(program);
    for (const candidate of [...GLOB_CANDIDATES].filter((name) => pattern.test(name))) {
      const renamed = { ...nameArg, value: candidate, glob: false };
      invoke(analysis, { ...invocation, args: [renamed, ...args] }, { ...context, denyOnly: true, recordCommands: false });
    }
    return [ownInfo(analysis, program)];
  }
  if (program === '') {
    add({ code: 'UNKNOWN_COMMAND', message: 'the command name is empty' });
    return [ownInfo(analysis, program)];
  }
  tightenByUserRules(analysis, exact, args, add);
  if (!isAscii(program)) {
    add({ code: 'NON_ASCII_COMMAND_NAME', message: `the command name \`${program}\` has characters outside ASCII and may imitate another command` });
  }
  if (keyword && (exact === '!' || exact === 'coproc')) {
    // `! ! cmd` (the grammar reads the second `!` as a command) and `coproc cmd` run `cmd`.
    if (exact === 'coproc') add({ code: 'BACKGROUND_JOB', message: '`coproc` runs a command in the background' });
    if (args.length === 0) return [ownInfo(analysis, exact)];
    return invoke(analysis, { ...invocation, args }, within(context, `run by \`${exact}\``));
  }
  const byPath = nameArg.value.includes('/');
  if (byPath) denyDownloadedRun(analysis, undefined, nameArg.value, add);

  const denied = denyReasons(program, args);
  for (const reason of denied) add(reason);
  if (DEVICE_WRITERS.has(program)) {
    const device = args.find((a) => isBlockDevice(posix.normalize(a.value.replace(/^of=/, '')), a.glob));
    if (device) add({ code: 'RAW_DISK_WRITE', rule: 'deny:raw-disk', message: `blocked: \`${program}\` writes straight to the disk device \`${device.value}\`` });
  }

  const unwrapped = unwrap(program, args, nameArg);
  if (unwrapped) return invokeWrapped(analysis, invocation, context, program, unwrapped, add, byPath || denied.length > 0);
  if (denied.length > 0) return [ownInfo(analysis, program)];

  const builtin = invokeBuiltin(analysis, invocation, context, program, add);
  if (builtin) return builtin;
  const infos = judgeByRules(analysis, { exact, byPath, args, invocation, context }, add);
  if (infos.unknown) trySuffixes(analysis, invocation, context, 1, false);
  return infos.infos;
}

/**
 * A person's deny and ask rules (and a project's `.leash/policy.json`) only tighten, so they are
 * matched broadly: by the program's base name whatever path runs it, on the static words.
 */
function tightenByUserRules(analysis: Analysis, exact: string, args: readonly Arg[], add: Add): void {
  const rules = analysis.settings.userRules;
  if (!rules) return;
  const words = [exact];
  for (const arg of args) {
    if (arg.dynamic || arg.glob) break;
    words.push(arg.value);
  }
  for (const match of rules.tightening(words)) {
    if (match.decision === 'deny') add({ code: 'DENIED_BY_RULE', rule: `user:${match.id}`, message: `blocked: never allowed, by ${match.description}` });
    else add({ code: match.unreadable ? 'POLICY_FILE_INVALID' : 'ASK_BY_RULE', rule: `user:${match.id}`, message: `needs review: ${match.description}` });
  }
}

/**
 * The backstop for commands hidden in commands Leash does not know (`mytool rm -rf ~`): the
 * argument-dependent deny rules run on every argv suffix; with `all`, every deny rule does.
 */
export function trySuffixes(analysis: Analysis, invocation: Invocation, context: Context, from: number, all: boolean): void {
  if (!all) {
    denyHiddenRm(analysis, invocation, context, from);
    return;
  }
  if (context.inSuffix) return;
  const quiet: Context = { ...context, denyOnly: true, recordCommands: false, inSuffix: true };
  let tried = 0;
  for (let i = from; i < invocation.args.length && tried < MAX_SUFFIXES; i++) {
    const arg = invocation.args[i] as Arg;
    const name = posix.basename(arg.value).toLowerCase();
    if (!GLOB_CANDIDATES.has(name) && !(arg.glob && /[*?[]/.test(name))) continue;
    tried++;
    invoke(analysis, { ...invocation, args: invocation.args.slice(i), assignments: [] }, quiet);
  }
  denyHiddenRm(analysis, invocation, context, from);
}

/**
 * `rm` anywhere in the arguments followed (before a `--`) by recursive and force flags, found in
 * one pass from the right, so a command of any length costs linear time.
 */
function denyHiddenRm(analysis: Analysis, invocation: Invocation, context: Context, from: number): void {
  const args = invocation.args;
  let recursive = false;
  let force = false;
  for (let i = args.length - 1; i >= from; i--) {
    const value = (args[i] as Arg).value;
    if (value === '--') {
      recursive = false;
      force = false;
      continue;
    }
    const name = posix.basename(value).toLowerCase();
    if (name === 'find') {
      // `mytool find / -delete`: the find deny rule on what follows (a bounded window: linear).
      const reasons = argumentDenyReasons('find', args.slice(i + 1, Math.min(args.length, i + 1 + 64)));
      if (reasons.length > 0) {
        analysis.findings.add({ span: invocation.span, ...(reasons[0] as Reason) }, context);
        return;
      }
    }
    if (name === 'rm' && recursive && force) {
      const reasons = argumentDenyReasons('rm', args.slice(i + 1, Math.min(args.length, i + 1 + 64)));
      const reason = reasons[0] ?? { code: 'RM_RECURSIVE_FORCE' as const, rule: 'deny:rm-recursive-force', message: 'blocked: `rm` with recursive and force flags' };
      analysis.findings.add({ span: invocation.span, ...reason }, context);
      return;
    }
    const flags = argumentFlags(value);
    recursive ||= flags.recursive;
    force ||= flags.force;
  }
}

function invokeWrapped(
  analysis: Analysis,
  invocation: Invocation,
  context: Context,
  program: string,
  unwrapped: Unwrapped,
  add: Add,
  judgedAlready: boolean,
): CommandInfo[] {
  const wrapperArgs = invocation.args.slice(1);
  const depth = (context.wrappers ?? 0) + 1;
  if (depth > MAX_WRAPPERS) {
    add({ code: 'NESTING_TOO_DEEP', message: `more than ${MAX_WRAPPERS} wrappers deep; Leash does not unwrap further` });
    // Still find `rm -rf` and the like anywhere in what is left (cheap: argument rules only).
    trySuffixes(analysis, { ...invocation, args: wrapperArgs }, { ...context, inSuffix: false }, 0, false);
    return [ownInfo(analysis, program)];
  }
  context = { ...context, wrappers: depth };
  if ((unwrapped.kind === 'inner' || unwrapped.kind === 'alone') && unwrapped.uncertain) {
    add({ code: 'UNSAFE_ARGUMENTS', message: `Leash does not know every option given to \`${program}\`, so it cannot tell which command it runs` });
    trySuffixes(analysis, { ...invocation, args: wrapperArgs }, context, 0, true);
  }
  switch (unwrapped.kind) {
    case 'lookup':
      if (!judgedAlready) add({ code: 'ALLOWED_COMMAND', rule: 'allow:command-lookup', message: `\`${program} -v\` only looks a name up` });
      return [ownInfo(analysis, program)];
    case 'alone':
      if (!judgedAlready) add({ code: 'UNKNOWN_COMMAND', message: program === 'env' ? '`env` alone prints the environment, which may hold secrets' : `\`${program}\` is not on the allowlist` });
      return [ownInfo(analysis, program)];
    case 'script': {
      add({ code: 'UNSAFE_ARGUMENTS', message: `\`${unwrapped.note}\` hands a string to a shell to run` });
      const inner = within(context, `inside the string given to \`${unwrapped.note}\``);
      if (unwrapped.script.dynamic) add({ code: 'DYNAMIC_SCRIPT', message: `the script \`${unwrapped.script.word.source}\` is only fully known when it runs` });
      return [ownInfo(analysis, program), ...analysis.analyzeScript(unwrapped.script.value, inner, unwrapped.script.word.span)];
    }
    case 'inner': {
      const inner = within(context, `run by \`${program}\``);
      if (!unwrapped.allowThrough && !judgedAlready) add({ code: 'UNKNOWN_COMMAND', message: `\`${program}\` changes how the command it runs behaves; a person must judge it` });
      if (unwrapped.writes !== undefined) add({ code: 'OUTPUT_REDIRECT', message: `\`${program}\` writes its report to \`${unwrapped.writes}\`` });
      if (unwrapped.argumentsFromInput) add({ code: 'ARGUMENTS_FROM_INPUT', message: `\`${program}\` adds arguments it reads from its input, which Leash cannot see` }, inner);
      if (unwrapped.note) add({ code: 'UNSAFE_ARGUMENTS', message: `\`${unwrapped.note}\` runs the command elsewhere` });
      const assignments = unwrapped.assignments.map((value) => ({ name: value.value.slice(0, value.value.indexOf('=')), value }));
      const next: Invocation = { args: unwrapped.args, assignments, span: invocation.span, writes: invocation.writes };
      if (invocation.stdin) next.stdin = invocation.stdin;
      return [ownInfo(analysis, program), ...invoke(analysis, next, inner)];
    }
  }
}
