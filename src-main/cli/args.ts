import { UsageError } from './io.js';

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/**
 * Minimal argument parsing: `--name value`, `--name=value`, boolean `--name`, `-n value`.
 * `valued` lists the options that take a value; anything not declared is a usage error.
 */
export function parseArgs(argv: readonly string[], spec: { valued?: string[]; boolean?: string[]; aliases?: Record<string, string> }): ParsedArgs {
  const valued = new Set(spec.valued ?? []);
  const boolean = new Set(spec.boolean ?? []);
  const aliases = spec.aliases ?? {};
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const [rawName = '', inline] = arg.replace(/^--?/, '').split(/=(.*)/s);
      const name = aliases[rawName] ?? rawName;
      if (valued.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
        flags.set(name, value);
      } else if (boolean.has(name) && inline === undefined) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}
