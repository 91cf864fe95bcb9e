import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { execa } from 'execa';
import { errnoCode } from './folder.js';
import { createSerialQueue } from './serialQueue.js';

/**
 * Publishes the inbox's outputs when the inbox folder is a git repository: stages only
 * {@link PUBLISHED_DIRECTORIES} (never `commands/`, never Leash's temporary files),
 * commits exactly those paths (anything else a person has staged stays staged, uncommitted),
 * then `git pull --rebase --autostash` and `git push`, retried with exponential backoff and
 * jitter for a bounded number of attempts. A lock (in-process queue plus
 * `.git/leash-publish.lock`) keeps two publishers from interleaving. Git runs through execa
 * with `reject: false`; hooks are skipped (`--no-verify`), and messages are scrubbed of
 * credentials embedded in remote URLs before they are reported.
 */

/**
 * The only directories ever staged: the plan's safe list (§6.6) restricted to those Leash writes
 * (its `context/ summaries/ logs/` are other programs' outputs, and Leash commits only its own).
 */
export const PUBLISHED_DIRECTORIES = ['results', 'diffs', 'archive', 'dead_letter', 'meta'] as const;

export type GitRunner = (args: string[], options: { cwd: string; input?: string }) => Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;

export const runGit: GitRunner = async (args, options) => {
  const result = await execa('git', args, {
    cwd: options.cwd,
    reject: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    timeout: 120_000,
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? result.message ?? '') };
};

export interface PublisherOptions {
  dir: string;
  run?: GitRunner;
  remote?: string;
  /** Pull-and-push attempts before giving up (default 5). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** A lock older than this, or held by a dead process on this host, is taken over (default 10 minutes). */
  lockStaleMs?: number;
}

export type PublishErrorCode = 'PUBLISH_NOT_A_REPO' | 'PUBLISH_DETACHED_HEAD' | 'PUBLISH_LOCKED' | 'PUBLISH_COMMIT_FAILED' | 'PUBLISH_CONFLICT' | 'PUBLISH_PUSH_FAILED';

export type PublishResult =
  | { ok: true; commit: string | null; pushed: boolean; attempts: number }
  | { ok: false; code: PublishErrorCode; message: string; attempts: number };

export interface Publisher {
  publish(message: string): Promise<PublishResult>;
  /** Whether the folder is inside a git work tree (checked once when the inbox starts). */
  isRepository(): Promise<boolean>;
}

class PublishFailure extends Error {
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    readonly attempts = 0,
  ) {
    super(message);
  }
}

/** Removes `user:password@` from URLs and bounds the length: git output goes into the audit. */
export function scrubGitOutput(text: string): string {
  const scrubbed = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@').replace(/\s+/g, ' ').trim();
  return scrubbed.length > 400 ? `${scrubbed.slice(0, 400)}…` : scrubbed;
}

