import type { Analysis, Invocation, StdinInput } from './analysis.js';
import { denyDownloadedRun } from './downloads.js';
import { fetcherIn, ownInfo, type Add } from './invocation.js';
import { within, type Arg, type CommandInfo, type Context } from './model.js';
import { isVersionProbe } from './allowVersion.js';
import { SHELLS, STDIN_PATHS, interpreterReadsStdin, isInterpreter, shellMode } from './programs.js';

/**
 * Shells, interpreters and the builtins that run code or change the shell: what they run is
 * judged where Leash can see it (`sh -c '…'`, `eval`, a here-document fed to a shell), and asked
 * for where it cannot (a script file, stdin, `source`). Returns undefined for other programs.
 */

/** Builtins whose purpose is to change the state of the shell that runs them. */
const SHELL_STATE_BUILTINS = new Set([
  'alias', 'unalias', 'set', 'shopt', 'trap', 'enable', 'hash', 'ulimit', 'umask', 'bind', 'complete', 'compgen', 'compopt',
  'export', 'declare', 'typeset', 'local', 'readonly', 'unset', 'setopt', 'unsetopt', 'cd', 'pushd', 'popd', 'read', 'let',
  'getopts', 'shift', 'fc', 'history', 'wait', 'disown', 'suspend', 'logout', 'exit', 'return', 'break', 'continue', 'caller',
]);

/** Builtins that can run a command string they are given (`trap CMD SIG`, `complete -C CMD`, `bind -x`). */
const COMMAND_STRING_BUILTINS = new Set(['trap', 'complete', 'compgen', 'bind', 'fc']);

/** Builtins that evaluate array subscripts in words they are given (`printf -v 'a[$(cmd)]'`). */
const SUBSCRIPT_BUILTINS = new Set(['test', '[', 'printf', 'let', 'declare', 'typeset', 'local', 'export', 'readonly', 'read', 'unset', 'mapfile', 'readarray', 'getopts', 'wait', '[[']);

/**
 * A quoted `a[$(cmd)]` given to such a builtin runs `cmd` when bash evaluates the subscript:
 * judge each substitution in it as the script it is.
 */
export function judgeSubscriptText(analysis: Analysis, program: string, args: readonly Arg[], context: Context): void {
  if (!SUBSCRIPT_BUILTINS.has(program)) return;
  for (const arg of args) {
    if (!arg.value.includes('[')) continue;
    for (const match of arg.value.matchAll(/\$\(([^()]*)\)|`([^`]*)`/g)) {
      analysis.analyzeScript(match[1] ?? match[2] ?? '', within(context, `inside the array subscript \`${arg.word.source}\``), arg.word.span);
    }
  }
}

export function invokeBuiltin(analysis: Analysis, invocation: Invocation, context: Context, program: string, add: Add): CommandInfo[] | undefined {
  const [, ...args] = invocation.args;
  judgeSubscriptText(analysis, program, args, context);
  if (SHELLS.has(program)) return invokeShell(analysis, invocation, context, program, args, add);
  if (program === 'eval') return invokeEval(analysis, context, args, add);
  if (program === 'source' || program === '.') {
    const file = args[0];
    const readsStdin = file !== undefined && STDIN_PATHS.has(file.value);
    denyFetchedCode(program, args, invocation.stdin, readsStdin, add);
    denyDownloadedRun(analysis, program, file?.value, add);
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs a file's commands in the current shell, which Leash cannot see` });
    return [ownInfo(analysis, program, { interpreter: true, runsStdin: readsStdin })];
  }
  // `node --version` runs no program code: the version rule judges it.
  if (isInterpreter(program) && !isVersionProbe(program, args)) {
    const readsStdin = interpreterReadsStdin(args.map((a) => a.value));
    denyFetchedCode(program, args, invocation.stdin, readsStdin, add);
    for (const arg of args) if (!arg.value.startsWith('-') && denyDownloadedRun(analysis, program, arg.value, add)) break;
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs program code that Leash does not analyse` });
    return [ownInfo(analysis, program, { interpreter: true, runsStdin: readsStdin })];
  }
  if (SHELL_STATE_BUILTINS.has(program)) {
    add({ code: 'SHELL_STATE_CHANGE', message: `\`${program}\` changes the state of the shell` });
    if (COMMAND_STRING_BUILTINS.has(program)) {
      // Any of its words may be run later as a command: judge each as a script (deny rules apply).
      for (const arg of args) {
        if (arg.value.startsWith('-') || arg.value === '') continue;
        analysis.analyzeScript(arg.value, { ...within(context, `inside the command given to \`${program}\``), denyOnly: program !== 'trap' }, arg.word.span);
      }
    }
    return [ownInfo(analysis, program)];
  }
  if (analysis.functions.has(program)) {
    add({ code: 'UNKNOWN_COMMAND', message: `\`${program}\` calls the shell function defined earlier` });
    return [ownInfo(analysis, program)];
  }
  return undefined;
}

