import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The inbox folder on disk.
 *
 * ```
 * <dir>/commands/      written by senders; Leash only reads it and moves processed files out
 * <dir>/results/       <id>.json and <id>.integrity.json
 * <dir>/diffs/         <id>.patch: the unified diff of an applyPatch command
 * <dir>/archive/       <id>.json: the original bytes of every command that ran (or was offered)
 * <dir>/dead_letter/   <id>.json: what was refused and why
 * <dir>/meta/          seen.json (replay ledger), inflight.json, accepted/<id>.json (originals
 *                      whose batch has not ended)
 * ```
 *
 * Every file Leash writes is written atomically: a hidden temporary file in the same directory,
 * fsync, rename, fsync of the directory. A crash leaves the old file or the new one, plus at
 * worst a `.*.tmp` file that the next start removes.
 */
export interface InboxLayout {
  root: string;
  commands: string;
  results: string;
  diffs: string;
  archive: string;
  deadLetter: string;
  meta: string;
  /** Originals of accepted commands while their batch waits or runs. */
  accepted: string;
  ledger: string;
  inflight: string;
  /** meta/retries.json: failed steps and publishes, with their backoff. */
  retries: string;
}

export function inboxLayout(root: string): InboxLayout {
  const meta = join(root, 'meta');
  return {
    root,
    commands: join(root, 'commands'),
    results: join(root, 'results'),
    diffs: join(root, 'diffs'),
    archive: join(root, 'archive'),
    deadLetter: join(root, 'dead_letter'),
    meta,
    accepted: join(meta, 'accepted'),
    ledger: join(meta, 'seen.json'),
    inflight: join(meta, 'inflight.json'),
    retries: join(meta, 'retries.json'),
  };
}

/** The directories Leash writes, every one except `commands/`. */
export function outputDirectories(layout: InboxLayout): string[] {
  return [layout.results, layout.diffs, layout.archive, layout.deadLetter, layout.meta, layout.accepted];
}

/** Creates the folders (commands/ too, so a sender has somewhere to write) and removes temporary files a crash left. */
export async function prepareInboxFolder(layout: InboxLayout): Promise<void> {
  await mkdir(layout.commands, { recursive: true });
  for (const dir of outputDirectories(layout)) {
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) if (isTemporaryName(name)) await rm(join(dir, name), { force: true });
  }
}

const TEMPORARY = /^\..+\.[0-9a-f]{12}\.tmp$/;

function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Results hold command output: readable by the owner only, like Leash's own batch files. */
const FILE_MODE = 0o600;

async function writeSynced(path: string, data: Buffer | string, flag: 'w' | 'wx'): Promise<void> {
  const handle = await open(path, flag, FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory so a rename or unlink in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

/** Replaces (or creates) `path` atomically. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = temporaryPath(path);
  try {
    await writeSynced(temp, data, 'wx');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` atomically only if it does not exist (a hard link of the finished temporary
 * file, which fails if the name is taken). Returns false when it exists. File systems without
 * hard links fall back to an exclusive create, which is exclusive but not atomic.
 */
export async function createFileAtomic(path: string, data: Buffer | string): Promise<boolean> {
  const temp = temporaryPath(path);
  try {
    await writeSynced(temp, data, 'wx');
    await link(temp, path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    try {
      await writeSynced(path, data, 'wx');
    } catch (fallback) {
      if (errnoCode(fallback) === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    await rm(temp, { force: true });
  }
  await syncDirectory(dirname(path));
  return true;
}

/** Moves a file (a rename: both names are on one file system), syncing both directories. */
export async function moveFile(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) await syncDirectory(dirname(from));
}

/** Removes a file Leash moved out of `commands/` or no longer needs; a missing file is fine. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    return;
  }
  await syncDirectory(dirname(path));
}

/**
 * Removes `path` only if it is still the file that was read (same inode): a sender may have
 * renamed a new command over the name since, and that one must not be lost. Returns whether it
 * removed the file.
 */
export async function removeFileIfSame(path: string, ino: number): Promise<boolean> {
  try {
    if ((await lstat(path)).ino !== ino) return false;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
  await removeFile(path);
  return true;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** What a poll sees of a command file; a change in any field means it may still be written. */
export interface CommandFileInfo {
  name: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Whether a name in `commands/` is a command file: it ends in `.json` and is not hidden. Writers
 * can therefore write `.<name>.json.tmp` (or `<name>.json.part`) and rename it into place, which
 * is the recommended way to deliver a command.
 */
export function isCommandFileName(name: string): boolean {
  return name.endsWith('.json') && name.length > '.json'.length && !name.startsWith('.');
}

/**
 * The command files in `commands/`, sorted by name: regular files only (symbolic links are never
 * followed: one pointing outside the folder would otherwise be copied into a dead letter and
 * published), with names accepted by {@link isCommandFileName}. Everything else is left alone.
 */
export async function listCommandFiles(commandsDir: string): Promise<CommandFileInfo[]> {
  let names: string[];
  try {
    names = await readdir(commandsDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const files: CommandFileInfo[] = [];
  for (const name of names.filter(isCommandFileName).sort()) {
    try {
      const stats = await lstat(join(commandsDir, name));
      if (stats.isFile()) files.push({ name, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
  return files;
}

/** The parsed JSON in `path`, undefined if there is no such file. Throws for unreadable or invalid JSON. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/** JSON as Leash writes it in the inbox folder: two-space indented, ending in a newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
