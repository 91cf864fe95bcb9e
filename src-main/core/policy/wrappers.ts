import type { Arg } from './model.js';
import { hasOption, longOptions, scanOptions, shortOptions, type OptionSpec, type ScannedOptions } from './options.js';
import { SETARCH_ALIASES, SETARCH_FLAGS, WRAPPERS, type WrapperSpec } from './wrapperSpecs.js';

/**
 * Programs and builtins that run another program given as their arguments. Each is unwrapped to
 * the command it runs, so `env X=1 nice -n 5 timeout 10 rm -rf /` is judged as `rm -rf /`. When
 * a wrapper's options are not fully understood, `uncertain` tells the caller to try the deny
 * rules on every suffix of the arguments as well.
 */
export type Unwrapped =
  | {
      kind: 'inner';
      args: Arg[];
      assignments: Arg[];
      note?: string;
      argumentsFromInput?: boolean;
      writes?: string;
      /** The wrapper changes nothing that matters: the inner command's verdict is the verdict. */
      allowThrough?: boolean;
      /** Options were not all understood: the command may start elsewhere. */
      uncertain?: boolean;
      /** Where, in the wrapper's arguments, to start trying suffixes. */
      suffixesFrom?: number;
    }
  /** The wrapper hands a string to a shell (`watch 'cmd'`, `flock -c CMD`) or splits one (`env -S`). */
  | { kind: 'script'; script: Arg; note: string }
  /** The wrapper only looks a name up (`command -v rm`). */
  | { kind: 'lookup' }
  /** The wrapper runs nothing (e.g. `env` alone prints the environment, `strace -p PID`). */
  | { kind: 'alone'; uncertain?: boolean };

const ENV_OPTIONS: OptionSpec = {
  short: shortOptions('i0v', 'uCS'),
  long: longOptions(
    ['ignore-environment', 'null', 'debug', 'list-signal-handling', 'help', 'version'],
    ['unset', 'chdir', 'split-string'],
    ['block-signal', 'default-signal', 'ignore-signal'],
  ),
  stopAtOperand: true,
};

const XARGS_OPTIONS: OptionSpec = {
  short: shortOptions('0oprtx', 'adEILnPs', 'eil'),
  long: longOptions(
    ['null', 'open-tty', 'interactive', 'no-run-if-empty', 'verbose', 'exit', 'show-limits', 'help', 'version'],
    ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
    ['eof', 'replace', 'max-lines'],
  ),
  stopAtOperand: true,
};

const WATCH_OPTIONS: OptionSpec = {
  short: shortOptions('bceghprtwxC', 'nq', 'd'),
  long: longOptions(
    ['beep', 'color', 'no-color', 'errexit', 'chgexit', 'exec', 'precise', 'no-title', 'no-wrap', 'no-rerun', 'follow', 'help', 'version'],
    ['interval', 'equexit'],
    ['differences'],
  ),
  stopAtOperand: true,
};

const MAPFILE_OPTIONS: OptionSpec = { short: shortOptions('t', 'dnOsuCc'), stopAtOperand: true };

/** One argument standing for several joined with spaces, as `watch` and `env -S` see them. */
export function joinArgs(args: Arg[], values: string[]): Arg {
  const first = args[0] as Arg;
  return { ...first, value: values.join(' '), dynamic: args.some((a) => a.dynamic), nested: args.flatMap((a) => a.nested) };
}

function scan(args: Arg[], spec: OptionSpec): { scanned: ScannedOptions; rest: Arg[] } {
  const scanned = scanOptions(args.map((a) => a.value), { ...spec, stopAtOperand: true });
  return { scanned, rest: args.slice(scanned.end) };
}

function optionArg(args: Arg[], scanned: ScannedOptions, names: readonly string[]): Arg | undefined {
  const option = scanned.options.find((o) => names.includes(o.name) && o.value !== undefined);
  if (!option) return undefined;
  const source = args[option.index] as Arg;
  const holder = option.separate ? (args[option.index + 1] ?? source) : source;
  return { ...holder, value: option.value as string };
}

function fromSpec(program: string, args: Arg[], spec: WrapperSpec): Unwrapped {
  const { scanned, rest } = scan(args, spec.options);
  const uncertain = scanned.unknown.length > 0 || spec.uncertain === true;
  const script = spec.scriptOptions ? optionArg(args, scanned, spec.scriptOptions) : undefined;
  if (script) return { kind: 'script', script, note: `${program} ${scanned.options.find((o) => spec.scriptOptions?.includes(o.name))?.name}` };
  if (spec.noCommandOptions && hasOption(scanned, ...spec.noCommandOptions)) return { kind: 'alone', uncertain };
  const command = rest.slice(spec.skipOperands ?? 0);
  const writes = spec.writeOptions ? optionArg(args, scanned, spec.writeOptions)?.value : undefined;
  if (command.length === 0) return { kind: 'alone', uncertain };
  return {
    kind: 'inner',
    args: command,
    assignments: [],
    ...(writes !== undefined ? { writes } : {}),
    ...(spec.allowThrough && !uncertain ? { allowThrough: true } : {}),
    ...(uncertain ? { uncertain: true, suffixesFrom: 0 } : {}),
  };
}

