import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergePaths, parseLoginShellPath, readLoginShellPath } from '../../src-main/electron/loginShellPath.js';
import { livePidsWith } from '../core/batch/procfs.js';
import { removeDir, scratchDir } from './leashFixture.js';

let dir: string;
beforeEach(async () => {
  dir = await scratchDir('leash-login-shell-');
});
afterEach(async () => {
  await removeDir(dir);
});

/** A "login shell" named `bash` (so its syntax is known) that runs `body` instead. */
async function fakeShell(body: string): Promise<string> {
  const shell = join(dir, 'bash');
  await writeFile(shell, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return shell;
}

describe("the login shell's PATH", () => {
  it('is read from a real login shell: bash -l -i -c prints it between the markers', async () => {
    if (!existsSync('/bin/bash')) return;
    const result = await readLoginShellPath({ shell: '/bin/bash', env: { HOME: dir, PATH: '/usr/bin:/bin' } });
    expect(result).toEqual({ ok: true, path: expect.stringContaining('/usr/bin') });
  });

  it('is found among whatever the profile prints around it', async () => {
    const shell = await fakeShell(`echo 'Welcome!'; printf '__LEASH_PATH_BEGIN__/opt/node/bin:relative/bin:/usr/bin__LEASH_PATH_END__'; echo bye`);
    expect(await readLoginShellPath({ shell, env: {} })).toEqual({ ok: true, path: '/opt/node/bin:/usr/bin' });
  });

  it('falls back when the shell hangs, and kills what it started', async () => {
    const marker = `leash-login-hang-${Date.now()}`;
    const shell = await fakeShell(`bash -c 'exec -a ${marker} sleep 300' & wait`);
    const result = await readLoginShellPath({ shell, env: {}, timeoutMs: 500 });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('did not answer within 500 ms') });
    await expect.poll(() => livePidsWith(marker)).toEqual([]);
  });

  it.each([
    ['fails', 'exit 3', /exited with 3/],
    ['prints nothing', 'true', /printed no PATH/],
  ])('falls back when the shell %s', async (_name, body, reason) => {
    const shell = await fakeShell(body);
    expect(await readLoginShellPath({ shell, env: {} })).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it.each([
    [undefined, /SHELL is not set/],
    ['bash', /SHELL is not set to an absolute path/],
    ['/usr/bin/nu', /nu is not a shell whose PATH Leash knows how to read/],
    ['/nonexistent/zsh', /could not be started/],
  ])('falls back for SHELL=%s', async (shell, reason) => {
    expect(await readLoginShellPath({ env: shell === undefined ? {} : { SHELL: shell } })).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('refuses a PATH with control characters and keeps only absolute entries', () => {
    expect(parseLoginShellPath('__LEASH_PATH_BEGIN__/a\n/b__LEASH_PATH_END__').ok).toBe(false);
    expect(parseLoginShellPath('__LEASH_PATH_BEGIN__.:bin__LEASH_PATH_END__').ok).toBe(false);
    expect(parseLoginShellPath('x__LEASH_PATH_BEGIN__/old__LEASH_PATH_END__ __LEASH_PATH_BEGIN__/new__LEASH_PATH_END__')).toEqual({ ok: true, path: '/new' });
  });

  it("puts the login shell's entries first and keeps the current ones it lacks", () => {
    expect(mergePaths('/opt/node/bin:/usr/bin', '/usr/bin:/snap/bin:')).toBe('/opt/node/bin:/usr/bin:/snap/bin');
    expect(mergePaths('/a', undefined)).toBe('/a');
  });
});