/** Delay before retry `attempt` (1-based): exponential, capped, "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function createGitPublisher(options: PublisherOptions): Publisher {
  const run = options.run ?? runGit;
  const remote = options.remote ?? 'origin';
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const lockStaleMs = options.lockStaleMs ?? 600_000;
  const queue = createSerialQueue();
  let identity: string[] | undefined;

  const git = async (args: string[], input?: string): Promise<{ ok: boolean; stdout: string; stderr: string }> => {
    const result = await run([...(identity ?? []), ...args], { cwd: options.dir, input });
    return { ok: result.exitCode === 0, stdout: result.stdout, stderr: result.stderr };
  };

  const publishLocked = async (message: string): Promise<PublishResult> => {
    // Commits need an author and rebases a committer; use Leash's own only when none is configured.
    const configured = await run(['config', 'user.email'], { cwd: options.dir });
    identity = configured.stdout.trim() ? [] : ['-c', 'user.name=Leash', '-c', 'user.email=leash@localhost'];
    // git add refuses a pathspec that matches nothing; a folder that does not exist has nothing to add.
    const present = [];
    for (const name of PUBLISHED_DIRECTORIES) if (await stat(join(options.dir, name)).then(() => true, () => false)) present.push(name);
    const add = present.length === 0 ? { ok: true, stderr: '' } : await git(['add', '-A', '--', ...present, ':(exclude,glob)**/.*.tmp']);
    if (!add.ok) throw new PublishFailure('PUBLISH_COMMIT_FAILED', `git add failed: ${scrubGitOutput(add.stderr)}`);
    const staged = (await git(['diff', '--cached', '--name-only', '-z', '--no-renames', '--', ...PUBLISHED_DIRECTORIES])).stdout.split('\0').filter(Boolean);
    let commit: string | null = null;
    if (staged.length > 0) {
      const pathspecs = staged.map((path) => `:(literal)${path}\0`).join('');
      const committed = await git(['commit', '--no-verify', '-q', '-m', message, '--pathspec-from-file=-', '--pathspec-file-nul'], pathspecs);
      if (!committed.ok) throw new PublishFailure('PUBLISH_COMMIT_FAILED', `git commit failed: ${scrubGitOutput(committed.stderr || committed.stdout)}`);
      commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    }
    const branch = (await git(['symbolic-ref', '--short', '-q', 'HEAD'])).stdout.trim();
    if (!branch) throw new PublishFailure('PUBLISH_DETACHED_HEAD', 'HEAD is detached; check out a branch to publish');
    const ahead = await git(['rev-list', '--count', `${remote}/${branch}..HEAD`]);
    if (commit === null && ahead.ok && ahead.stdout.trim() === '0') return { ok: true, commit: null, pushed: false, attempts: 0 };

    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoffDelay(attempt - 1, baseDelayMs, maxDelayMs, random));
      const pulled = await git(['pull', '--rebase', '--autostash', '--no-edit', '-q', remote, branch]);
      if (!pulled.ok && !/couldn't find remote ref/i.test(pulled.stderr)) {
        if (await rebaseInProgress()) {
          await git(['rebase', '--abort']);
          throw new PublishFailure('PUBLISH_CONFLICT', `git pull --rebase hit a conflict and was aborted: ${scrubGitOutput(pulled.stderr)}`, attempt);
        }
        lastError = `git pull --rebase failed: ${scrubGitOutput(pulled.stderr)}`;
        continue;
      }
      const pushed = await git(['push', '--no-verify', '-q', remote, `HEAD:refs/heads/${branch}`]);
      if (pushed.ok) return { ok: true, commit: (await git(['rev-parse', 'HEAD'])).stdout.trim() || commit, pushed: true, attempts: attempt };
      lastError = `git push failed: ${scrubGitOutput(pushed.stderr)}`;
    }
    throw new PublishFailure('PUBLISH_PUSH_FAILED', `${lastError} (after ${attempts} attempts)`, attempts);
  };

  const rebaseInProgress = async (): Promise<boolean> => {
    const dir = await gitDirectory();
    for (const name of ['rebase-merge', 'rebase-apply']) {
      if (await stat(join(dir, name)).then(() => true, () => false)) return true;
    }
    return false;
  };

  const gitDirectory = async (): Promise<string> => {
    const found = await git(['rev-parse', '--git-dir']);
    if (!found.ok) throw new PublishFailure('PUBLISH_NOT_A_REPO', `${options.dir} is not inside a git repository`);
    const dir = found.stdout.trim();
    return isAbsolute(dir) ? dir : join(options.dir, dir);
  };

  return {
    async isRepository() {
      return (await run(['rev-parse', '--is-inside-work-tree'], { cwd: options.dir })).stdout.trim() === 'true';
    },
    publish(message) {
      return queue.run(async () => {
        try {
          const lockPath = join(await gitDirectory(), 'leash-publish.lock');
          const release = await acquireLock(lockPath, { attempts, baseDelayMs, maxDelayMs, random, sleep, lockStaleMs });
          try {
            return await publishLocked(message);
          } finally {
            await release();
          }
        } catch (error) {
          if (error instanceof PublishFailure) return { ok: false, code: error.code, message: error.message, attempts: error.attempts };
          return { ok: false, code: 'PUBLISH_PUSH_FAILED', message: scrubGitOutput((error as Error).message), attempts: 0 };
        }
      });
    },
  };
}

interface LockOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  lockStaleMs: number;
}

/** Takes `.git/leash-publish.lock` (exclusive create); stale locks are taken over. Returns the release. */
async function acquireLock(path: string, options: LockOptions): Promise<() => Promise<void>> {
  const owner = JSON.stringify({ pid: process.pid, hostname: hostname(), at: Date.now() });
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(owner);
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    if (await isStale(path, options.lockStaleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    await options.sleep(backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random));
  }
  throw new PublishFailure('PUBLISH_LOCKED', `another publisher holds ${path}`, options.attempts);
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; hostname?: unknown; at?: unknown };
    if (typeof holder.at === 'number' && Date.now() - holder.at > staleMs) return true;
    if (holder.hostname !== hostname() || typeof holder.pid !== 'number') return false;
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the holder is gone. An unreadable lock (a crash between create and write) counts as stale once old enough.
    if (errnoCode(error) === 'ESRCH') return true;
    if (errnoCode(error) === 'EPERM') return false;
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > Math.min(staleMs, 5_000);
  }
}