function unwrapEnv(args: Arg[]): Unwrapped {
  // `env -` is `env -i`.
  const { scanned, rest } = scan(args.map((a) => (a.value === '-' ? { ...a, value: '-i' } : a)), ENV_OPTIONS);
  const uncertain = scanned.unknown.length > 0;
  const split = optionArg(args, scanned, ['-S', '--split-string']);
  if (split) return { kind: 'script', script: joinArgs([split, ...rest], [split.value, ...rest.map((a) => a.value)]), note: 'env -S' };
  let index = 0;
  while (index < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test((rest[index] as Arg).value)) index++;
  const command = rest.slice(index);
  if (command.length === 0) return { kind: 'alone', uncertain };
  const note = hasOption(scanned, '-C', '--chdir') ? 'env --chdir' : undefined;
  return { kind: 'inner', args: command, assignments: rest.slice(0, index), ...(note ? { note } : {}), ...(uncertain ? { uncertain, suffixesFrom: 0 } : {}) };
}

function unwrapSetarch(program: string, args: Arg[]): Unwrapped {
  const afterArch = program === 'setarch' ? args.slice(1) : args;
  if (program === 'setarch' && args.length === 0) return { kind: 'alone' };
  const { scanned, rest } = scan(afterArch, SETARCH_FLAGS);
  const uncertain = scanned.unknown.length > 0;
  if (rest.length === 0) return { kind: 'alone', uncertain };
  return { kind: 'inner', args: rest, assignments: [], ...(uncertain ? { uncertain, suffixesFrom: 0 } : {}) };
}

/** Unwraps one layer; undefined when the program is not a wrapper. */
export function unwrap(program: string, args: Arg[], self: Arg): Unwrapped | undefined {
  switch (program) {
    case 'env':
      return unwrapEnv(args);
    case 'xargs': {
      const { scanned, rest } = scan(args, XARGS_OPTIONS);
      const command = rest.length > 0 ? rest : [{ ...self, value: 'echo' }];
      return { kind: 'inner', args: command, assignments: [], argumentsFromInput: true, ...(scanned.unknown.length > 0 ? { uncertain: true, suffixesFrom: 0 } : {}) };
    }
    case 'watch': {
      const { scanned, rest } = scan(args, WATCH_OPTIONS);
      if (rest.length === 0) return { kind: 'alone', uncertain: scanned.unknown.length > 0 };
      if (hasOption(scanned, '-x', '--exec')) return { kind: 'inner', args: rest, assignments: [] };
      return { kind: 'script', script: joinArgs(rest, rest.map((a) => a.value)), note: 'watch' };
    }
    case 'sg': {
      // `sg GROUP -c CMD` or `sg GROUP CMD…`: the command is handed to /bin/sh as one string.
      const [, second, ...rest] = args;
      if (!second) return { kind: 'alone' };
      const words = second.value === '-c' ? rest : [second, ...rest];
      if (words.length === 0) return { kind: 'alone' };
      return { kind: 'script', script: joinArgs(words, words.map((a) => a.value)), note: 'sg' };
    }
    case 'jobs':
      if (args[0]?.value !== '-x') return undefined;
      return args.length > 1 ? { kind: 'inner', args: args.slice(1), assignments: [] } : { kind: 'alone' };
    case 'mapfile':
    case 'readarray': {
      const { scanned } = scan(args, MAPFILE_OPTIONS);
      const callback = optionArg(args, scanned, ['-C']);
      // bash runs the callback as `CALLBACK INDEX LINE` for each chunk of lines read.
      return callback ? { kind: 'script', script: { ...callback, value: `${callback.value} 0 line` }, note: `${program} -C` } : undefined;
    }
    case 'command': {
      const { scanned, rest } = scan(args, { short: shortOptions('pvV') });
      if (hasOption(scanned, '-v', '-V')) return { kind: 'lookup' };
      return rest.length === 0 ? { kind: 'alone' } : { kind: 'inner', args: rest, assignments: [], allowThrough: scanned.unknown.length === 0 };
    }
    default: {
      if (program === 'setarch' || SETARCH_ALIASES.has(program)) return unwrapSetarch(program, args);
      const spec = Object.hasOwn(WRAPPERS, program) ? WRAPPERS[program] : undefined;
      return spec ? fromSpec(program, args, spec) : undefined;
    }
  }
}
