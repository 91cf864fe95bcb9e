import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, previewPatch, type PatchOp, type PatchRequest } from '../../../src-main/core/patch/index.js';
import { patchDirs, request, snapshot } from './patchFixtures.js';

function seeded(): string {
  const { root } = patchDirs();
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'a.txt'), 'one\ntwo\nthree\n');
  writeFileSync(join(root, 'old.md'), '# old\n');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  return root;
}

const OPS: PatchOp[] = [
  { op: 'writeFile', path: 'src/a.txt', content: 'one\nTWO\nthree\n' },
  { op: 'writeFile', path: 'docs/new/guide.md', content: 'hello\n' },
  { op: 'moveFile', from: 'old.md', to: 'docs/old.md' },
  { op: 'writeFile', path: 'run.sh', content: '#!/bin/sh\necho bye\n' },
];

function approve(req: PatchRequest): { diffSha256: string; files: ReturnType<typeof previewOk>['files'] } {
  return previewOk(req);
}

function previewOk(req: PatchRequest) {
  const preview = previewPatch(req);
  if (!preview.ok) throw new Error(`${preview.code}: ${preview.message}`);
  return preview;
}

describe('applying a patch', () => {
  it('writes, creates directories, moves, and keeps an executable bit, exactly as the diff said', () => {
    const root = seeded();
    const req = request(root, OPS);
    const applied = applyPatch(req, approve(req), { maxRuntimeMs: 10_000 });
    expect(applied).toMatchObject({ ok: true, filesChanged: 4 });
    expect(snapshot(root)).toEqual({
      'docs/': 'dir',
      'docs/new/': 'dir',
      'docs/new/guide.md': 'hello\n (mode 644)',
      'docs/old.md': '# old\n (mode 644)',
      'run.sh': '#!/bin/sh\necho bye\n (mode 755)',
      'src/': 'dir',
      'src/a.txt': 'one\nTWO\nthree\n (mode 644)',
    });
    expect(applied.ok && applied.log).toEqual(['created docs/new/guide.md (6 bytes)', 'moved old.md → docs/old.md', 'wrote run.sh (19 bytes)', 'wrote src/a.txt (14 bytes)']);
  });

  it('changes nothing for a noop, and its diff is empty', () => {
    const root = seeded();
    const before = snapshot(root);
    const req = request(root, [{ op: 'noop' }]);
    const preview = previewOk(req);
    expect(preview).toMatchObject({ diff: '', filesChanged: 0, files: [] });
    expect(applyPatch(req, preview, { maxRuntimeMs: 10_000 })).toMatchObject({ ok: true, filesChanged: 0, log: ['no files changed'] });
    expect(snapshot(root)).toEqual(before);
  });

  it.each([
    ['the deadline passes between steps', { maxRuntimeMs: 50, now: clockAdvancing(20) }, 'RUNTIME_EXCEEDED'],
    ['an emergency stop comes mid-way', { maxRuntimeMs: 10_000, cancelled: trueAfter(4) }, 'PATCH_CANCELLED'],
  ])('rolls everything back when %s, leaving the target as it was', (_name, options, code) => {
    const root = seeded();
    const before = snapshot(root);
    const req = request(root, OPS);
    expect(applyPatch(req, approve(req), options)).toMatchObject({ ok: false, code });
    expect(snapshot(root)).toEqual(before);
  });

  it('rolls back the files already replaced when a later one turns out to have changed', () => {
    const root = seeded();
    const before = snapshot(root);
    const req = request(root, OPS);
    const approved = approve(req);
    // run.sh is committed before src/a.txt (sorted order); src/a.txt changes after staging.
    const result = applyPatch(req, approved, { maxRuntimeMs: 10_000, beforeCommit: () => writeFileSync(join(root, 'src', 'a.txt'), 'someone else\n') });
    expect(result).toMatchObject({ ok: false, code: 'PATCH_STALE' });
    expect(snapshot(root)).toEqual({ ...before, 'src/a.txt': 'someone else\n (mode 644)' });
  });

  it('refuses as PATCH_STALE when the files changed after the diff was reviewed', () => {
    const root = seeded();
    const req = request(root, OPS);
    const approved = approve(req);
    writeFileSync(join(root, 'src', 'a.txt'), 'changed meanwhile\n');
    expect(applyPatch(req, approved, { maxRuntimeMs: 10_000 })).toMatchObject({ ok: false, code: 'PATCH_STALE' });
    expect(readFileSync(join(root, 'src', 'a.txt'), 'utf8')).toBe('changed meanwhile\n');
  });

  it('never overwrites a file that appeared at a new file\'s name during the application', () => {
    const root = seeded();
    const req = request(root, [{ op: 'writeFile', path: 'fresh.txt', content: 'ours\n' }]);
    const result = applyPatch(req, approve(req), { maxRuntimeMs: 10_000, beforeCommit: () => writeFileSync(join(root, 'fresh.txt'), 'theirs\n') });
    expect(result).toMatchObject({ ok: false, code: 'PATCH_STALE' });
    expect(readFileSync(join(root, 'fresh.txt'), 'utf8')).toBe('theirs\n');
  });

  it('leaves no temporary files behind, after success or failure', () => {
    const root = seeded();
    const req = request(root, OPS);
    applyPatch(req, approve(req), { maxRuntimeMs: 10_000, cancelled: trueAfter(6) });
    applyPatch(req, approve(req), { maxRuntimeMs: 10_000 });
    expect(Object.keys(snapshot(root)).filter((name) => name.includes('.leash-patch'))).toEqual([]);
  });
});

