import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitPublisher, type GitRunner } from '../../../src-main/core/inbox/index.js';
import { backoffDelay, runGit, scrubGitOutput } from '../../../src-main/core/inbox/publisher.js';
import { approveAndRun, batchFor, createInboxRig, removeDir, signed, tempDir, unsignedCommand, type InboxRig } from './inboxFixtures.js';

const IDENTITY = ['-c', 'user.name=Sender', '-c', 'user.email=sender@example.com', '-c', 'init.defaultBranch=main'];

/** Runs git synchronously for test setup and inspection. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();
}

interface Repos {
  root: string;
  bare: string;
  /** The sender's clone: delivers commands and pushes other work meanwhile. */
  sender: string;
  /** Leash's clone: the inbox folder. */
  inbox: string;
}

/** A bare "remote" with one commit, and two clones of it. */
async function createRepos(): Promise<Repos> {
  const root = await tempDir('leash-publish-');
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const sender = join(root, 'sender');
  git(root, 'clone', '-q', bare, sender);
  await writeFile(join(sender, 'README.md'), 'inbox\n');
  git(sender, 'add', 'README.md');
  git(sender, 'commit', '-q', '-m', 'seed');
  git(sender, 'push', '-q', 'origin', 'HEAD:main');
  const inbox = join(root, 'inbox');
  git(root, 'clone', '-q', bare, inbox);
  return { root, bare, sender, inbox };
}

let rig: InboxRig | undefined;
let repos: Repos | undefined;
afterEach(async () => {
  await rig?.close();
  if (rig) await removeDir(rig.root);
  if (repos) await removeDir(repos.root);
  rig = undefined;
  repos = undefined;
});

