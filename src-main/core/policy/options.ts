/**
 * getopt-style option scanning, shared by the rules. GNU tools permute (options may follow
 * operands) and accept any unambiguous prefix of a long option, so the rules must too.
 */

export interface OptionSpec {
  /** Short options that take no value, e.g. `rf`. */
  flags?: string;
  /** Short options that take a value (attached `-n5` or separate `-n 5`). */
  withValue?: string;
  /** Long option names (without `--`) that take no value. */
  longFlags?: readonly string[];
  /** Long option names that take a value (`--name=v` or `--name v`). */
  longWithValue?: readonly string[];
  /** Stop at the first operand (POSIX) instead of permuting (GNU). */
  stopAtOperand?: boolean;
}

export interface ScannedOptions {
  /** Every option seen, short as `-x`, long resolved to its full `--name`. */
  options: { name: string; value?: string }[];
  operands: string[];
  /** Options not in the spec (or ambiguous prefixes), as written. */
  unknown: string[];
  /** Index in the input where scanning stopped (with stopAtOperand), else the input length. */
  end: number;
}

/** Resolves `--rec` to `recursive` the way getopt_long does: exact match or unique prefix. */
export function resolveLongOption(written: string, names: readonly string[]): string | undefined {
  if (names.includes(written)) return written;
  const candidates = names.filter((n) => n.startsWith(written));
  return candidates.length === 1 ? candidates[0] : undefined;
}

export function scanOptions(args: readonly string[], spec: OptionSpec): ScannedOptions {
  const flags = spec.flags ?? '';
  const withValue = spec.withValue ?? '';
  const longFlags = spec.longFlags ?? [];
  const longWithValue = spec.longWithValue ?? [];
  const allLong = [...longFlags, ...longWithValue];
  const result: ScannedOptions = { options: [], operands: [], unknown: [], end: args.length };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      result.operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const written = arg.slice(2, eq === -1 ? undefined : eq);
      const name = resolveLongOption(written, allLong);
      if (!name) {
        result.unknown.push(arg);
        continue;
      }
      if (longWithValue.includes(name)) {
        const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
        result.options.push({ name: `--${name}`, value });
      } else {
        result.options.push({ name: `--${name}` });
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k] as string;
        if (withValue.includes(letter)) {
          const attached = arg.slice(k + 1);
          const value = attached || args[++i];
          result.options.push({ name: `-${letter}`, value });
          break;
        }
        if (flags.includes(letter)) result.options.push({ name: `-${letter}` });
        else result.unknown.push(`-${letter}`);
      }
      continue;
    }
    if (spec.stopAtOperand) {
      result.end = i;
      result.operands.push(...args.slice(i));
      break;
    }
    result.operands.push(arg);
  }
  return result;
}

export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
