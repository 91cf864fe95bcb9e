import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs the CLI from one self-contained bundle per command (scripts/build-cli.js writes them to
 * dist/cli/bundles/) with V8's code cache, instead of from some 400 separate modules. Node 20 has
 * no compile cache for ES modules, so the bundles are CommonJS compiled through `vm.Script`, which
 * takes and produces V8's cached data: a process then deserialises the bytecode instead of
 * parsing and compiling about a megabyte of JavaScript (zod, execa, the engine) every time.
 */

/** What a bundle exports: src-main/cli/index.ts's `main`. */
export interface CliBundle {
  main(argv: string[]): Promise<number>;
}

/** `used`: V8 took the cached bytecode; `rejected`: another node or other V8 flags made it; `missing`: none written. */
export type CodeCacheState = 'used' | 'rejected' | 'missing';

/** Commands with a bundle of their own; anything else (help, a typo) runs from `help`'s, which holds no command. */
export const BUNDLED_COMMANDS = ['classify', 'run', 'serve', 'mcp', 'batches', 'rules', 'audit', 'inbox'] as const;

export function bundlesDirectory(distCli: string): string {
  return join(distCli, 'bundles');
}

/** The bundle that runs `leash <command>`. */
export function bundleFor(directory: string, command: string | undefined): string {
  const name = (BUNDLED_COMMANDS as readonly string[]).includes(command ?? '') ? (command as string) : 'help';
  return join(directory, `${name}.cjs`);
}

export function codeCacheFile(bundle: string): string {
  return `${bundle}.code-cache`;
}

/**
 * Compiles and evaluates a bundle (its top level only: commands run when `main` is called).
 * The code cache must be made under the same V8 flags it is used with, so it is read (and, with
 * `writeCache`, written) here, before `main` sets `--liftoff-only`.
 */
export function loadBundle(file: string, options: { writeCache?: boolean; scriptName?: string } = {}): { bundle: CliBundle; cache: CodeCacheState } {
  // esbuild writes ASCII only (non-ASCII characters escaped), so latin1 reads it exactly and
  // skips UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCacheFile(file));
  } catch {
    cachedData = undefined;
  }
  // The same wrapper Node's CommonJS loader uses, so the bundle sees the usual module scope.
  // V8 keeps the name a cache was made under (stack traces show it), so the build makes each
  // cache under the bundle's final path (`scriptName`), not its staging one.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: options.scriptName ?? file, cachedData });
  const cache: CodeCacheState = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as Partial<CliBundle> };
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (typeof module.exports.main !== 'function') throw new Error(`${file} is not a Leash CLI bundle (it exports no main)`);
  if (options.writeCache) writeAtomically(codeCacheFile(file), script.createCachedData());
  return { bundle: module.exports as CliBundle, cache };
}

/** A reader sees the old cache or the new one, never half of one. */
function writeAtomically(path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
