import { execFileSync } from 'node:child_process';
import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RETRY_ATTEMPTS, openRetryIndex } from '../../../src-main/core/inbox/retryIndex.js';
import { approveAndRun, batchFor, createInboxRig, dropCommand, readJson, removeDir, signed, tempDir, unsignedCommand, type InboxRig } from './inboxFixtures.js';

const IDENTITY = ['-c', 'user.name=Sender', '-c', 'user.email=sender@example.com', '-c', 'init.defaultBranch=main'];
const git = (cwd: string, ...args: string[]): string => execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8' }).trim();

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('meta/retries.json', { timeout: 120_000 }, () => {
  let rig: InboxRig | undefined;
  let root: string | undefined;
  afterEach(async () => {
    await rig?.close();
    if (root) await removeDir(root);
    rig = undefined;
  });

  it('records a failed publish, retries it with backoff as "bridge: retries index update", and forgets it once pushed', async () => {
    root = await tempDir('leash-retries-');
    const bare = join(root, 'remote.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', bare);
    const dir = join(root, 'inbox');
    git(root, 'clone', '-q', bare, dir);
    await writeFile(join(dir, 'README.md'), 'x\n');
    git(dir, 'add', 'README.md');
    git(dir, 'commit', '-q', '-m', 'seed');
    git(dir, 'push', '-q', 'origin', 'HEAD:main');
    // The remote goes away: every push fails until it is back.
    await rename(bare, `${bare}.away`);
    rig = await createInboxRig({ root: await tempDir(), inbox: { dir, publish: { attempts: 1, sleep: async () => undefined }, retryMs: 200 } });
    await dropCommand(dir, 'job-1.json', signed(unsignedCommand('job-1')));
    await rig.settle();
    await approveAndRun(rig.harness, batchFor(rig.harness, 'job-1')?.id as string);
    await rig.inbox.idle();

    const failed = await readJson(join(dir, 'meta', 'retries.json'));
    expect(failed).toMatchObject({ schemaVersion: 1, commands: { 'job-1': { attempts: 1, step: 'publish', last_error: expect.stringMatching(/^PUBLISH_PUSH_FAILED/) as string, next_at: expect.any(String) as string } } });
    expect(await readdir(join(dir, 'commands'))).toEqual([]);

    await rename(`${bare}.away`, bare);
    await until(async () => Object.keys(((await readJson(join(dir, 'meta', 'retries.json'))).commands as object) ?? {}).length === 0, 'the retry to succeed');
    expect(git(bare, 'log', '--format=%s', 'main').split('\n').slice(0, 2)).toEqual(expect.arrayContaining(['bridge: results job-1 (exit=0)']));
    expect(git(bare, 'log', '--format=%s', 'main')).toMatch(/^bridge: retries index update\nbridge: results job-1 \(exit=0\)/);
  });

  it('grows its waits exponentially, with jitter and a cap, and gives up after the last attempt', async () => {
    root = await tempDir('leash-retries-');
    let now = Date.parse('2030-01-01T00:00:00Z');
    const index = await openRetryIndex(join(root, 'retries.json'), { nowMs: () => now, baseDelayMs: 1000, maxDelayMs: 8000, random: () => 1, onProblem: () => undefined });
    const waits: Array<number | null> = [];
    for (let i = 0; i < MAX_RETRY_ATTEMPTS; i++) {
      const record = await index.failed('job', 'process', 'disk full');
      waits.push(record.next_at === null ? null : Date.parse(record.next_at) - now);
      now += 1;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, null]);
    expect((await readJson(join(root, 'retries.json'))).commands).toMatchObject({ job: { attempts: 6, last_error: 'disk full', next_at: null, step: 'process' } });
    await index.succeeded('job');
    expect((await readJson(join(root, 'retries.json'))).commands).toEqual({});
  });

  it('records a failed processing step and clears it when the step succeeds on the next sweep', async () => {
    root = await tempDir('leash-retries-');
    let fail = true;
    rig = await createInboxRig({
      root,
      hooks: {
        afterStep: (step) => {
          if (step === 'batch-created' && fail) throw new Error('simulated failure');
        },
      },
      inbox: { retryMs: 1 },
    });
    await dropCommand(rig.inboxDir, 'job-2.json', signed(unsignedCommand('job-2')));
    await rig.settle();
    expect((await readJson(join(rig.inboxDir, 'meta', 'retries.json'))).commands).toMatchObject({ 'job-2': { attempts: 1, step: 'process', last_error: 'simulated failure' } });
    fail = false;
    rig.clock.ms += 10_000;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await rig.settle();
    expect((await readJson(join(rig.inboxDir, 'meta', 'retries.json'))).commands).toEqual({});
    expect(batchFor(rig.harness, 'job-2')?.status).toBe('pending');
  });
});