describe('publishing results to git', () => {
  it('commits only results/, diffs/, archive/, dead_letter/ and meta/, rebasing over a concurrent push', async () => {
    repos = await createRepos();
    const r = repos;
    // The sender delivers a signed command through git, and Leash's clone pulls it.
    await mkdir(join(r.sender, 'commands'), { recursive: true });
    await writeFile(join(r.sender, 'commands', 'job-1.json'), JSON.stringify(signed(unsignedCommand('job-1')), null, 2));
    git(r.sender, 'add', 'commands');
    git(r.sender, 'commit', '-q', '-m', 'sender: command job-1');
    git(r.sender, 'push', '-q', 'origin', 'HEAD:main');
    git(r.inbox, 'pull', '-q', '--rebase', 'origin', 'main');
    // Things that must never be published: an unfinished command, and a person's own staged work.
    await writeFile(join(r.inbox, 'commands', '.job-2.json.tmp'), '{"half": ');
    await writeFile(join(r.inbox, 'notes.txt'), 'mine\n');
    git(r.inbox, 'add', 'notes.txt');

    // Just before Leash's first push, the sender pushes something else: the push is rejected and Leash rebases.
    const pushes: string[][] = [];
    const run: GitRunner = async (args, options) => {
      if (args.includes('push')) {
        pushes.push(args);
        if (pushes.length === 1) {
          await writeFile(join(r.sender, 'other.txt'), 'concurrent\n');
          git(r.sender, 'add', 'other.txt');
          git(r.sender, 'commit', '-q', '-m', 'sender: concurrent work');
          git(r.sender, 'push', '-q', 'origin', 'HEAD:main');
        }
      }
      return runGit(args, options);
    };
    const sleeps: number[] = [];
    rig = await createInboxRig({ root: await tempDir(), inbox: { dir: r.inbox, publish: { run, baseDelayMs: 10, sleep: async (ms) => void sleeps.push(ms) } } });
    await rig.settle();
    await approveAndRun(rig.harness, batchFor(rig.harness, 'job-1')?.id as string);
    await rig.inbox.idle();

    expect(rig.problems).toEqual([]);
    expect(pushes).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(git(r.bare, 'log', '--format=%s', 'main').split('\n')).toEqual(['bridge: results job-1 (exit=0)', 'sender: concurrent work', 'sender: command job-1', 'seed']);
    const published = git(r.bare, 'show', '--name-only', '--format=', 'main').split('\n').sort();
    expect(published).toEqual(['archive/job-1.json', 'meta/inflight.json', 'meta/seen.json', 'results/job-1.integrity.json', 'results/job-1.json']);
    // The command stays in the remote's commands/ (Leash never stages commands/); notes.txt is still only staged.
    expect(git(r.bare, 'ls-tree', '-r', '--name-only', 'main').split('\n')).toContain('commands/job-1.json');
    expect(git(r.inbox, 'diff', '--cached', '--name-only')).toBe('notes.txt');
    const audit = (await rig.harness.records()).filter((record) => record.event === 'INBOX_PUBLISHED');
    expect(audit).toMatchObject([{ details: { attempts: 2, message: 'bridge: results job-1 (exit=0)', commit: git(r.bare, 'rev-parse', 'main') } }]);
  });

  it('publishes dead letters too, under their reason', async () => {
    repos = await createRepos();
    rig = await createInboxRig({ root: await tempDir(), inbox: { dir: repos.inbox, publish: true } });
    await writeFile(join(repos.inbox, 'commands', 'bad.json'), 'not json');
    await rig.settle();
    expect(git(repos.bare, 'log', '-1', '--format=%s', 'main')).toBe('bridge: DLQ not_json');
    expect(git(repos.bare, 'log', '-1', '--format=%b', 'main')).toMatch(/^id: _unnamed-[0-9a-f]{16}\nfile: bad.json\ncode: NOT_JSON/);
  });

  it('gives up after the configured attempts with exponential, jittered waits, and scrubs credentials from the error', async () => {
    repos = await createRepos();
    git(repos.inbox, 'remote', 'set-url', 'origin', 'http://leash:hunter2-password@127.0.0.1:9/remote.git');
    await mkdir(join(repos.inbox, 'results'));
    await writeFile(join(repos.inbox, 'results', 'x.json'), '{}\n');
    const sleeps: number[] = [];
    const publisher = createGitPublisher({ dir: repos.inbox, attempts: 3, baseDelayMs: 100, maxDelayMs: 150, random: () => 1, sleep: async (ms) => void sleeps.push(ms) });
    const result = await publisher.publish('leash: results x (exit=0)');
    expect(result).toMatchObject({ ok: false, code: 'PUBLISH_PUSH_FAILED', attempts: 3 });
    expect(!result.ok && result.message).toMatch(/after 3 attempts/);
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(sleeps).toEqual([100, 150]);
    // The commit was made locally and will go out with the next publish.
    expect(git(repos.inbox, 'log', '-1', '--format=%s')).toBe('leash: results x (exit=0)');
  });

  it('says once, at start, that a folder outside git cannot be published, and keeps results local', async () => {
    rig = await createInboxRig({ inbox: { publish: true } });
    await writeFile(join(rig.inboxDir, 'commands', 'bad.json'), 'not json');
    await rig.settle();
    expect(rig.problems).toEqual([`publishing is on but ${rig.inboxDir} is not in a git repository: results stay in the folder, unpublished`]);
    expect((await rig.harness.records()).map((record) => record.event)).not.toContain('INBOX_PUBLISH_FAILED');
  });

  it('refuses a folder that is not a git repository', async () => {
    const dir = await tempDir();
    const result = await createGitPublisher({ dir }).publish('leash: results x (exit=0)');
    expect(result).toMatchObject({ ok: false, code: 'PUBLISH_NOT_A_REPO' });
    await removeDir(dir);
  });
});

describe('backoff and scrubbing', () => {
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 0.5, 150],
    [3, 1, 400],
    [10, 1, 1000],
    [10, 0, 500],
  ])('attempt %i with random %d waits %i ms (base 100, cap 1000)', (attempt, random, expected) => {
    expect(backoffDelay(attempt, 100, 1000, () => random)).toBe(expected);
  });

  it('removes user:password from URLs and bounds the length', () => {
    expect(scrubGitOutput("fatal: unable to access 'https://me:s3cret@example.com/r.git/':\n  refused")).toBe("fatal: unable to access 'https://***@example.com/r.git/': refused");
    expect(scrubGitOutput('x'.repeat(1000))).toHaveLength(401);
  });
});
