import { posix } from 'node:path';
import { quote } from 'shell-quote';
import { allowRuleFor, checkAllowed } from './allowlist.js';
import type { Analysis, Invocation, StdinInput } from './analysis.js';
import { isAscii } from './characters.js';
import { credentialPath } from './credentials.js';
import { denyReasons } from './denyRules.js';
import { environmentRisk } from './environment.js';
import { within, type Arg, type CommandInfo, type Context } from './model.js';
import { scanOptions, type OptionSpec } from './options.js';
import { matchingPattern } from './patterns.js';
import {
  DENIED_PROGRAM_NAMES,
  FETCHERS,
  SHELLS,
  interpreterReadsStdin,
  isInterpreter,
  shellMode,
} from './programs.js';
import type { Reason } from './types.js';
import { denyDownloadedRun, recordDownloads } from './downloads.js';
import { unwrap } from './wrappers.js';

/** Builtins whose only purpose is to change the state of the shell that runs them. */
const SHELL_STATE_BUILTINS = new Set([
  'alias', 'unalias', 'set', 'shopt', 'trap', 'enable', 'hash', 'ulimit', 'umask', 'bind', 'complete', 'export',
  'declare', 'typeset', 'local', 'readonly', 'unset', 'setopt', 'unsetopt',
]);

/** Option syntax of the privilege tools that take a command, to see the command they run. */
const PRIVILEGED_COMMAND_OPTIONS: Record<string, OptionSpec> = {
  sudo: { flags: 'AbEHiKklnPSsVv', withValue: 'ugCDhprtUT', longWithValue: ['user', 'group', 'chdir', 'prompt', 'role', 'type'] },
  doas: { flags: 'Lns', withValue: 'uC' },
  pkexec: { longWithValue: ['user'], longFlags: ['disable-internal-agent'] },
  run0: { withValue: 'ug', longWithValue: ['user', 'group', 'unit', 'property', 'description', 'slice', 'chdir', 'setenv'] },
};

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);


function globMatches(glob: string, name: string): boolean {
  const source = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return true;
  }
}

export function fetcherIn(infos: readonly CommandInfo[]): CommandInfo | undefined {
  return infos.find((info) => info.fetches);
}

/** The simple command as one line, for allow patterns: `make test`, `npm run 'a b'`. */
export function normalizedText(program: string, args: readonly Arg[]): string {
  const words = [program, ...args.map((a) => (a.dynamic ? a.word.source : a.value))];
  return words.map((w) => (/^[\w\-.,:/@%+=]+$/.test(w) ? w : quote([w]))).join(' ');
}

function ownInfo(program: string, extra: Partial<CommandInfo> = {}): CommandInfo {
  return { program, fetches: FETCHERS.has(program), runsStdin: false, interpreter: false, ...extra };
}

/**
 * Classifies one simple command: resolves its real program, unwraps wrappers, applies the deny
 * rules, looks inside scripts given as strings, then the allowlist and the user's patterns.
 * Every path adds at least one reason, so no command is silently allowed.
 */
