import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The files `npm start` builds are what ships: every one of them must be valid JavaScript. A
 * bundle that does not parse means the desktop app cannot start on any OS (it once failed on a
 * `require` declared twice, and no test loaded the built file).
 */
const out = join(process.cwd(), 'out');

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return scripts(path);
    return /\.(c|m)?js$/.test(name) ? [path] : [];
  });
}

describe('the built app bundles', () => {
  const files = scripts(out);

  it('include the main, preload and renderer entry points', () => {
    const names = files.map((file) => relative(out, file));
    expect(names).toContain(join('main', 'index.js'));
    expect(names).toContain(join('preload', 'index.cjs'));
    expect(names.some((name) => name.startsWith(join('renderer', 'assets')))).toBe(true);
  });

  it.each(files.map((file) => [relative(out, file), file]))('%s parses (node --check)', (_name, file) => {
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
