import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUNDLED_COMMANDS, bundleFor, bundlesDirectory, codeCacheFile } from '../../src-main/cli/bundleLoader.js';
import { BIN } from './support/leashProcess.js';

const run = promisify(execFile);
const BUNDLES = bundlesDirectory(join(process.cwd(), 'dist', 'cli'));
const LOADER = pathToFileURL(join(process.cwd(), 'dist', 'cli', 'bundleLoader.js')).href;

/** Loads a bundle in a fresh node, as bin/leash.js does, and reports what became of its code cache. */
async function loadInFreshNode(file: string, then = ''): Promise<{ cache: string; extra: string }> {
  const script = `import { loadBundle } from ${JSON.stringify(LOADER)};
const { bundle, cache } = loadBundle(${JSON.stringify(file)});
let extra = '';
${then}
process.stderr.write('\\n' + JSON.stringify({ cache, extra }));`;
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LEASH_HOME: await mkdtemp(join(tmpdir(), 'leash-bundles-')) } });
  return JSON.parse(stderr.split('\n').at(-1) ?? '') as { cache: string; extra: string };
}

describe('the CLI bundles (dist/cli/bundles, run by bin/leash.js)', () => {
  it.each([...BUNDLED_COMMANDS, 'help'])('%s: V8 takes its code cache as built', async (command) => {
    expect(await loadInFreshNode(bundleFor(BUNDLES, command))).toEqual({ cache: 'used', extra: '' });
  });

  it('routes every command to its own bundle and anything else to the help bundle', () => {
    expect(bundleFor(BUNDLES, 'classify')).toBe(join(BUNDLES, 'classify.cjs'));
    expect(bundleFor(BUNDLES, 'nonsense')).toBe(join(BUNDLES, 'help.cjs'));
    expect(bundleFor(BUNDLES, undefined)).toBe(join(BUNDLES, 'help.cjs'));
  });

  it('still runs, compiling from source, when its code cache is damaged', async () => {
    // Inside the checkout, so the copy finds node_modules (the grammar's wasm) as the original does.
    await mkdir(join(process.cwd(), 'test-results'), { recursive: true });
    const dir = await mkdtemp(join(process.cwd(), 'test-results', 'bundle-copy-'));
    const copy = join(dir, 'classify.cjs');
    await copyFile(bundleFor(BUNDLES, 'classify'), copy);
    const cache = await readFile(codeCacheFile(bundleFor(BUNDLES, 'classify')));
    await writeFile(codeCacheFile(copy), cache.subarray(0, Math.floor(cache.length / 2)));
    const loaded = await loadInFreshNode(copy, "extra = String(await bundle.main(['classify', '--json', 'git status']));");
    await rm(dir, { recursive: true, force: true });
    expect(loaded.cache).toBe('rejected');
    expect(loaded.extra).toBe('0');
  });

  it('names the installed bundle in stack traces, not the directory it was built in', async () => {
    const loaded = await loadInFreshNode(bundleFor(BUNDLES, 'help'), 'try { await bundle.main(null); } catch (error) { extra = error.stack; }');
    expect(loaded.cache).toBe('used');
    expect(loaded.extra).toContain(join(BUNDLES, 'help.cjs'));
    expect(loaded.extra).not.toMatch(/dist\.building-/);
  });

  it('answers help and unknown commands from the help bundle, which holds no command', async () => {
    const help = await run(process.execPath, [BIN, '--help']);
    expect(help.stdout).toContain('Usage: leash <command>');
    await expect(run(process.execPath, [BIN, 'frobnicate'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    const source = await readFile(bundleFor(BUNDLES, 'help'), 'latin1');
    expect(source).toContain('is not in the help bundle');
  });
});