export function invoke(analysis: Analysis, invocation: Invocation, context: Context): CommandInfo[] {
  const add = (reason: Reason, ctx: Context = context): void => analysis.findings.add({ span: invocation.span, ...reason }, ctx);
  const [nameArg, ...args] = invocation.args;
  checkAssignments(invocation, add);
  if (!nameArg) {
    add({ code: 'EMPTY_COMMAND', message: 'there is no command to run' });
    return [];
  }
  for (const arg of args) {
    const found = credentialPath(arg.value, arg.glob);
    if (found) add({ code: 'CREDENTIAL_PATH', rule: 'ask:credential-path', message: `\`${arg.word.source}\` names a credential location (${found})` });
  }

  let program = posix.basename(nameArg.value);
  if (nameArg.dynamic) {
    const fetcher = fetcherIn(nameArg.nested);
    if (fetcher) {
      add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: runs what \`${fetcher.program}\` downloads as a command` });
    }
    add({ code: 'DYNAMIC_COMMAND_NAME', message: `the command name \`${nameArg.word.source}\` is only known when it runs` });
    if (/[$`]/.test(nameArg.value)) return [ownInfo(program)];
  }
  if (nameArg.glob && /[*?[]/.test(program)) {
    const candidates = DENIED_PROGRAM_NAMES.filter((name) => globMatches(program, name));
    add({ code: 'DYNAMIC_COMMAND_NAME', message: `the command name \`${nameArg.word.source}\` is a glob pattern` });
    if (candidates.length === 0) return [ownInfo(program)];
    program = candidates[0] as string;
  }
  if (program === '') {
    add({ code: 'UNKNOWN_COMMAND', message: 'the command name is empty' });
    return [ownInfo(program)];
  }
  if (!isAscii(program)) {
    add({ code: 'NON_ASCII_COMMAND_NAME', message: `the command name \`${program}\` has characters outside ASCII and may imitate another command` });
  }

  // Case-insensitive file systems (macOS, Windows) run `RM` as `rm`, so dangerous names are
  // matched in lower case; the allowlist stays exact, so `LS` is merely unknown.
  const exact = program;
  program = program.toLowerCase();

  if (nameArg.value.includes('/')) denyDownloadedRun(analysis, undefined, nameArg.value, add);

  const unwrapped = unwrap(program, args, nameArg);
  if (unwrapped) return invokeWrapped(analysis, invocation, context, program, unwrapped, add);

  const denied = denyReasons(program, args);
  for (const reason of denied) add(reason);
  if (denied.length > 0) {
    // Look through `sudo CMD` too, so what CMD does (e.g. read a download) is explained as well.
    const elevated = PRIVILEGED_COMMAND_OPTIONS[program];
    if (!elevated) return [ownInfo(program)];
    const scanned = scanOptions(args.map((a) => a.value), { ...elevated, stopAtOperand: true });
    const command = args.slice(args.length - scanned.operands.length);
    if (command.length === 0) return [ownInfo(program)];
    const next: Invocation = { args: command, assignments: [], span: invocation.span };
    if (invocation.stdin) next.stdin = invocation.stdin;
    return invoke(analysis, next, within(context, `run by \`${program}\``));
  }

  if (SHELLS.has(program)) return invokeShell(analysis, invocation, context, program, args, add);
  if (program === 'eval') return invokeEval(analysis, context, args, add);
  if (program === 'source' || program === '.') {
    denyFetchedCode(program, args, invocation.stdin, false, add);
    denyDownloadedRun(analysis, program, args[0]?.value, add);
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs a file's commands in the current shell, which Leash cannot see` });
    return [ownInfo(program, { interpreter: true })];
  }
  if (isInterpreter(program)) {
    const readsStdin = interpreterReadsStdin(args.map((a) => a.value));
    denyFetchedCode(program, args, invocation.stdin, readsStdin, add);
    for (const arg of args) if (!arg.value.startsWith('-') && denyDownloadedRun(analysis, program, arg.value, add)) break;
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs program code that Leash does not analyse` });
    return [ownInfo(program, { interpreter: true, runsStdin: readsStdin })];
  }
  if (SHELL_STATE_BUILTINS.has(program)) {
    add({ code: 'SHELL_STATE_CHANGE', message: `\`${program}\` changes the state of the shell` });
    if (program === 'trap' && args[0] && !args[0].value.startsWith('-')) {
      analyzeString(analysis, args[0], within(context, 'inside the command given to `trap`'), add);
    }
    return [ownInfo(program)];
  }
  if (FETCHERS.has(program)) recordDownloads(analysis, program, args);
  const nested = program === 'find' ? invokeFindExec(analysis, invocation, context, args) : [];
  return [...nested, ...judgeByRules(analysis, exact, args, invocation.stdin, add)];
}

