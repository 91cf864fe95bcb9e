import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { inboxLayout, outputDirectories, prepareInboxFolder } from './folder.js';
import { InboxError } from './inboxError.js';
import { createInboxProcessor, type FileOutcome, type InboxBatches } from './inboxProcessor.js';
import { createGitPublisher, type PublisherOptions } from './publisher.js';
import type { InboxSecretSource } from './secrets.js';
import { RETRIES_MESSAGE } from './publishMessages.js';
import { openRetryIndex } from './retryIndex.js';
import { createSerialQueue } from './serialQueue.js';
import type { InboxAudit, InboxHooks } from './steps.js';
import { createCommandWatcher, type PollReport } from './watcher.js';

/**
 * The signed-command inbox: a watched folder where another program (an agent, a CI job, a
 * script on another machine syncing the folder through git) drops signed `runBatch` commands.
 * Each valid one becomes a batch that waits for a person like any other; its results come back
 * into the folder. FORMAT.md beside this file describes the folder for people writing senders.
 */

export interface StartInboxOptions {
  /** The inbox folder (made absolute); its subfolders are created if missing. */
  dir: string;
  batches: InboxBatches;
  audit: InboxAudit;
  secrets: InboxSecretSource;
  /** Wall clock for validity windows and timestamps (default the system clock). */
  clock?: { wallMs(): number };
  /** Commit and push results when the folder is a git repository (default off). */
  publish?: boolean | Omit<PublisherOptions, 'dir'>;
  /** Working directory for commands that name none (default the home directory). */
  defaultCwd?: string;
  /** Target names to directories for `applyPatch` (and the default cwd of a `runBatch` that names one). */
  targets?: Readonly<Record<string, string>>;
  /** Whether patches may delete files at all (default false). */
  allowDeletions?: boolean;
  /** More directories no patch may touch (Leash's data directory); the inbox folder's own are always protected. */
  protectedPaths?: readonly string[];
  /** Poll interval (default 1000 ms). */
  pollMs?: number;
  /** How long a file must stay unchanged before it is read (default 2000 ms). */
  stableForMs?: number;
  /** How far a sender's clock may run ahead (default 2 minutes). */
  skewMs?: number;
  /** The first wait before retrying a failed step or publish (default 5 s, doubling with jitter up to 15 minutes; a restart retries at once). */
  retryMs?: number;
  /** Poll on a timer and use fs.watch as a hint (default true); false leaves polling to `scanNow`. */
  watch?: boolean;
  /** Problems worth showing a person (a damaged meta file, a failed step); never holds a secret. */
  onProblem?(message: string): void;
  /** Test hooks (crash simulation). */
  hooks?: InboxHooks;
}

export interface Inbox {
  readonly dir: string;
  /** Polls now: settled files are judged, in-flight commands resumed. */
  scanNow(): Promise<PollReport<FileOutcome>>;
  /** Waits for processing and publishing in progress. */
  idle(): Promise<void>;
  /** Stops watching and waits for the step in progress. Pending batches keep waiting for a person. */
  stop(): Promise<void>;
  /** The most recent distinct problems, oldest first. */
  readonly problems: readonly string[];
}

const MAX_PROBLEMS = 50;

/**
 * Starts the inbox over `dir`: prepares the folder, resumes whatever a previous run left in
 * flight (see inboxProcessor.ts), then watches `commands/`. Rejects with InboxError
 * `INBOX_META_UNREADABLE` when meta/ is damaged: the inbox fails closed.
 */
