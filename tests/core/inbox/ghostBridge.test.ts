import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approveAndRun, batchFor, createInboxRig, hasPython, isoAt, readJson, removeDir, SECRET, tempDir, type InboxRig } from './inboxFixtures.js';

/**
 * The ghost-bridge plan's acceptance criteria (§13, §16) against a real inbox, a real git remote
 * and documents signed by the plan's own Python code: its smoke-test script (§14) byte for byte
 * (tests/fixtures/inbox/ghost-bridge-smoke.sh), and its signing lines for the other documents.
 */

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'inbox');
const IDENTITY = ['-c', 'user.name=Sender', '-c', 'user.email=sender@example.com', '-c', 'init.defaultBranch=main'];
const python = await hasPython();

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();
}

/** CLOUD: a clone of a bare remote, which is both the inbox folder and the MAIN target. */
async function cloud(): Promise<{ root: string; bare: string; dir: string }> {
  const root = await tempDir('leash-bridge-');
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const dir = join(root, 'cloud');
  git(root, 'clone', '-q', bare, dir);
  await writeFile(join(dir, 'README.md'), 'project\n');
  git(dir, 'add', 'README.md');
  git(dir, 'commit', '-q', '-m', 'seed');
  git(dir, 'push', '-q', 'origin', 'HEAD:main');
  return { root, bare, dir };
}

/** The plan's §5 document, issued now, with `overrides`. */
function planDocument(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    schemaVersion: '1.0',
    id,
    issued_at: isoAt(Math.floor(now / 1000) * 1000),
    expires_at: isoAt(Math.floor(now / 1000) * 1000 + 300_000),
    nonce: `n-${id}`,
    target: 'MAIN',
    action: 'applyPatch',
    patchType: 'hybrid',
    payload: { inline: { version: 'noop', ops: [{ op: 'noop' }] } },
    validationPlan: [],
    allowedActions: ['writeFile', 'moveFile'],
    constraints: { maxRuntimeMs: 60000, maxFilesChanged: 1 },
    ...overrides,
  };
}

/** Signs with the plan's Python lines and writes commands/<id>.json. */
function pythonSign(dir: string, document: Record<string, unknown>, secret = SECRET): void {
  execFileSync('python3', [join(FIXTURES, 'ghost_bridge_sign.py'), join(dir, 'commands', `${document.id as string}.json`)], {
    input: JSON.stringify(document),
    env: { ...process.env, GPT_BRIDGE_HMAC_SECRET: secret },
  });
}

