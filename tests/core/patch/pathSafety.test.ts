import { linkSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, previewPatch, type PatchOp, type PatchPreview } from '../../../src-main/core/patch/index.js';
import { patchDirs, request, snapshot } from './patchFixtures.js';

const write = (path: string, content = 'pwned\n'): PatchOp => ({ op: 'writeFile', path, content });

describe('a path in a patch', () => {
  it.each([
    ['a parent segment', '../outside.txt', 'PATH_ESCAPE'],
    ['a parent segment deeper down', 'src/../../outside.txt', 'PATH_ESCAPE'],
    ['an absolute path', '/etc/passwd', 'PATH_ESCAPE'],
    ['a drive letter', 'C:/Windows/system.ini', 'PATH_ESCAPE'],
    ['backslashes', '..\\outside.txt', 'PATH_ESCAPE'],
    ['a backslash inside a name', 'src\\x.txt', 'PATH_ESCAPE'],
    ['fullwidth dots (NFKC folds them to ..)', '\uFF0E\uFF0E/outside.txt', 'PATH_ESCAPE'],
    ['a one-dot-leader pair (U+2025, folds to ..)', '\u2025/outside.txt', 'PATH_ESCAPE'],
    ['a fullwidth solidus (folds to /)', 'src\uFF0F..\uFF0Fx', 'PATH_ESCAPE'],
    ['.git', '.git/config', 'HIDDEN'],
    ['.git hooks', '.git/hooks/pre-commit', 'HIDDEN'],
    ['.GIT in upper case', '.GIT/config', 'HIDDEN'],
    ['a nested dot-directory', 'src/.hidden/x.txt', 'HIDDEN'],
    ['.github workflows', '.github/workflows/ci.yml', 'HIDDEN'],
    ['a dot-file', '.envrc', 'HIDDEN'],
    ['a fullwidth-dot .git', '\uFF0Egit/config', 'HIDDEN'],
    ['the .retries.json control file', '.retries.json', 'HIDDEN'],
    ['the .retries.json control file in commands/', 'commands/.retries.json', 'PATH_RESERVED'],
    ['commands/', 'commands/evil.json', 'PATH_RESERVED'],
    ['meta/', 'meta/retries.json', 'PATH_RESERVED'],
    ['Commands/ in another case', 'Commands/evil.json', 'PATH_RESERVED'],
    ['META/ in upper case', 'META/seen.json', 'PATH_RESERVED'],
    ['fullwidth META', '\uFF4D\uFF45\uFF54\uFF41/seen.json', 'PATH_RESERVED'],
    ['meta. (Windows drops the trailing dot)', 'meta./seen.json', 'PATH_INVALID'],
    ['a trailing space', 'commands /x.json', 'PATH_INVALID'],
    ['a NUL', 'src/x\0.txt', 'PATH_INVALID'],
    ['a newline', 'src/x\n.txt', 'PATH_INVALID'],
    ['a zero-width space', 'src/x\u200B.txt', 'PATH_INVALID'],
    ['a right-to-left override', 'src/\u202Etxt.exe', 'PATH_INVALID'],
    ['a decomposed accent (not NFC)', 'cafe\u0301.txt', 'PATH_INVALID'],
    ['an empty path', '', 'PATH_INVALID'],
    ['an empty segment', 'src//x.txt', 'PATH_INVALID'],
    ['a "." segment', './x.txt', 'PATH_INVALID'],
    ['a very long path', `${'a/'.repeat(600)}x`, 'PATH_INVALID'],
    ['a very long name', `${'n'.repeat(300)}.txt`, 'PATH_INVALID'],
    ['very deep nesting', `${'d/'.repeat(40)}x`, 'PATH_INVALID'],
  ])('is refused when it has %s', (_name, path, code) => {
    const { root } = patchDirs();
    const result = previewPatch(request(root, [write(path)]));
    expect(result).toMatchObject({ ok: false, code });
    expect(snapshot(root)).toEqual({});
  });

  it('is refused in either place of a move', () => {
    const { root } = patchDirs();
    writeFileSync(join(root, 'a.txt'), 'a\n');
    expect(previewPatch(request(root, [{ op: 'moveFile', from: 'a.txt', to: '../a.txt' }]))).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
    expect(previewPatch(request(root, [{ op: 'moveFile', from: '.git/config', to: 'config' }]))).toMatchObject({ ok: false, code: 'HIDDEN' });
  });

  it('is refused when two paths differ only in case (one file on a case-insensitive disk)', () => {
    const { root } = patchDirs();
    expect(previewPatch(request(root, [write('Readme.md'), write('README.md')]))).toMatchObject({ ok: false, code: 'PATH_INVALID' });
  });

  it('is refused inside a protected directory, in any case, even when the target contains it', () => {
    const { root } = patchDirs();
    mkdirSync(join(root, 'inbox', 'results'), { recursive: true });
    const protectedPaths = [join(root, 'inbox', 'results')];
    expect(previewPatch(request(root, [write('inbox/results/forged.json')], { protectedPaths }))).toMatchObject({ ok: false, code: 'PATH_RESERVED' });
    expect(previewPatch(request(root, [write('inbox/RESULTS/forged.json')], { protectedPaths }))).toMatchObject({ ok: false, code: 'PATH_RESERVED' });
    expect(previewPatch(request(root, [write('inbox/notes.md')], { protectedPaths }))).toMatchObject({ ok: true });
  });
});