export async function startInbox(options: StartInboxOptions): Promise<Inbox> {
  const dir = resolve(options.dir);
  const layout = inboxLayout(dir);
  await prepareInboxFolder(layout);
  const clock = options.clock ?? { wallMs: () => Date.now() };
  const problems: string[] = [];
  const report = (message: string): void => {
    if (problems.includes(message)) return;
    problems.push(message);
    if (problems.length > MAX_PROBLEMS) problems.shift();
    options.onProblem?.(message);
  };

  let publisher = options.publish ? createGitPublisher({ ...(options.publish === true ? {} : options.publish), dir }) : null;
  if (publisher && !(await publisher.isRepository())) {
    report(`publishing is on but ${dir} is not in a git repository: results stay in the folder, unpublished`);
    publisher = null;
  }
  const retries = await openRetryIndex(layout.retries, { nowMs: () => clock.wallMs(), baseDelayMs: options.retryMs, onProblem: report });
  const publishing = createSerialQueue();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  const publish = (message: string, id: string): void => {
    const active = publisher;
    if (!active || stopping) return;
    void publishing
      .run(async () => {
        const result = await active.publish(message);
        if (result.ok) {
          if (retries.get(id)?.step === 'publish') await retries.succeeded(id);
          if (result.commit === null && !result.pushed) return;
          await options.audit.append({ event: 'INBOX_PUBLISHED', details: { commit: result.commit, attempts: result.attempts, message } });
          return;
        }
        report(`publishing the inbox failed: ${result.code}: ${result.message}`);
        await options.audit.append({ event: 'INBOX_PUBLISH_FAILED', reason: `${result.code}: ${result.message}`, details: { attempts: result.attempts, message } });
        // The commit stays local; a later publish (this retry, or the next result) pushes it.
        const record = await retries.failed(id, 'publish', `${result.code}: ${result.message}`);
        if (record.next_at === null) return report(`publishing for inbox command ${id} gave up after ${record.attempts} attempts; the next result publishes it`);
        const timer = setTimeout(() => {
          timers.delete(timer);
          publish(RETRIES_MESSAGE, id);
        }, Math.max(0, Date.parse(record.next_at) - clock.wallMs()));
        timer.unref();
        timers.add(timer);
      })
      .catch((error: unknown) => report(`publishing the inbox failed: ${(error as Error).message}`));
  };

  const processor = await createInboxProcessor({
    layout,
    batches: options.batches,
    audit: options.audit,
    secrets: options.secrets,
    nowMs: () => clock.wallMs(),
    skewMs: options.skewMs ?? 120_000,
    targets: {
      targets: options.targets ?? {},
      allowDeletions: options.allowDeletions ?? false,
      protectedPaths: [...outputDirectories(layout), layout.commands, ...(options.protectedPaths ?? [])],
      defaultCwd: options.defaultCwd ?? homedir(),
    },
    onOutput: publish,
    onProblem: report,
    retries,
    hooks: options.hooks,
  });
  await processor.sweep();
  const watcher = createCommandWatcher<FileOutcome>({
    dir: layout.commands,
    pollMs: options.pollMs ?? 1000,
    stableForMs: options.stableForMs ?? 2000,
    onReady: (file) => processor.processFile(file),
    afterPoll: () => processor.sweep(),
    onError: (error) => report(`inbox: ${(error as Error).message}`),
  });
  if (options.watch !== false) watcher.start();

  return {
    dir,
    problems,
    scanNow: () => watcher.pollNow(),
    async idle() {
      await processor.idle();
      await publishing.idle();
    },
    async stop() {
      await watcher.stop();
      await processor.stop();
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      await publishing.idle();
    },
  };
}

/** The inbox part of the settings (see settings/schema.ts). */
export interface InboxSettings {
  enabled: boolean;
  dir: string | null;
  publish: boolean;
  /** Target names (`MAIN`) to absolute directories that `applyPatch` may change. */
  targets?: Record<string, string>;
  /** Whether `deleteFile` may be used (off by default). */
  allowDeletions?: boolean;
}

/**
 * Starts the inbox the settings describe, or returns null when it is off (the default).
 * Throws InboxError `INBOX_NOT_CONFIGURED` when it is on without a folder.
 */
export async function startInboxFromSettings(settings: InboxSettings, deps: Omit<StartInboxOptions, 'dir' | 'publish' | 'targets' | 'allowDeletions'>): Promise<Inbox | null> {
  if (!settings.enabled) return null;
  if (!settings.dir) throw new InboxError('INBOX_NOT_CONFIGURED', 'the inbox is enabled but no folder is set (settings inbox.dir)');
  return startInbox({ ...deps, dir: settings.dir, publish: settings.publish, targets: settings.targets ?? {}, allowDeletions: settings.allowDeletions ?? false });
}

export { InboxError, type InboxErrorCode } from './inboxError.js';
export { INBOX_REASON_CODES, type InboxReasonCode, type InboxRejection } from './reasons.js';
export {
  applyPatchDocumentSchema,
  commandDocumentSchema,
  parseCommandDocument,
  parseUtcTime,
  runBatchDocumentSchema,
  MAX_COMMAND_FILE_BYTES,
  MAX_INBOX_ENTRIES,
  type ApplyPatchDocument,
  type CommandDocument,
  type RunBatchDocument,
} from './commandFile.js';
export { dlqReason } from './reasons.js';
export { computeHmac, signDocument, signedBytes, verifySignature, type SignatureCheck } from './signature.js';
export {
  combineSecretSources,
  defaultSecretSource,
  envSecretSource,
  keychainSecretSource,
  InboxKey,
  SECRET_ENV,
  SECRETS_ENV,
  type InboxSecretSource,
  type LoadedKeys,
  type ProgramRunner,
} from './secrets.js';
export { judgeCommandBytes, type Judgement } from './acceptance.js';
export { inboxLayout, type InboxLayout } from './folder.js';
export { createGitPublisher, type Publisher, type PublisherOptions, type PublishResult, type GitRunner } from './publisher.js';
export type { FileOutcome, InboxBatches } from './inboxProcessor.js';
export type { InboxAudit, InboxHooks, InboxStep } from './steps.js';
export type { PollReport } from './watcher.js';
