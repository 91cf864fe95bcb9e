import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { AuditError, errnoCode } from './errors.js';

/** What the lock file `<log>.lock` holds: enough for a person to find the holder. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** When the lock was taken (ISO 8601 UTC). */
  startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  /** The holder of a stale lock this one replaced: a writer that died without closing. */
  readonly tookOver: LockOwner | undefined;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export function lockPathFor(logPath: string): string {
  return `${logPath}.lock`;
}

/**
 * Makes this process the only writer of `logPath`.
 *
 * The lock is created exclusively (`wx` on a private temporary file, then `link`ed into place,
 * which fails if the lock exists) so that it never exists without its content: a lock created
 * empty and filled afterwards would, after a crash in between, block every later start with no
 * pid to check. File systems without hard links fall back to a plain `wx` create.
 *
 * A lock whose pid is dead on this host is stale and taken over. Otherwise rejects with
 * {@link AuditError} `AUDIT_LOCKED`, naming the holder. (Known gap: if the dead holder's pid has
 * been reused by an unrelated process, the lock looks live; the message says how to clear it.)
 */
export async function acquireLogLock(logPath: string, now: Date): Promise<HeldLock> {
  const path = lockPathFor(logPath);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: now.toISOString() };
  const content = `${JSON.stringify(owner)}\n`;
  // Two tries: the second follows the removal of a stale lock.
  let stale: LockOwner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await createExclusively(path, content)) return heldLock(path, content, stale);
    const holder = await readOwner(path);
    if (holder === 'gone') continue;
    if (holder === 'unreadable' || isAlive(holder)) throw lockedError(path, holder);
    stale = holder;
    await unlink(path).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }
  throw lockedError(path, await readOwner(path));
}

async function createExclusively(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeNew(temporary, content);
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    if (errnoCode(error) !== 'EPERM' && errnoCode(error) !== 'ENOTSUP' && errnoCode(error) !== 'ENOSYS') throw error;
    return writeNew(path, content).then(
      () => true,
      (failure: unknown) => {
        if (errnoCode(failure) === 'EEXIST') return false;
        throw failure;
      },
    );
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function writeNew(path: string, content: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readOwner(path: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(value.pid) && typeof value.hostname === 'string' && typeof value.startedAt === 'string') return value as LockOwner;
  } catch {
    // Falls through: a lock we cannot read is treated as held, never as stale.
  }
  return 'unreadable';
}

/** A lock from another host cannot be checked from here, so it counts as live. */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(error) !== 'ESRCH';
  }
}

function lockedError(path: string, holder: LockOwner | 'gone' | 'unreadable'): AuditError {
  if (holder === 'unreadable' || holder === 'gone') {
    return new AuditError('AUDIT_LOCKED', `the audit log is locked by ${path}, which cannot be read; if no Leash process is running, delete it`, { lockPath: path });
  }
  const where = holder.hostname === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.hostname}`;
  return new AuditError(
    'AUDIT_LOCKED',
    `the audit log is already open for writing by ${where} (since ${holder.startedAt}); only one writer may append. If that process is not Leash, delete ${path}`,
    { lockPath: path, pid: holder.pid, hostname: holder.hostname, startedAt: holder.startedAt },
  );
}

/** Whether a writer has the log open now (`running`), died without closing it (`crashed`), or neither. */
export type WriterState = { kind: 'closed' } | { kind: 'running' | 'crashed'; pid: number; startedAt: string };

/** Reads the lock without taking it (verification). An unreadable lock counts as a running writer. */
export async function writerStateOf(logPath: string): Promise<WriterState> {
  const holder = await readOwner(lockPathFor(logPath));
  if (holder === 'gone') return { kind: 'closed' };
  if (holder === 'unreadable') return { kind: 'running', pid: 0, startedAt: '' };
  return { kind: isAlive(holder) ? 'running' : 'crashed', pid: holder.pid, startedAt: holder.startedAt };
}

function heldLock(path: string, content: string, tookOver: LockOwner | undefined): HeldLock {
  let released = false;
  return {
    path,
    tookOver,
    async release() {
      if (released) return;
      released = true;
      // Only remove the lock if it is still the one we wrote.
      const current = await readFile(path, 'utf8').catch(() => undefined);
      if (current === content) await unlink(path).catch(() => undefined);
    },
  };
}