function checkAssignments(invocation: Invocation, add: (r: Reason) => void): void {
  for (const { name, value } of invocation.assignments) {
    const risk = environmentRisk(name);
    if (risk === 'presentation') continue;
    add({
      code: 'ENV_PREFIX',
      rule: 'ask:env-prefix',
      message:
        risk === 'loader'
          ? `\`${name}=…\` changes which code or configuration programs load`
          : `\`${value.word.source}\` sets an environment variable for the command; Leash does not know it to be harmless`,
    });
  }
}

function judgeByRules(analysis: Analysis, program: string, args: Arg[], stdin: StdinInput | undefined, add: (r: Reason) => void): CommandInfo[] {
  const rule = allowRuleFor(program);
  const checked = rule ? checkAllowed(rule, args) : undefined;
  if (rule && checked?.ok) {
    add({ code: 'ALLOWED_COMMAND', rule: `allow:${rule.name}`, message: `\`${program}\` ${rule.summary}` });
  } else {
    const normalized = normalizedText(program, args);
    const pattern = matchingPattern(analysis.settings.allowPatterns, normalized);
    if (pattern !== undefined) {
      add({ code: 'ALLOWED_BY_PATTERN', rule: `pattern:${pattern}`, message: `\`${normalized}\` matches your allow pattern \`${pattern}\`` });
    } else if (checked && !checked.ok) {
      const dynamic = checked.why.startsWith('its argument');
      add({ code: dynamic ? 'DYNAMIC_ARGUMENT' : 'UNSAFE_ARGUMENTS', rule: rule ? `allow:${rule.name}` : undefined, message: `\`${program}\` needs review: ${checked.why}` });
    } else {
      add({ code: 'UNKNOWN_COMMAND', message: `\`${program}\` is not on the allowlist` });
    }
  }
  const output = program === 'cat' && args.length === 0 ? stdin?.text : staticOutputOf(program, args);
  return [ownInfo(program, output === undefined ? {} : { staticOutput: output })];
}

/** What `echo` / `printf` print, when it is fully static (for `echo 'rm -rf /' | sh`). */
function staticOutputOf(program: string, args: Arg[]): string | undefined {
  if (args.some((a) => a.dynamic)) return undefined;
  if (program === 'echo') return args.filter((a, i) => !(i === 0 && /^-[neE]+$/.test(a.value))).map((a) => a.value).join(' ');
  if (program === 'printf' && args.length === 1) return args[0]?.value.replace(/\\n/g, '\n');
  return undefined;
}

function invokeWrapped(
  analysis: Analysis,
  invocation: Invocation,
  context: Context,
  program: string,
  unwrapped: NonNullable<ReturnType<typeof unwrap>>,
  add: (r: Reason, ctx?: Context) => void,
): CommandInfo[] {
  switch (unwrapped.kind) {
    case 'lookup':
      add({ code: 'ALLOWED_COMMAND', rule: 'allow:command-lookup', message: `\`${program} -v\` only looks a name up` });
      return [ownInfo(program)];
    case 'alone':
      add({ code: 'UNKNOWN_COMMAND', message: program === 'env' ? '`env` alone prints the environment, which may hold secrets' : `\`${program}\` is not on the allowlist` });
      return [ownInfo(program)];
    case 'script': {
      add({ code: 'UNSAFE_ARGUMENTS', message: `\`${unwrapped.note ?? program}\` hands a string to be split or run as a command` });
      return analyzeString(analysis, unwrapped.script, within(context, `inside the string given to \`${unwrapped.note ?? program}\``), add);
    }
    case 'inner': {
      const inner = within(context, `run by \`${program}\``);
      if (unwrapped.writes !== undefined) add({ code: 'OUTPUT_REDIRECT', message: `\`${program}\` writes its report to \`${unwrapped.writes}\`` });
      if (unwrapped.argumentsFromInput) {
        add({ code: 'ARGUMENTS_FROM_INPUT', message: `\`${program}\` adds arguments it reads from its input, which Leash cannot see` }, inner);
      }
      const assignments = unwrapped.assignments.map((value) => ({ name: value.value.slice(0, value.value.indexOf('=')), value }));
      const next: Invocation = { args: unwrapped.args, assignments, span: invocation.span };
      if (invocation.stdin) next.stdin = invocation.stdin;
      return invoke(analysis, next, inner);
    }
  }
}

