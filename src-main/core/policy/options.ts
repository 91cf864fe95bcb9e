/**
 * Option scanning the way getopt_long reads an argument vector, shared by the allow rules, the
 * deny rules and the wrappers: clustered short flags (`-la`), attached and separate values
 * (`-n5`, `-n 5`), optional values (only attached: `-d3`, `--color=auto`), `--name=value`,
 * unique prefixes of long options (`--rec`), `--` and, unless told otherwise, permutation
 * (GNU tools accept options after operands).
 */

/** `flag` takes no value, `value` requires one, `optional` takes one only when attached. */
export type Arity = 'flag' | 'value' | 'optional';

export interface OptionSpec {
  /** Short options: letter to arity, e.g. `{ r: 'flag', n: 'value' }`. Strings are shorthands. */
  short?: Readonly<Record<string, Arity>>;
  /** Long option names (without `--`) to arity. */
  long?: Readonly<Record<string, Arity>>;
  /** Stop at the first operand (POSIX, and every tool that takes a command) instead of permuting. */
  stopAtOperand?: boolean;
  /** `-5` style numeric options (`head -5`, `git log -3`). */
  numeric?: boolean;
}

export interface ScannedOption {
  /** `-x` for short options, `--full-name` for long ones (prefixes resolved). */
  name: string;
  value?: string;
  /** Index of the argument the option was read from. */
  index: number;
  /** The value is the next argument (`-n 5`), not attached (`-n5`, `--lines=5`). */
  separate?: boolean;
}

export interface ScannedOptions {
  options: ScannedOption[];
  operands: string[];
  /** Indexes of the operands in the input. */
  operandIndexes: number[];
  /** Options not in the spec, ambiguous prefixes, missing or unexpected values: as written. */
  unknown: string[];
  /** Index in the input where the first operand stands (with stopAtOperand), else the input length. */
  end: number;
}

/** Builds a short-option table from letters: `shortOptions('la', 'nw', 'd')`. */
export function shortOptions(flags: string, withValue = '', optional = ''): Record<string, Arity> {
  const table: Record<string, Arity> = {};
  for (const letter of flags) table[letter] = 'flag';
  for (const letter of withValue) table[letter] = 'value';
  for (const letter of optional) table[letter] = 'optional';
  return table;
}

/** Builds a long-option table: `longOptions(['all'], ['width'], ['color'])`. */
export function longOptions(flags: readonly string[], withValue: readonly string[] = [], optional: readonly string[] = []): Record<string, Arity> {
  const table: Record<string, Arity> = {};
  for (const name of flags) table[name] = 'flag';
  for (const name of withValue) table[name] = 'value';
  for (const name of optional) table[name] = 'optional';
  return table;
}

/**
 * Resolves `--rec` to `recursive` as getopt_long does: an exact match, else the one name the
 * prefix starts. Several candidates are ambiguous (undefined) unless all are spelled the same.
 */
export function resolveLongOption(written: string, names: readonly string[]): string | undefined {
  if (names.includes(written)) return written;
  if (written === '') return undefined;
  const candidates = names.filter((n) => n.startsWith(written));
  return candidates.length === 1 ? candidates[0] : undefined;
}

export function scanOptions(args: readonly string[], spec: OptionSpec): ScannedOptions {
  const short = spec.short ?? {};
  const long = spec.long ?? {};
  const longNames = Object.keys(long);
  const result: ScannedOptions = { options: [], operands: [], operandIndexes: [], unknown: [], end: args.length };
  const operandsFrom = (start: number): void => {
    for (let k = start; k < args.length; k++) {
      result.operands.push(args[k] as string);
      result.operandIndexes.push(k);
    }
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      if (spec.stopAtOperand) result.end = i + 1;
      operandsFrom(i + 1);
      return result;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const written = arg.slice(2, eq === -1 ? undefined : eq);
      const name = resolveLongOption(written, longNames);
      const arity = name === undefined ? undefined : long[name];
      if (name === undefined || arity === undefined || (arity === 'flag' && eq !== -1)) {
        result.unknown.push(arg);
        continue;
      }
      if (arity === 'value' && eq === -1) {
        if (i + 1 >= args.length) result.unknown.push(arg);
        result.options.push({ name: `--${name}`, value: args[i + 1], index: i, separate: true });
        i++;
      } else if (eq !== -1) {
        result.options.push({ name: `--${name}`, value: arg.slice(eq + 1), index: i });
      } else {
        result.options.push({ name: `--${name}`, index: i });
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      if (spec.numeric && /^-\d+$/.test(arg)) {
        result.options.push({ name: '-NUM', value: arg.slice(1), index: i });
        continue;
      }
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k] as string;
        const arity = Object.hasOwn(short, letter) ? short[letter] : undefined;
        if (arity === undefined) {
          result.unknown.push(`-${letter}`);
          continue;
        }
        if (arity === 'flag') {
          result.options.push({ name: `-${letter}`, index: i });
          continue;
        }
        const attached = arg.slice(k + 1);
        if (attached !== '') result.options.push({ name: `-${letter}`, value: attached, index: i });
        else if (arity === 'optional') result.options.push({ name: `-${letter}`, index: i });
        else {
          if (i + 1 >= args.length) result.unknown.push(`-${letter}`);
          result.options.push({ name: `-${letter}`, value: args[i + 1], index: i, separate: true });
          i++;
        }
        break;
      }
      continue;
    }
    if (spec.stopAtOperand) {
      result.end = i;
      operandsFrom(i);
      return result;
    }
    result.operands.push(arg);
    result.operandIndexes.push(i);
  }
  return result;
}

/** Whether any scanned option has one of the names (`-r`, `--recursive`, …). */
export function hasOption(scanned: ScannedOptions, ...names: string[]): boolean {
  return scanned.options.some((o) => names.includes(o.name));
}

export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
