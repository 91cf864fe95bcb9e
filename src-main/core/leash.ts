import { homedir } from 'node:os';
import { join } from 'node:path';
import { openAuditWriter, type AuditRecord, type AuditWriter } from './audit/index.js';
import { BatchError, createBatchService, createBatchStore, describeSetAside, type Batch, type BatchService } from './batch/index.js';
import { createHeadListing } from './batch/headListing.js';
import { createBatchListingFromIndex, type BatchListing } from './batch/listing.js';
import { dataPaths } from './paths.js';
import { createBashParser, createPolicyEngine, type BashParser, type BashParserOptions, type PolicyEngine } from './policy/index.js';
import { createRuleBook, POLICY_FILE_NAME, type RuleBook } from './rules/index.js';
import { createEntryRegistry, prepareEntry, startEntry } from './runner/index.js';
import { createSandboxRuntime, describeSupport, detectSandbox, type SandboxRuntime, type SandboxSupport } from './sandbox/index.js';
import { openFileSettingsStore } from './settings/fileStore.js';
import type { SettingsStore } from './settings/store.js';

/** Everything one Leash process runs on, opened together over one data directory. */
export interface Leash {
  dataDir: string;
  settings: SettingsStore;
  audit: AuditWriter;
  engine: PolicyEngine;
  /** The bash grammar for the paste preview, loaded on first use (start-up does not wait for it). */
  bashParser(): Promise<BashParser>;
  batches: BatchService;
  /** The person's rules (policy.json and this session's); a change re-judges pending batches. */
  rules: RuleBook;
  /** The sandbox entries run in (or why there is none), chosen once at start. */
  sandbox: SandboxRuntime;
  /** Problems found on the way up (invalid settings file set aside, unreadable batch files). */
  problems: string[];
  /** Called with each audit record once it is durable. Returns an unsubscribe. */
  onAudit(listener: (record: AuditRecord) => void): () => void;
  /** Waits for running work, then closes the audit (releasing its lock). */
  close(): Promise<void>;
}

export interface OpenLeashOptions {
  dataDir: string;
  /** Overrides the settings' `auditPath` (the CLI's `--audit`). */
  auditPath?: string;
  env: NodeJS.ProcessEnv;
  /** How this process presents itself in the APP_STARTED record: `cli`, `serve`, `desktop`. */
  mode: string;
  /** Where audit write failures that nobody awaits go (default: standard error). */
  onAuditError?: (error: Error) => void;
  settings?: SettingsStore;
  /** Where the policy's wasm files are (a packaged app passes its unpacked copies). */
  policy?: BashParserOptions;
  /** The sandbox to use; by default the platform's, detected with a real probe run. */
  sandbox?: SandboxSupport;
}

/**
 * Opens the settings, the audit trail (taking its single-writer lock, repairing crash damage),
 * the batch store (recovering interrupted batches) and the policy engine. The desktop app, the
 * CLI and browser mode all start here, so they behave the same over the same files.
 */