/** A fetcher's output reaching a shell or interpreter as its program is always denied. */
function denyFetchedCode(
  program: string,
  args: readonly Arg[],
  stdin: StdinInput | undefined,
  readsStdin: boolean,
  add: (r: Reason) => void,
): boolean {
  const fromArgs = fetcherIn(args.flatMap((a) => a.nested));
  const fromStdin = readsStdin && stdin ? fetcherIn(stdin.producers) : undefined;
  const fetcher = fromArgs ?? fromStdin;
  if (!fetcher) return false;
  add({
    code: 'REMOTE_CODE_EXECUTION',
    rule: 'deny:remote-code',
    message: `blocked: what \`${fetcher.program}\` downloads is run by \`${program}\``,
  });
  return true;
}

function analyzeString(analysis: Analysis, arg: Arg, context: Context, add: (r: Reason) => void): CommandInfo[] {
  if (arg.dynamic) add({ code: 'DYNAMIC_SCRIPT', message: `the script \`${arg.word.source}\` is only fully known when it runs` });
  return analysis.analyzeScript(arg.value, context, arg.word.span);
}

function invokeShell(
  analysis: Analysis,
  invocation: Invocation,
  context: Context,
  program: string,
  args: Arg[],
  add: (r: Reason) => void,
): CommandInfo[] {
  const mode = shellMode(args.map((a) => a.value));
  const info = ownInfo(program, { interpreter: true, runsStdin: mode.kind === 'stdin' });
  denyFetchedCode(program, args, invocation.stdin, mode.kind === 'stdin', add);
  if (mode.kind === 'command') {
    const script = args[mode.scriptIndex];
    if (!script) {
      add({ code: 'PARSE_ERROR', message: `\`${program} -c\` is missing its script` });
      return [info];
    }
    return [info, ...analyzeString(analysis, script, within(context, `inside the script given to \`${program} -c\``), add)];
  }
  if (mode.kind === 'file') {
    const file = args[mode.fileIndex] as Arg;
    denyDownloadedRun(analysis, program, file.value, add);
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs the script \`${file.word.source}\`, whose contents Leash cannot see` });
    return [info];
  }
  const stdin = invocation.stdin;
  if (stdin?.text !== undefined) {
    const inner = within(context, `inside the ${stdin.label} fed to \`${program}\``);
    return [info, ...analysis.analyzeScript(stdin.text, inner, invocation.span)];
  }
  add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs commands it reads from its input, which Leash cannot see in advance` });
  return [info];
}

function invokeEval(analysis: Analysis, context: Context, args: Arg[], add: (r: Reason) => void): CommandInfo[] {
  denyFetchedCode('eval', args, undefined, false, add);
  const first = args[0];
  if (!first) {
    add({ code: 'ALLOWED_COMMAND', rule: 'allow:eval-empty', message: '`eval` with nothing to run does nothing' });
    return [ownInfo('eval')];
  }
  const joined: Arg = {
    ...first,
    value: args.map((a) => a.value).join(' '),
    dynamic: args.some((a) => a.dynamic),
    nested: args.flatMap((a) => a.nested),
  };
  return [ownInfo('eval', { interpreter: true }), ...analyzeString(analysis, joined, within(context, 'inside the text given to `eval`'), add)];
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
      infos.push(...invoke(analysis, { args: command, assignments: [], span: invocation.span }, within(context, `run by \`find ${action}\``)));
    }
    if (end === -1) break;
    i = end;
  }
  return infos;
}
