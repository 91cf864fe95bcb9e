import { chmod, mkdir, realpath, writeFile } from 'node:fs/promises';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSyntax, cwdExists, resolveExecutable } from '../../../src-main/core/runner/index.js';
import { createSandbox, type ProbeSandbox } from './processProbe.js';

let sandbox: ProbeSandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  await sandbox.dispose();
});

async function script(path: string, mode: number): Promise<string> {
  await writeFile(path, '#!/bin/sh\necho hi\n');
  await chmod(path, mode);
  return path;
}

describe('resolveExecutable', () => {
  it.each(['cd', 'echo', 'export', 'if', '[[', 'source', 'true'])('reports %s as a builtin, even where a file exists', async (name) => {
    expect(await resolveExecutable(name, { PATH: '/usr/bin:/bin' })).toEqual({ kind: 'builtin', name });
  });

  it('finds a program in PATH where bash finds it', async () => {
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };
    const bash = await execa('/bin/bash', ['-c', 'type -P ls'], { env, extendEnv: false });
    expect(await resolveExecutable('ls', env)).toEqual({ kind: 'file', path: bash.stdout });
  });

  it('takes the first executable match in PATH order and skips files that are not executable', async () => {
    const first = join(sandbox.dir, 'first');
    const second = join(sandbox.dir, 'second');
    await mkdir(first);
    await mkdir(second);
    await script(join(first, 'tool'), 0o644);
    const tool = await script(join(second, 'tool'), 0o755);
    expect(await resolveExecutable('tool', { PATH: `${first}:${second}` })).toEqual({ kind: 'file', path: tool });
  });

  it('reads an empty PATH element as the working directory', async () => {
    const tool = await script(join(sandbox.dir, 'tool'), 0o755);
    expect(await resolveExecutable('tool', { PATH: '/nonexistent:' }, sandbox.dir)).toEqual({ kind: 'file', path: tool });
  });

  it('uses bash\'s default PATH when none is set', async () => {
    expect(await resolveExecutable('ls', {})).toMatchObject({ kind: 'file' });
  });

  it('resolves a relative path against the working directory and checks it is executable', async () => {
    const tool = await script(join(sandbox.dir, 'run.sh'), 0o755);
    await script(join(sandbox.dir, 'plain.sh'), 0o644);
    expect(await resolveExecutable('./run.sh', {}, sandbox.dir)).toEqual({ kind: 'file', path: tool });
    expect(await resolveExecutable('./plain.sh', {}, sandbox.dir)).toBeNull();
    expect(await resolveExecutable(sandbox.dir, {}, sandbox.dir)).toBeNull();
  });

  it('returns null for a name found nowhere', async () => {
    expect(await resolveExecutable('leash-no-such-program', { PATH: '/usr/bin:/bin' })).toBeNull();
    expect(await resolveExecutable('', { PATH: '/usr/bin' })).toBeNull();
  });
});

describe('checkSyntax', () => {
  it('accepts a well-formed command', async () => {
    expect(await checkSyntax('for f in *; do echo "$f"; done | sort')).toEqual({ ok: true });
  });

  it('reports a syntax error with the shell\'s message and without running anything', async () => {
    const marker = join(sandbox.dir, 'ran');
    const check = await checkSyntax(`touch ${marker}; echo )`);
    expect(check).toMatchObject({ ok: false, code: 'SYNTAX_ERROR' });
    expect(check.ok === false && check.message).toMatch(/^line 1: syntax error near unexpected token `\)'/);
    await expect(access(marker)).rejects.toThrow();
  });

  it('does not execute a valid command', async () => {
    const marker = join(sandbox.dir, 'ran');
    expect(await checkSyntax(`touch ${marker}`)).toEqual({ ok: true });
    await expect(access(marker)).rejects.toThrow();
  });

  it('reports a missing shell as SHELL_NOT_FOUND', async () => {
    expect(await checkSyntax('true', join(sandbox.dir, 'no-shell'))).toMatchObject({ ok: false, code: 'SHELL_NOT_FOUND' });
  });
});

describe('cwdExists', () => {
  it('is true for a directory, through a symlink too, and false for a file or nothing', async () => {
    const file = join(sandbox.dir, 'file');
    await writeFile(file, '');
    expect(await cwdExists(sandbox.dir)).toBe(true);
    expect(await cwdExists(await realpath(sandbox.dir))).toBe(true);
    expect(await cwdExists(file)).toBe(false);
    expect(await cwdExists(join(sandbox.dir, 'missing'))).toBe(false);
  });
});
