import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, previewPatch, type PatchOp } from '../../../src-main/core/patch/index.js';
import { hunks } from '../../../src-main/core/patch/unifiedDiff.js';
import { patchDirs, request, snapshot } from './patchFixtures.js';

const lines = (n: number, change: (i: number) => string = (i) => `line ${i}`): string => Array.from({ length: n }, (_, i) => `${change(i)}\n`).join('');

/** Cases for the oracle: git itself applies our diff to a copy, and must get what Leash wrote. */
const CASES: Array<[string, Record<string, string>, PatchOp[]]> = [
  ['a change in the middle of a long file', { 'a.txt': lines(40) }, [{ op: 'writeFile', path: 'a.txt', content: lines(40, (i) => (i === 20 ? 'CHANGED' : `line ${i}`)) }]],
  ['changes far apart (two hunks)', { 'a.txt': lines(40) }, [{ op: 'writeFile', path: 'a.txt', content: lines(40, (i) => (i === 2 || i === 35 ? `x${i}` : `line ${i}`)) }]],
  ['changes close together (one hunk)', { 'a.txt': lines(40) }, [{ op: 'writeFile', path: 'a.txt', content: lines(40, (i) => (i === 10 || i === 15 ? `x${i}` : `line ${i}`)) }]],
  ['lines added at the end', { 'a.txt': lines(5) }, [{ op: 'writeFile', path: 'a.txt', content: lines(9) }]],
  ['lines removed at the start', { 'a.txt': lines(9) }, [{ op: 'writeFile', path: 'a.txt', content: lines(9).split('\n').slice(3).join('\n') }]],
  ['a final newline removed', { 'a.txt': 'one\ntwo\n' }, [{ op: 'writeFile', path: 'a.txt', content: 'one\ntwo' }]],
  ['a final newline added', { 'a.txt': 'one\ntwo' }, [{ op: 'writeFile', path: 'a.txt', content: 'one\ntwo\n' }]],
  ['the last line changed without a newline', { 'a.txt': 'one\ntwo' }, [{ op: 'writeFile', path: 'a.txt', content: 'one\nthree' }]],
  ['a file emptied', { 'a.txt': 'one\n' }, [{ op: 'writeFile', path: 'a.txt', content: '' }]],
  ['a new file in new directories', {}, [{ op: 'writeFile', path: 'deep/er/new.txt', content: 'fresh\ncontent\n' }]],
  ['a new empty file', {}, [{ op: 'writeFile', path: 'empty.txt', content: '' }]],
  ['a rename', { 'old/name.txt': 'same\n' }, [{ op: 'moveFile', from: 'old/name.txt', to: 'new/name.txt' }]],
  ['a move then an edit of the moved file', { 'a.txt': 'one\n' }, [{ op: 'moveFile', from: 'a.txt', to: 'b.txt' }, { op: 'writeFile', path: 'b.txt', content: 'two\n' }]],
  ['a deletion', { 'gone.txt': 'bye\n' }, [{ op: 'deleteFile', path: 'gone.txt' }]],
  ['non-ASCII text', { 'ü.txt': 'grüße\n' }, [{ op: 'writeFile', path: 'ü.txt', content: 'grüße, welt\n' }]],
  ['a rewrite with nothing in common', { 'a.txt': lines(30) }, [{ op: 'writeFile', path: 'a.txt', content: lines(30, (i) => `other ${i}`) }]],
];

describe('the diff of a patch', () => {
  it.each(CASES)('is one git applies to the same result: %s', (_name, files, ops) => {
    const { root, outside } = patchDirs();
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const copy = join(outside, 'copy');
    cpSync(root, copy, { recursive: true });
    const req = request(root, ops, { allowDeletions: true, allowedActions: ['writeFile', 'moveFile', 'deleteFile'] });
    const preview = previewPatch(req);
    if (!preview.ok) throw new Error(preview.message);
    expect(applyPatch(req, preview, { maxRuntimeMs: 10_000 })).toMatchObject({ ok: true });
    execFileSync('git', ['init', '-q'], { cwd: copy });
    execFileSync('git', ['apply', '--whitespace=nowarn', '-'], { cwd: copy, input: preview.diff });
    // Files only: git does not track directories (it removes one a rename emptied; Leash leaves it).
    const filesOf = (dir: string): Record<string, string> => Object.fromEntries(Object.entries(snapshot(dir)).filter(([key]) => !key.endsWith('/') && !key.startsWith('.git/')));
    expect(filesOf(copy)).toEqual(filesOf(root));
  });

  it('keeps the mode of a file it rewrites, so the diff shows no mode change', () => {
    const { root } = patchDirs();
    writeFileSync(join(root, 'run.sh'), 'echo\n');
    chmodSync(join(root, 'run.sh'), 0o755);
    const preview = previewPatch(request(root, [{ op: 'writeFile', path: 'run.sh', content: 'echo hi\n' }]));
    expect(preview.ok && preview.diff).toBe('diff --git a/run.sh b/run.sh\n--- a/run.sh\n+++ b/run.sh\n@@ -1 +1 @@\n-echo\n+echo hi\n');
  });

  it('summarises binary content instead of printing it', () => {
    const { root } = patchDirs();
    const preview = previewPatch(request(root, [{ op: 'writeFile', path: 'logo.png', contentBase64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString('base64') }]));
    expect(preview.ok && preview.diff).toBe('diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n');
    expect(preview.ok && preview.files[0]).toMatchObject({ change: 'added', binary: true, newSize: 7 });
  });

  it('summarises a file too large to show line by line', () => {
    const { root } = patchDirs();
    writeFileSync(join(root, 'big.log'), 'x'.repeat(300 * 1024));
    const preview = previewPatch(request(root, [{ op: 'writeFile', path: 'big.log', content: 'small\n' }]));
    expect(preview.ok && preview.diff).toBe(`diff --git a/big.log b/big.log\nLarge file a/big.log (${300 * 1024} bytes) and b/big.log (6 bytes) differ; not shown\n`);
    expect(preview.ok && preview.files[0]).toMatchObject({ change: 'modified', large: true, oldSize: 300 * 1024, newSize: 6 });
  });

  it('counts added and removed lines', () => {
    expect(hunks('a\nb\nc\n', 'a\nB\nc\nd\n')).toMatchObject({ additions: 2, deletions: 1 });
  });
});