describe.skipIf(!python)('the ghost-bridge contract', { timeout: 120_000 }, () => {
  let rig: InboxRig | undefined;
  let paths: Awaited<ReturnType<typeof cloud>> | undefined;
  afterEach(async () => {
    await rig?.close();
    if (paths) await removeDir(paths.root);
    rig = undefined;
    paths = undefined;
  });

  const start = async (): Promise<{ rig: InboxRig; dir: string; bare: string }> => {
    paths = await cloud();
    rig = await createInboxRig({ root: await tempDir(), clockMs: Date.now(), inbox: { dir: paths.dir, publish: true, targets: { MAIN: paths.dir } } });
    return { rig, dir: paths.dir, bare: paths.bare };
  };

  it('runs the plan\'s smoke test unchanged: archive, result, diff and one commit with the proper message after approval', async () => {
    const { rig, dir, bare } = await start();
    const printed = execFileSync('bash', [join(FIXTURES, 'ghost-bridge-smoke.sh')], { encoding: 'utf8', env: { ...process.env, CLOUD: dir, GPT_BRIDGE_HMAC_SECRET: SECRET } }).trim();
    const id = /commands\/(noop-\d{8}T\d{6}Z)\.json$/.exec(printed)?.[1] as string;
    expect(id).toBeTruthy();
    await rig.settle();

    const batch = batchFor(rig.harness, id);
    expect(batch).toMatchObject({ status: 'pending', entries: [{ tool: 'patch', status: 'pending', command: 'apply patch to MAIN: no file changes', classification: { verdict: 'ask', requiresManual: true } }] });
    const ended = await approveAndRun(rig.harness, batch?.id as string);
    await rig.inbox.idle();
    expect(ended.status).toBe('completed');

    expect(await readdir(join(dir, 'archive'))).toEqual([`${id}.json`]);
    expect(await readFile(join(dir, 'diffs', `${id}.patch`), 'utf8')).toBe('');
    expect(await readJson(join(dir, 'results', `${id}.json`))).toMatchObject({ id, status: 'completed', exit_code: 0, entries: [{ tool: 'patch', status: 'completed', patch: { target: 'MAIN', files_changed: 0, outcome: { ok: true } } }] });
    const integrity = await readJson(join(dir, 'results', `${id}.integrity.json`));
    expect(integrity).toMatchObject({
      id,
      input_sha256: sha256(await readFile(join(dir, 'archive', `${id}.json`))),
      result_sha256: sha256(await readFile(join(dir, 'results', `${id}.json`))),
      diff_sha256: sha256(''),
      files_changed: 0,
      constraints: { maxRuntimeMs: 60000, maxFilesChanged: 1 },
      limits_ok: true,
      hmac_ok: true,
      exit_code: 0,
    });
    expect(git(bare, 'log', '--format=%s', 'main').split('\n')).toEqual([`bridge: results ${id} (exit=0)`, 'seed']);
    expect(git(bare, 'show', '--name-only', '--format=', 'main').split('\n').sort()).toEqual([`archive/${id}.json`, `diffs/${id}.patch`, 'meta/inflight.json', 'meta/seen.json', `results/${id}.integrity.json`, `results/${id}.json`]);
    expect(await readdir(join(dir, 'commands'))).toEqual([]);
    expect(rig.problems).toEqual([]);
  });

  it('applies real file changes after approval and publishes their diff', async () => {
    const { rig, dir, bare } = await start();
    await writeFile(join(dir, 'notes.md'), 'first\n');
    git(dir, 'add', 'notes.md');
    git(dir, 'commit', '-q', '-m', 'notes');
    const ops = [{ op: 'writeFile', path: 'src/hello.txt', content: 'hello\n' }, { op: 'moveFile', from: 'notes.md', to: 'docs/notes.md' }];
    pythonSign(dir, planDocument('edit-1', { payload: { inline: { version: 'v1', ops } }, constraints: { maxRuntimeMs: 60000, maxFilesChanged: 2 } }));
    await rig.settle();
    await approveAndRun(rig.harness, batchFor(rig.harness, 'edit-1')?.id as string);
    await rig.inbox.idle();

    expect(await readFile(join(dir, 'src', 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(dir, 'docs', 'notes.md'), 'utf8')).toBe('first\n');
    const diff = await readFile(join(dir, 'diffs', 'edit-1.patch'), 'utf8');
    expect(diff).toBe('diff --git a/notes.md b/docs/notes.md\nsimilarity index 100%\nrename from notes.md\nrename to docs/notes.md\ndiff --git a/src/hello.txt b/src/hello.txt\nnew file mode 100644\n--- /dev/null\n+++ b/src/hello.txt\n@@ -0,0 +1 @@\n+hello\n');
    expect(await readJson(join(dir, 'results', 'edit-1.integrity.json'))).toMatchObject({ diff_sha256: sha256(diff), files_changed: 2, limits_ok: true, exit_code: 0 });
    expect(git(bare, 'log', '-1', '--format=%s', 'main')).toBe('bridge: results edit-1 (exit=0)');
    // The bridge commits its own outputs only; the patched project files are left for a person to commit.
    expect(git(bare, 'show', '--name-only', '--format=', 'main').split('\n')).not.toContain('src/hello.txt');
    const audit = (await rig.harness.records()).filter((r) => r.event === 'ENTRY_FINISHED');
    expect(audit).toMatchObject([{ tool: 'patch', exitCode: 0, details: { diffSha256: sha256(diff), filesChanged: 2, files: ['docs/notes.md', 'src/hello.txt'] } }]);
  });

  it.each([
    ['expired', { issued_at: '2025-08-09T06:24:51Z', expires_at: '2025-08-09T06:29:51Z' }, 'EXPIRED', 'expired'],
    ['writing outside the target', { payload: { inline: { ops: [{ op: 'writeFile', path: '../outside.txt', content: 'x' }] } } }, 'PATH_ESCAPE', 'path_escape'],
    ['writing into .git', { payload: { inline: { ops: [{ op: 'writeFile', path: '.git/hooks/post-commit', content: 'x' }] } } }, 'HIDDEN', 'hidden'],
    ['writing into commands/', { payload: { inline: { ops: [{ op: 'writeFile', path: 'commands/next.json', content: '{}' }] } } }, 'PATH_RESERVED', 'path_reserved'],
    ['changing more files than allowed', { payload: { inline: { ops: [{ op: 'writeFile', path: 'a.txt', content: 'a' }, { op: 'writeFile', path: 'b.txt', content: 'b' }] } } }, 'CONSTRAINT_VIOLATED', 'constraint_violated'],
    ['an op outside allowedActions', { allowedActions: ['moveFile'], payload: { inline: { ops: [{ op: 'writeFile', path: 'a.txt', content: 'a' }] } } }, 'ACTION_NOT_ALLOWED', 'action_not_allowed'],
    ['a deletion (off by default)', { allowedActions: ['deleteFile'], payload: { inline: { ops: [{ op: 'deleteFile', path: 'README.md' }] } } }, 'ACTION_NOT_ALLOWED', 'action_not_allowed'],
    ['an unknown target', { target: 'OTHER' }, 'UNKNOWN_TARGET', 'unknown_target'],
    ['an unknown patchType', { patchType: 'unified' }, 'UNSUPPORTED_PATCH_TYPE', 'unsupported_patch_type'],
    ['a field outside the schema', { priority: 1 }, 'SCHEMA_INVALID', 'schema_invalid'],
  ])('dead-letters a command %s with the precise reason and publishes it as bridge: DLQ', async (_name, overrides, code, plan) => {
    const { rig, dir, bare } = await start();
    pythonSign(dir, planDocument('bad-1', overrides));
    await rig.settle();
    expect(await readJson(join(dir, 'dead_letter', 'bad-1.json'))).toMatchObject({ reason: code, dlq_reason: plan, id: 'bad-1' });
    expect(batchFor(rig.harness, 'bad-1')).toBeUndefined();
    expect(await readdir(join(dir, 'results'))).toEqual([]);
    expect(git(bare, 'log', '-1', '--format=%s', 'main')).toBe(`bridge: DLQ ${plan}`);
    expect(await readdir(join(dir, 'commands'))).toEqual([]);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('project\n');
  });

  it('dead-letters a command signed with another secret as BAD_SIGNATURE, publishing no results for it', async () => {
    const { rig, dir } = await start();
    pythonSign(dir, planDocument('forged-1'), 'a-different-secret-of-enough-length');
    await rig.settle();
    expect(await readJson(join(dir, 'dead_letter', 'forged-1.json'))).toMatchObject({ reason: 'BAD_SIGNATURE', dlq_reason: 'bad_signature' });
    expect(await readdir(join(dir, 'results'))).toEqual([]);
  });

  it('dead-letters a patch whose files changed after review as PATCH_STALE, with its results, and changes nothing', async () => {
    const { rig, dir, bare } = await start();
    pythonSign(dir, planDocument('stale-1', { payload: { inline: { ops: [{ op: 'writeFile', path: 'README.md', content: 'patched\n' }] } } }));
    await rig.settle();
    await writeFile(join(dir, 'README.md'), 'edited by a person meanwhile\n');
    const ended = await approveAndRun(rig.harness, batchFor(rig.harness, 'stale-1')?.id as string);
    await rig.inbox.idle();
    expect(ended.entries[0]).toMatchObject({ status: 'error', error: { code: 'PATCH_FAILED' }, patch: { outcome: { ok: false, code: 'PATCH_STALE' } } });
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('edited by a person meanwhile\n');
    expect(await readJson(join(dir, 'dead_letter', 'stale-1.json'))).toMatchObject({ reason: 'PATCH_STALE', dlq_reason: 'patch_stale' });
    expect(await readJson(join(dir, 'results', 'stale-1.json'))).toMatchObject({ status: 'error', exit_code: 1 });
    expect(await readdir(join(dir, 'archive'))).toEqual([]);
    expect(git(bare, 'log', '-1', '--format=%s', 'main')).toBe('bridge: DLQ patch_stale');
  });

  it('never lets autonomy approve or run a patch', async () => {
    const { rig, dir } = await start();
    pythonSign(dir, planDocument('auto-1'));
    await rig.settle();
    const batch = batchFor(rig.harness, 'auto-1');
    await expect(rig.harness.service.approve(batch?.id as string, { by: 'autonomy:0123456789abcdef' })).rejects.toMatchObject({ code: 'PATCH_NEEDS_PERSON' });
    expect(rig.harness.service.get(batch?.id as string).status).toBe('pending');
  });

  it('runs the validation plan after the patch, in the target', async () => {
    const { rig, dir } = await start();
    const document = planDocument('check-1', {
      payload: { inline: { ops: [{ op: 'writeFile', path: 'x.txt', content: 'x\n' }] } },
      validationPlan: ['cat x.txt'],
    });
    pythonSign(dir, document);
    await rig.settle();
    const ended = await approveAndRun(rig.harness, batchFor(rig.harness, 'check-1')?.id as string);
    expect(ended.entries.map((e) => [e.tool, e.status, e.cwd])).toEqual([['patch', 'completed', dir], ['shell', 'completed', dir]]);
    expect(ended.entries[1]?.stdout?.head).toBe('x\n');
  });

  it('never writes a control file into commands/, whatever happens', async () => {
    const { rig, dir } = await start();
    await mkdir(join(dir, 'commands'), { recursive: true });
    pythonSign(dir, planDocument('ok-1'));
    pythonSign(dir, planDocument('bad-2', { target: 'NOPE' }));
    await writeFile(join(dir, 'commands', 'junk.json'), 'not json');
    await rig.settle();
    await approveAndRun(rig.harness, batchFor(rig.harness, 'ok-1')?.id as string);
    await rig.inbox.idle();
    expect(await readdir(join(dir, 'commands'))).toEqual([]);
    expect(git(dir, 'ls-files', 'commands')).toBe('');
  });
});

function sha256(bytes: Buffer | string): string {
  return execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).split(' ')[0] as string;
}
