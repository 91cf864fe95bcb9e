import type { Arg } from './model.js';
import { scanOptions, type OptionSpec } from './options.js';

/**
 * Programs that run another program given as their arguments. Each is unwrapped to the command
 * it runs, so `env X=1 nice -n 5 timeout 10 rm -rf /` is judged as `rm -rf /`.
 */
export type Unwrapped =
  | { kind: 'inner'; args: Arg[]; assignments: Arg[]; note?: string; argumentsFromInput?: boolean; writes?: string }
  /** The wrapper hands a string to a shell (`watch 'cmd'`) or splits one into words (`env -S`). */
  | { kind: 'script'; script: Arg; note?: string }
  /** The wrapper only looks a name up (`command -v rm`). */
  | { kind: 'lookup' }
  /** The wrapper runs nothing (e.g. `env` alone prints the environment). */
  | { kind: 'alone' };

interface WrapperSpec {
  options: OptionSpec;
  /** Operands to skip after the options before the command starts (e.g. timeout's DURATION). */
  skipOperands?: number;
}

const SPECS: Record<string, WrapperSpec> = {
  nohup: { options: { longFlags: ['help', 'version'] } },
  nice: { options: { withValue: 'n', longWithValue: ['adjustment'] } },
  timeout: {
    options: { flags: 'v', withValue: 'sk', longFlags: ['preserve-status', 'foreground', 'verbose'], longWithValue: ['signal', 'kill-after'] },
    skipOperands: 1,
  },
  stdbuf: { options: { withValue: 'ioe', longWithValue: ['input', 'output', 'error'] } },
  setsid: { options: { flags: 'cfw', longFlags: ['ctty', 'fork', 'wait'] } },
  ionice: { options: { flags: 't', withValue: 'cnp', longFlags: ['ignore'], longWithValue: ['class', 'classdata', 'pid'] } },
  builtin: { options: {} },
  exec: { options: { flags: 'cl', withValue: 'a' } },
  unbuffer: { options: { flags: 'p' } },
  busybox: { options: {} },
  toybox: { options: {} },
  time: { options: { flags: 'pavq', withValue: 'of', longFlags: ['portability', 'append', 'verbose', 'quiet'], longWithValue: ['output', 'format'] } },
};

/** Splits leading options (POSIX style: options end at the first operand). */
function afterOptions(args: Arg[], spec: OptionSpec): { scanned: ReturnType<typeof scanOptions>; rest: Arg[] } {
  const values = args.map((a) => a.value);
  const scanned = scanOptions(values, { ...spec, stopAtOperand: true });
  const firstOperand = values.length - scanned.operands.length;
  return { scanned, rest: args.slice(firstOperand) };
}

/** One argument standing for several joined with spaces, as `watch` and `env -S` see them. */
function joinArgs(args: Arg[], values: string[]): Arg {
  const first = args[0] as Arg;
  return {
    ...first,
    value: values.join(' '),
    dynamic: args.some((a) => a.dynamic),
    nested: args.flatMap((a) => a.nested),
  };
}

function inner(args: Arg[], extra: Partial<Extract<Unwrapped, { kind: 'inner' }>> = {}): Unwrapped {
  return args.length === 0 ? { kind: 'alone' } : { kind: 'inner', args, assignments: [], ...extra };
}

function unwrapEnv(args: Arg[]): Unwrapped {
  const { scanned, rest } = afterOptions(args, {
    flags: 'i0v',
    withValue: 'uCS',
    longFlags: ['ignore-environment', 'null', 'debug', 'list-signal-handling'],
    longWithValue: ['unset', 'chdir', 'split-string', 'block-signal', 'default-signal', 'ignore-signal'],
  });
  const split = scanned.options.find((o) => o.name === '-S' || o.name === '--split-string');
  if (split) {
    return { kind: 'script', script: joinArgs(args, [split.value ?? '', ...rest.map((a) => a.value)]), note: 'env -S' };
  }
  const assignments: Arg[] = [];
  let index = 0;
  while (index < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test((rest[index] as Arg).value)) {
    assignments.push(rest[index] as Arg);
    index++;
  }
  const command = rest.slice(index);
  const note = scanned.options.some((o) => o.name === '-C' || o.name === '--chdir') ? 'env --chdir' : undefined;
  return command.length === 0 ? { kind: 'alone' } : { kind: 'inner', args: command, assignments, ...(note ? { note } : {}) };
}

function unwrapXargs(args: Arg[], xargsWord: Arg): Unwrapped {
  const { rest } = afterOptions(args, {
    flags: '0oprtx',
    withValue: 'adEILnPsei',
    longFlags: ['null', 'open-tty', 'interactive', 'no-run-if-empty', 'verbose', 'exit', 'show-limits'],
    longWithValue: ['arg-file', 'delimiter', 'max-lines', 'max-args', 'max-procs', 'max-chars', 'process-slot-var', 'eof', 'replace'],
  });
  const command = rest.length > 0 ? rest : [{ ...xargsWord, value: 'echo' }];
  return { kind: 'inner', args: command, assignments: [], argumentsFromInput: true };
}

function unwrapWatch(args: Arg[]): Unwrapped {
  const { scanned, rest } = afterOptions(args, {
    flags: 'btegcxpwrf',
    withValue: 'nqd',
    longFlags: ['beep', 'no-title', 'errexit', 'chgexit', 'color', 'no-color', 'exec', 'precise', 'no-wrap', 'no-rerun', 'follow'],
    longWithValue: ['interval', 'equexit', 'differences'],
  });
  if (rest.length === 0) return { kind: 'alone' };
  if (scanned.options.some((o) => o.name === '-x' || o.name === '--exec')) return inner(rest);
  return { kind: 'script', script: joinArgs(rest, rest.map((a) => a.value)), note: 'watch' };
}

/** Unwraps one layer; undefined when the program is not a wrapper. */
export function unwrap(program: string, args: Arg[], self: Arg): Unwrapped | undefined {
  switch (program) {
    case 'env':
      return unwrapEnv(args);
    case 'xargs':
      return unwrapXargs(args, self);
    case 'watch':
      return unwrapWatch(args);
    case 'command': {
      const { scanned, rest } = afterOptions(args, { flags: 'pvV' });
      if (scanned.options.some((o) => o.name === '-v' || o.name === '-V')) return { kind: 'lookup' };
      return inner(rest);
    }
    default: {
      const spec = SPECS[program];
      if (!spec) return undefined;
      const { scanned, rest } = afterOptions(args, spec.options);
      const command = rest.slice(spec.skipOperands ?? 0);
      const output = scanned.options.find((o) => program === 'time' && (o.name === '-o' || o.name === '--output'));
      return inner(command, output?.value ? { writes: output.value } : {});
    }
  }
}