describe('symbolic links', () => {
  it('refuse a write through a linked directory that points out of the target', () => {
    const { root, outside } = patchDirs();
    symlinkSync(outside, join(root, 'link'));
    const result = previewPatch(request(root, [write('link/x.txt')]));
    expect(result).toMatchObject({ ok: false, code: 'PATH_ESCAPE', message: expect.stringMatching(/link is a symbolic link/) as string });
    expect(snapshot(outside)).toEqual({});
  });

  it('refuse a write to a final name that is a link, leaving its target untouched', () => {
    const { root, outside } = patchDirs();
    writeFileSync(join(outside, 'secret.txt'), 'keep\n');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'notes.txt'));
    expect(previewPatch(request(root, [write('notes.txt')]))).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('keep\n');
  });

  it('refuse even a link that points inside the target (it could be re-pointed before the write)', () => {
    const { root } = patchDirs();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    expect(previewPatch(request(root, [write('alias/x.txt')]))).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
  });

  it('refuse moving a link', () => {
    const { root, outside } = patchDirs();
    symlinkSync(outside, join(root, 'link'));
    expect(previewPatch(request(root, [{ op: 'moveFile', from: 'link', to: 'moved' }]))).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
  });
});

describe('a directory swapped after the check', () => {
  const prepared = (): { root: string; outside: string; preview: PatchPreview; ops: PatchOp[] } => {
    const { root, outside } = patchDirs();
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'x.txt'), 'old\n');
    const ops = [write('src/x.txt', 'new\n'), write('src/y.txt', 'added\n')];
    const preview = previewPatch(request(root, ops));
    if (!preview.ok) throw new Error(preview.message);
    return { root, outside, preview, ops };
  };

  it('is refused when the swap came between the review and the application', () => {
    const { root, outside, preview, ops } = prepared();
    renameSync(join(root, 'src'), join(outside, 'src'));
    symlinkSync(join(outside, 'src'), join(root, 'src'));
    const applied = applyPatch(request(root, ops), preview, { maxRuntimeMs: 10_000 });
    expect(applied).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
    expect(snapshot(join(outside, 'src'))).toEqual({ 'x.txt': 'old\n (mode 644)' });
  });

  it('is rolled back when a directory is swapped for a link between staging and the write', () => {
    const { root, outside, preview, ops } = prepared();
    const applied = applyPatch(request(root, ops), preview, {
      maxRuntimeMs: 10_000,
      beforeCommit: () => {
        renameSync(join(root, 'src'), join(outside, 'src'));
        symlinkSync(join(outside, 'src'), join(root, 'src'));
      },
    });
    expect(applied).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
    // The write went to the directory that was opened (now outside); the rollback took it back out.
    expect(snapshot(join(outside, 'src'))).toEqual({ 'x.txt': 'old\n (mode 644)' });
  });

  it('is rolled back when a directory is moved out of the target during the application', () => {
    const { root, outside, preview, ops } = prepared();
    const applied = applyPatch(request(root, ops), preview, { maxRuntimeMs: 10_000, beforeCommit: () => renameSync(join(root, 'src'), join(outside, 'src')) });
    expect(applied).toMatchObject({ ok: false, code: 'PATH_ESCAPE' });
    expect(snapshot(join(outside, 'src'))).toEqual({ 'x.txt': 'old\n (mode 644)' });
  });
});

describe('hard links', () => {
  it('are replaced, never written through: the other name keeps its content', () => {
    const { root, outside } = patchDirs();
    writeFileSync(join(outside, 'profile'), 'original\n');
    linkSync(join(outside, 'profile'), join(root, 'notes.txt'));
    const ops = [write('notes.txt', 'replaced\n')];
    const preview = previewPatch(request(root, ops));
    if (!preview.ok) throw new Error(preview.message);
    expect(applyPatch(request(root, ops), preview, { maxRuntimeMs: 10_000 })).toMatchObject({ ok: true });
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('replaced\n');
    expect(readFileSync(join(outside, 'profile'), 'utf8')).toBe('original\n');
  });
});