/** A fetcher's output reaching a shell or interpreter as its program is always denied. */
export function denyFetchedCode(program: string, args: readonly Arg[], stdin: StdinInput | undefined, readsStdin: boolean, add: Add): boolean {
  const fromArgs = fetcherIn(args.flatMap((a) => a.nested));
  const fromStdin = readsStdin && stdin ? fetcherIn(stdin.producers) : undefined;
  const fetcher = fromArgs ?? fromStdin;
  if (!fetcher) return false;
  add({ code: 'REMOTE_CODE_EXECUTION', rule: 'deny:remote-code', message: `blocked: what \`${fetcher.program}\` downloads is run by \`${program}\`` });
  return true;
}

function analyzeString(analysis: Analysis, arg: Arg, context: Context, add: Add): CommandInfo[] {
  if (arg.dynamic) add({ code: 'DYNAMIC_SCRIPT', message: `the script \`${arg.word.source}\` is only fully known when it runs` });
  return analysis.analyzeScript(arg.value, context, arg.word.span);
}

function invokeShell(analysis: Analysis, invocation: Invocation, context: Context, program: string, args: Arg[], add: Add): CommandInfo[] {
  const mode = shellMode(args.map((a) => a.value));
  const info = ownInfo(analysis, program, { interpreter: true, runsStdin: mode.kind === 'stdin' });
  denyFetchedCode(program, args, invocation.stdin, mode.kind === 'stdin', add);
  if (mode.kind === 'command') {
    const script = args[mode.scriptIndex];
    if (!script) {
      add({ code: 'PARSE_ERROR', message: `\`${program} -c\` is missing its script` });
      return [info];
    }
    add({ code: 'OPAQUE_CODE', message: `\`${program} -c\` starts another shell` });
    return [info, ...analyzeString(analysis, script, within(context, `inside the script given to \`${program} -c\``), add)];
  }
  if (mode.kind === 'file') {
    const file = args[mode.fileIndex] as Arg;
    denyDownloadedRun(analysis, program, file.value, add);
    add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs the script \`${file.word.source}\`, whose contents Leash cannot see` });
    return [info];
  }
  const stdin = invocation.stdin;
  add({ code: 'OPAQUE_CODE', message: `\`${program}\` runs commands it reads from its input` });
  if (stdin?.text !== undefined) {
    const inner = within(context, `inside the ${stdin.label} fed to \`${program}\``);
    return [info, ...analysis.analyzeScript(stdin.text, inner, invocation.span)];
  }
  return [info];
}

/**
 * `eval` skips one leading `--`. After words that may expand to nothing (`eval $x -- cmd`), the
 * `--` may or may not lead: both readings are judged.
 */
function evalReadings(args: Arg[]): Arg[][] {
  if (args[0]?.value === '--' && !args[0].dynamic) return [args.slice(1)];
  const dash = args.findIndex((a) => a.value === '--' && !a.dynamic);
  if (dash > 0 && args.slice(0, dash).every((a) => a.dynamic)) return [args, [...args.slice(0, dash), ...args.slice(dash + 1)]];
  return [args];
}

function invokeEval(analysis: Analysis, context: Context, allArgs: Arg[], add: Add): CommandInfo[] {
  denyFetchedCode('eval', allArgs, undefined, false, add);
  const [args, ...others] = evalReadings(allArgs) as [Arg[], ...Arg[][]];
  const alternatives = others.flatMap((other) => (other.length === 0 ? [] : analyzeEvalText(analysis, context, other, add)));
  const first = args[0];
  if (!first) {
    add({ code: 'ALLOWED_COMMAND', rule: 'allow:eval-empty', message: '`eval` with nothing to run does nothing' });
    return [ownInfo(analysis, 'eval')];
  }
  add({ code: 'OPAQUE_CODE', message: '`eval` runs text as commands' });
  return [ownInfo(analysis, 'eval', { interpreter: true }), ...analyzeEvalText(analysis, context, args, add), ...alternatives];
}

function analyzeEvalText(analysis: Analysis, context: Context, args: Arg[], add: Add): CommandInfo[] {
  const first = args[0] as Arg;
  const joined: Arg = { ...first, value: args.map((a) => a.value).join(' '), dynamic: args.some((a) => a.dynamic), nested: args.flatMap((a) => a.nested) };
  return analyzeString(analysis, joined, within(context, 'inside the text given to `eval`'), add);
}
