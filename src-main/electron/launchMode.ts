import { isAbsolute } from 'node:path';
import { dataDirectory } from '../core/paths.js';

/**
 * What this start of the app binary is for: the desktop app, the `leash` CLI served by the app
 * binary itself (`Leash cli mcp`, so an installed app needs no Node of its own), or nothing (a
 * refusal with the reason, printed before any window exists).
 */
export type LaunchMode =
  | { kind: 'desktop'; dataDir: string }
  | { kind: 'cli'; args: string[] }
  | { kind: 'refuse'; code: 'DEBUG_SWITCH_REFUSED' | 'LEASH_HOME_RELATIVE'; message: string };

/** The first argument that hands the rest to the CLI. */
export const CLI_ARGUMENT = 'cli';

/**
 * Switches that would let any local process drive this app: a DevTools endpoint into the
 * renderer that approves batches, or an inspector into main. The fuses turn off Node's own
 * `--inspect` handling; Chromium's remote debugging has no fuse, so a packaged app refuses them.
 */
export const DEBUG_SWITCHES = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-publish-uid',
  'debug',
  'debug-brk',
  'js-flags',
] as const;

export interface LaunchInput {
  argv: readonly string[];
  /** `process.defaultApp`: true when started as `electron .` (argv[1] is the app path). */
  defaultApp: boolean;
  packaged: boolean;
  env: NodeJS.ProcessEnv;
}

/** The arguments a person passed, without the executable (and the app path under `electron .`). */
export function userArguments(argv: readonly string[], defaultApp: boolean): string[] {
  return argv.slice(defaultApp ? 2 : 1);
}

/**
 * The debugging switches among `args`, as Chromium reads them: `--name`, `--name=value` or
 * `-name`, up to a bare `--` (after which Chromium reads no switches).
 */
export function debugSwitches(args: readonly string[]): string[] {
  const found: string[] = [];
  for (const argument of args) {
    if (argument === '--') break;
    const name = /^--?([a-z0-9-]+)(?:=|$)/i.exec(argument)?.[1]?.toLowerCase();
    if (name && (DEBUG_SWITCHES as readonly string[]).includes(name)) found.push(argument);
  }
  return found;
}

/** Decides the launch mode; see {@link LaunchMode}. Pure: the caller acts on the answer. */
export function launchMode({ argv, defaultApp, packaged, env }: LaunchInput): LaunchMode {
  const args = userArguments(argv, defaultApp);
  if (packaged) {
    const refused = debugSwitches(args);
    if (refused.length > 0) {
      return {
        kind: 'refuse',
        code: 'DEBUG_SWITCH_REFUSED',
        message: `Leash does not start with ${refused.join(' ')}: a debugging endpoint would let any local program drive the window that approves commands.`,
      };
    }
  }
  if (args[0] === CLI_ARGUMENT) return { kind: 'cli', args: args.slice(1) };
  if (env.LEASH_HOME !== undefined && env.LEASH_HOME !== '' && !isAbsolute(env.LEASH_HOME)) {
    return {
      kind: 'refuse',
      code: 'LEASH_HOME_RELATIVE',
      message:
        `LEASH_HOME must be an absolute path, but it is "${env.LEASH_HOME}". A relative path would depend on the ` +
        `directory Leash happened to be started from. Set it to a full path (for example $HOME/leash-data) or unset it.`,
    };
  }
  return { kind: 'desktop', dataDir: dataDirectory(env) };
}
