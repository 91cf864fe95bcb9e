import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envSecretSource, InboxKey, signDocument, startInbox, type Inbox, type InboxHooks, type InboxSecretSource, type StartInboxOptions } from '../../../src-main/core/inbox/index.js';
import type { Batch } from '../../../src-main/core/batch/index.js';
import { createHarness, type Harness } from '../batch/harness.js';

export const SECRET = 'inbox-test-secret-7f3a9c2e51d84b06';
export const OLD_SECRET = 'inbox-old-secret-0b1c2d3e4f5a6b7c8d';
export const OTHER_SECRET = 'someone-elses-secret-99887766554433';

/** The test clock: a fixed wall time that tests move forward by hand. */
export const START_MS = Date.parse('2030-05-06T07:08:09.000Z');

export function isoAt(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function tempDir(prefix = 'leash-inbox-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** An unsigned command with sensible defaults; `overrides` replace top-level fields. */
/**
 * Where inbox batches run. Not `tmpdir()` itself: the harness keeps Leash's data in a temporary
 * directory, and a workspace containing Leash's data is refused by the sandbox.
 */
export const PROJECT_DIR = mkdtempSync(join(tmpdir(), 'leash-inbox-project-'));

export function unsignedCommand(id: string, overrides: Record<string, unknown> = {}, cwd = PROJECT_DIR): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id,
    issued_at: isoAt(START_MS - 1_000),
    expires_at: isoAt(START_MS + 600_000),
    nonce: `nonce-${id}-${randomBytes(6).toString('hex')}`,
    action: 'runBatch',
    payload: { entries: [{ command: `echo ran ${id}` }], cwd },
    constraints: { maxRuntimeMs: 60_000 },
    ...overrides,
  };
}

export function signed(document: Record<string, unknown>, secret = SECRET): Record<string, unknown> {
  return signDocument(document, new InboxKey('test', secret));
}

/** Writes a command file the recommended way: a hidden temporary file renamed into place. */
export async function dropCommand(inboxDir: string, name: string, content: Record<string, unknown> | string | Buffer): Promise<Buffer> {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  const temp = join(inboxDir, 'commands', `.${name}.partial`);
  await writeFile(temp, bytes);
  await rename(temp, join(inboxDir, 'commands', name));
  return bytes;
}

export async function listDir(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [])).sort();
}

export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** Every file under `dir`, recursively, with its bytes. */
export async function allFiles(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else if (entry.isFile()) out.push({ path, bytes: await readFile(path) });
  }
  return out;
}

export interface InboxRig {
  root: string;
  inboxDir: string;
  harness: Harness;
  inbox: Inbox;
  clock: { ms: number; wallMs(): number };
  problems: string[];
  /** Two polls (a file settles at the second with stableForMs 0), then waits for the work. */
  settle(): Promise<void>;
  /** Stops the inbox and closes the harness (verifying the audit trail). */
  close(): Promise<void>;
}

export interface RigOptions {
  root?: string;
  env?: NodeJS.ProcessEnv;
  secrets?: InboxSecretSource;
  hooks?: InboxHooks;
  settings?: Record<string, unknown>;
  clockMs?: number;
  /** The environment commands inherit (before Leash withholds secret-looking variables). */
  commandEnv?: NodeJS.ProcessEnv;
  inbox?: Partial<StartInboxOptions>;
}

/**
 * A real inbox over a temp folder, with a real batch service, audit file and processes (the
 * batch harness) under `<root>/leash` and the inbox folder at `<root>/inbox`. Polling is manual
 * (`watch: false`) and files settle at their second sighting (`stableForMs: 0`).
 */
export async function createInboxRig(options: RigOptions = {}): Promise<InboxRig> {
  const root = options.root ?? (await tempDir());
  const inboxDir = join(root, 'inbox');
  const harness = await createHarness({ dir: join(root, 'leash'), settings: options.settings, env: options.commandEnv });
  const clock = { ms: options.clockMs ?? START_MS, wallMs: () => clock.ms };
  const problems: string[] = [];
  const inbox = await startInbox({
    dir: inboxDir,
    batches: harness.service,
    audit: harness.audit,
    secrets: options.secrets ?? envSecretSource(options.env ?? { LEASH_INBOX_HMAC_SECRET: SECRET }),
    clock,
    watch: false,
    stableForMs: 0,
    defaultCwd: root,
    onProblem: (message) => problems.push(message),
    hooks: options.hooks,
    ...options.inbox,
  });
  return {
    root,
    inboxDir,
    harness,
    inbox,
    clock,
    problems,
    async settle() {
      await inbox.scanNow();
      await inbox.scanNow();
      await inbox.idle();
    },
    async close() {
      await inbox.stop();
      await harness.close();
    },
  };
}

/** Approves every entry of a batch, runs it and waits for it to end. */
export async function approveAndRun(harness: Harness, batchId: string): Promise<Batch> {
  await harness.service.approve(batchId);
  await harness.service.run(batchId);
  return harness.service.whenSettled(batchId);
}

/** The one batch whose source is `inbox:<id>` (throws if there are several). */
export function batchFor(harness: Harness, id: string): Batch | undefined {
  const found = harness.service.list().filter((b) => b.source === `inbox:${id}`);
  if (found.length > 1) throw new Error(`${found.length} batches for inbox:${id}`);
  return found[0];
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Whether python3 can be run here (the interop tests need it). */
export async function hasPython(): Promise<boolean> {
  const { spawnSync } = await import('node:child_process');
  return spawnSync('python3', ['-c', 'import hmac, hashlib, base64, json'], { stdio: 'ignore' }).status === 0;
}
