import type { Arg } from './model.js';
import { scanOptions, type OptionSpec, type ScannedOptions } from './options.js';

/**
 * What an allow rule is, and the helpers every rule file builds on. A rule allows a simple
 * command only when its words are static and its options, read the way the tool's getopt reads
 * them, keep it read-only; an option a rule does not know is `ask`.
 */
export type AllowCheck = { ok: true } | { ok: false; why: string; dynamic?: boolean };

/** How a rule treats unquoted globs, whose words bash chooses from the file names it finds. */
export type GlobPolicy =
  /** Any glob: every option of the tool is read-only, so a file named `-x` does no harm. */
  | 'any'
  /** Only globs that cannot expand to an option (`src/*.ts`, or any glob after `--`). */
  | 'operands'
  /** None: even the number of words a glob becomes matters (`uniq IN OUT` writes OUT). */
  | 'none';

export interface AllowRule {
  name: string;
  programs: readonly string[];
  summary: string;
  /** `true` is `'any'`; unset is `'none'`. */
  globsOk?: boolean | GlobPolicy;
  check(args: readonly Arg[]): AllowCheck;
  /** Allows only a version probe: any other use of the program is an unknown command, not an unsafe one. */
  probeOnly?: boolean;
  examples: { allow: readonly string[]; notAllow: readonly string[] };
}

export const OK: AllowCheck = { ok: true };
export const no = (why: string): AllowCheck => ({ ok: false, why });

export const HELP = ['help', 'version'];

/** A check that needs every option to be one the tool knows, then runs `extra`. */
export function options(spec: OptionSpec, extra?: (scanned: ScannedOptions, args: readonly Arg[]) => AllowCheck): (args: readonly Arg[]) => AllowCheck {
  return (args) => {
    const scanned = scanOptions(args.map((a) => a.value), spec);
    if (scanned.unknown.length > 0) return no(`Leash does not know the option \`${scanned.unknown[0]}\``);
    return extra ? extra(scanned, args) : OK;
  };
}

/** A rule for a tool all of whose known options only read. */
export function readOnly(programs: string[], spec: OptionSpec, allow: string[], notAllow: string[] = [], extra?: Parameters<typeof options>[1]): AllowRule {
  return { name: programs[0] as string, programs, summary: 'is read-only', globsOk: true, check: options(spec, extra), examples: { allow, notAllow } };
}

/**
 * A rule for a tool some of whose options write, run programs or reach the network: those
 * options are refused with their reason, and globs must not be able to spell them.
 */
export function guarded(
  programs: string[],
  spec: OptionSpec,
  forbidden: Readonly<Record<string, string>>,
  examples: AllowRule['examples'],
  extra?: Parameters<typeof options>[1],
): AllowRule {
  const check = options(spec, (scanned, args) => {
    const bad = scanned.options.find((o) => Object.hasOwn(forbidden, o.name));
    if (bad) return no(`\`${programs[0]} ${bad.name}\` ${forbidden[bad.name]}`);
    return extra ? extra(scanned, args) : OK;
  });
  return { name: programs[0] as string, programs, summary: 'is read-only with these options', globsOk: 'operands', check, examples };
}