export async function openLeash(options: OpenLeashOptions): Promise<Leash> {
  const paths = dataPaths(options.dataDir);
  const settings = options.settings ?? openFileSettingsStore(options.dataDir);
  const auditPath = options.auditPath ?? settings.get().auditPath ?? paths.audit;
  const listeners = new Set<(record: AuditRecord) => void>();
  const onAuditError = options.onAuditError ?? ((error: Error) => process.stderr.write(`leash: audit write failed: ${error.message}\n`));
  // A person is watching the app and `serve`: a tampered trail is set aside and shown there. A CLI
  // run refuses instead, so nothing is moved while nobody looks.
  const onTampered = options.mode === 'cli' ? 'fail' : 'quarantine';
  const rotateAfterBytes = (): number => (settings.get().auditRotateAfterMB ?? 0) * 1024 * 1024;
  // The engine (CPU: compiling the grammar's wasm) and the sandbox probe (a bwrap child on
  // another core) need nothing from the audit or each other: they start now and overlap the
  // audit's opening (file reads and fsyncs) instead of following it.
  const engineReady = createPolicyEngine(options.policy);
  const supportReady = options.sandbox ? Promise.resolve(options.sandbox) : detectSandbox({ env: options.env, cacheFile: paths.sandboxProbe });
  // If the audit cannot be opened, neither of them may end as an unhandled rejection.
  engineReady.catch(() => undefined);
  supportReady.catch(() => undefined);
  const writer = await openAuditWriter(auditPath, { onError: onAuditError, onTampered, sealing: {}, history: { batchesDir: paths.batches }, rotateAfterBytes });
  const audit = observeAudit(writer, onAuditError, (record) => {
    for (const listener of listeners) {
      try {
        listener(record);
      } catch {
        // A listener (a window, a socket) failing must not affect the trail.
      }
    }
  });
  const registry = createEntryRegistry();
  // The last line of defence: however this process ends (process.exit, a crash that skipped
  // the shutdown), no entry's process group outlives it. SIGKILL because nothing waits here.
  const killOnExit = (): void => {
    for (const entry of registry.running()) {
      try {
        process.kill(-entry.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.on('exit', killOnExit);
  try {
    const engine = await engineReady;
    const support = await supportReady;
    const sandbox = createSandboxRuntime({
      support,
      home: options.env.HOME || homedir(),
      env: options.env,
      state: () => ({ dataDir: options.dataDir, auditPath, inboxDir: settings.get().inbox.dir }),
    });
    await audit.append({
      event: 'APP_STARTED',
      details: { mode: options.mode, pid: process.pid, sandbox: support.ok ? support.kind : `none (${support.code})` },
    });
    const rules = createRuleBook({ path: join(options.dataDir, POLICY_FILE_NAME), audit });
    const store = createBatchStore(join(options.dataDir, 'batches'));
    const batches = await createBatchService({
      store,
      settings,
      engine,
      audit,
      start: (request, hooks) => startEntry(request, hooks, { registry }),
      prepare: (request) => prepareEntry(request, { registry }),
      killAll: () => registry.killAll(),
      env: options.env,
      sandbox,
      policyFor: (cwd) => rules.policyFor(cwd, settings.get()),
      onBackgroundError: onAuditError,
    });
    // Pending batches follow the rules in force; a failure here leaves their verdicts as they
    // were (stricter or equal), and the next change tries again.
    rules.on(() => void batches.rejudgePending().catch(onAuditError));
    const stopWatching = rules.watch();
    // Retention: at start and once a day while running (a failure is reported, never fatal).
    const archiveDue = async (): Promise<void> => {
      const days = settings.get().archiveBatchesAfterDays;
      if (days) await batches.archiveFinished(days);
    };
    await archiveDue().catch(onAuditError);
    const archiveTimer = setInterval(() => void archiveDue().catch(onAuditError), ARCHIVE_INTERVAL_MS);
    archiveTimer.unref();
    const policyProblem = rules.list().problem;
    let parser: Promise<BashParser> | undefined;
    return {
      dataDir: options.dataDir,
      settings,
      audit,
      engine,
      bashParser: () => (parser ??= createBashParser(options.policy)),
      batches,
      rules,
      sandbox,
      problems: [
        ...settings.problems,
        ...batches.problems,
        ...(policyProblem ? [`${policyProblem.code}: ${policyProblem.message}`] : []),
        ...(support.ok ? [] : [`commands are not sandboxed: ${describeSupport(support)}`]),
      ],
      onAudit(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async close() {
        stopWatching();
        clearInterval(archiveTimer);
        // Before the audit closes: an autonomy that lasted until Leash quits ends here, recorded.
        await batches.autonomy.close().catch(onAuditError);
        await batches.idle();
        // Writes the index's head: the next start reads it rather than the whole index.
        await store.close();
        await audit.close();
        process.off('exit', killOnExit);
      },
    };
  } catch (error) {
    process.off('exit', killOnExit);
    await audit.close();
    throw error;
  }
}

/** How often a running Leash looks for batches to archive (setting `archiveBatchesAfterDays`). */
const ARCHIVE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What a reader beside a running Leash may see: the stored batches, as they are on disk. */
export interface LeashSnapshot {
  dataDir: string;
  /** Every stored batch, summarised (from the store's index: no batch is read in full for it). */
  batches: BatchListing;
  /** One stored batch in full, captures included. Throws BATCH_NOT_FOUND or BATCH_UNREADABLE. */
  read(id: string): Batch;
  /** Batch files that could not be read (named, left as they are). */
  problems: string[];
}

/**
 * Reads the stored batches without opening Leash: no audit writer (so no lock, no
 * APP_STARTED, no recovery records), no settings rewrite, nothing created or removed. Works
 * while the desktop app, `leash serve` or `leash run` holds the audit. Batches a crash left
 * `running` are shown as stored; the next Leash to open the data directory recovers them.
 */
export async function readLeashSnapshot(dataDir: string): Promise<LeashSnapshot> {
  const dir = join(dataDir, 'batches');
  const store = createBatchStore(dir);
  // The head answers the newest page; anything else reads the whole index once (readListing).
  const fromHead = await store.loadHead({ readOnly: true });
  const loaded = fromHead ?? (await store.load({ readOnly: true }));
  const problems = loaded.setAside.map((entry) => describeSetAside(entry, dir));
  return {
    dataDir,
    batches: fromHead
      ? createHeadListing(fromHead, () => store.readListing(), (files) => problems.push(...files.filter((file) => file.when === 'now').map((entry) => describeSetAside(entry, dir))))
      : createBatchListingFromIndex((loaded as Awaited<ReturnType<typeof store.load>>).listed),
    read(id) {
      const read = store.read(id);
      if (!read.ok) throw new BatchError(read.missing ? 'BATCH_NOT_FOUND' : 'BATCH_UNREADABLE', read.missing ? `no batch with id ${id}` : `batch file ${join(dataDir, 'batches', `${id}.json`)} ${read.message}`);
      return read.batch;
    },
    get problems() {
      return [...problems, ...store.problems];
    },
  };
}

/**
 * The same writer, telling `onRecord` about every record once it is durable. `appendNoWait`
 * keeps its promise: the caller never waits, and a failure goes where the writer reports it.
 */
function observeAudit(writer: AuditWriter, onError: (error: Error) => void, onRecord: (record: AuditRecord) => void): AuditWriter {
  return {
    get path() {
      return writer.path;
    },
    get head() {
      return writer.head;
    },
    get recovery() {
      return writer.recovery;
    },
    get sealing() {
      return writer.sealing;
    },
    async append(event) {
      const record = await writer.append(event);
      onRecord(record);
      return record;
    },
    appendNoWait(event) {
      writer.append(event).then(onRecord, onError);
    },
    flush: () => writer.flush(),
    newSealingKey: () => writer.newSealingKey(),
    quarantine: (firstBad, records) => writer.quarantine(firstBad, records),
    close: () => writer.close(),
  };
}