describe('the rules a patch must keep', () => {
  it.each([
    ['more files than maxFilesChanged', { maxFilesChanged: 3 }, OPS, 'CONSTRAINT_VIOLATED', /changes 4 files; constraints.maxFilesChanged allows 3/],
    ['an action outside allowedActions', { allowedActions: ['writeFile'] as PatchRequest['allowedActions'] }, OPS, 'ACTION_NOT_ALLOWED', /ops.2 \(moveFile\): moveFile is not in allowedActions/],
    ['a deletion while deletions are off', { allowedActions: ['deleteFile'] as PatchRequest['allowedActions'] }, [{ op: 'deleteFile', path: 'old.md' }], 'ACTION_NOT_ALLOWED', /deletions are off/],
    ['a move onto an existing file', {}, [{ op: 'moveFile', from: 'old.md', to: 'run.sh' }], 'PATCH_CONFLICT', /exists; a move never overwrites/],
    ['a move of a missing file', {}, [{ op: 'moveFile', from: 'gone.md', to: 'x.md' }], 'PATCH_CONFLICT', /does not exist/],
    ['a write over a directory', {}, [{ op: 'writeFile', path: 'src', content: 'x' }], 'PATCH_CONFLICT', /is a directory/],
    ['a file below a file', {}, [{ op: 'writeFile', path: 'old.md/x', content: 'x' }], 'PATCH_CONFLICT', /not a directory/],
    ['a missing target directory', { root: '/nonexistent/leash-target' }, [{ op: 'noop' }], 'UNKNOWN_TARGET', /does not exist/],
  ])('refuses %s', (_name, overrides, ops, code, message) => {
    const root = seeded();
    const before = snapshot(root);
    expect(previewPatch(request(root, ops as PatchOp[], overrides))).toMatchObject({ ok: false, code, message: expect.stringMatching(message) as string });
    expect(snapshot(root)).toEqual(before);
  });

  it('deletes a file only when the setting and allowedActions both allow it', () => {
    const root = seeded();
    const req = request(root, [{ op: 'deleteFile', path: 'old.md' }], { allowDeletions: true, allowedActions: ['deleteFile'] });
    expect(applyPatch(req, approve(req), { maxRuntimeMs: 10_000 })).toMatchObject({ ok: true, filesChanged: 1 });
    expect(() => statSync(join(root, 'old.md'))).toThrow();
  });

  it('counts a pure move as one changed file, as git does', () => {
    const root = seeded();
    expect(previewOk(request(root, [{ op: 'moveFile', from: 'old.md', to: 'docs/old.md' }], { maxFilesChanged: 1 }))).toMatchObject({ filesChanged: 1, files: [{ change: 'renamed', from: 'old.md', path: 'docs/old.md' }] });
  });
});

function clockAdvancing(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

function trueAfter(calls: number): () => boolean {
  let count = 0;
  return () => ++count > calls;
}
