import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEventInput } from '../audit/index.js';
import type { Batch } from '../batch/index.js';
import { parseCommandDocument, type CommandDocument } from './commandFile.js';
import { writeDeadLetter } from './deadLetter.js';
import { errnoCode, jsonText, moveFile, removeFile, writeFileAtomic, type InboxLayout } from './folder.js';
import type { InflightRecord, InflightStore } from './inflightStore.js';
import { rejection, type InboxRejection } from './reasons.js';
import { deadLetterMessage, resultsMessage } from './publishMessages.js';
import { batchExitCode, integrityDocument, patchEntryOf, resultsDocument, runDurationMs, sha256Hex } from './resultFiles.js';
import type { InboxAudit, InboxStep } from './steps.js';

/**
 * The end of an accepted command's life: results, integrity and archive when its batch ended, or
 * a dead letter when it cannot go on. Every write here is idempotent (results are built from the
 * batch alone, moves check where the original is), so a crash anywhere is repaired by doing it
 * all again on the next start.
 */
export interface CompletionDeps {
  layout: InboxLayout;
  audit: InboxAudit;
  inflight: InflightStore;
  step(name: InboxStep, id: string): Promise<void>;
  onOutput?(message: string, id: string): void;
  onProblem(message: string): void;
}

export interface AcceptedOriginal {
  path: string;
  bytes: Buffer;
  command: CommandDocument;
}

export interface Completion {
  /** The accepted original: in meta/accepted/, or already in archive/ after a crash; null if in neither. */
  loadAccepted(id: string, record: InflightRecord): Promise<AcceptedOriginal | null>;
  /** Dead-letters an accepted command that cannot go on and takes it out of flight. */
  refuseAccepted(id: string, record: InflightRecord, reason: InboxRejection, batchId?: string): Promise<void>;
  /** Writes results and integrity for an ended batch, archives the original (dead-letters it if interrupted). */
  finish(id: string, record: InflightRecord, batch: Batch): Promise<void>;
}

export interface RejectedDetails {
  commandId?: string;
  file: string;
  deadLetter: string;
  inputSha256: string;
}

export function rejectedEvent(reason: InboxRejection, details: RejectedDetails, batchId?: string): AuditEventInput {
  return { event: 'INBOX_REJECTED', batchId, reason: `${reason.code}: ${reason.message}`, details: { code: reason.code, ...details } };
}

export function createCompletion(deps: CompletionDeps): Completion {
  const { layout, audit, inflight } = deps;
  const acceptedPath = (id: string): string => join(layout.accepted, `${id}.json`);
  const archivePath = (id: string): string => join(layout.archive, `${id}.json`);

  const loadAccepted: Completion['loadAccepted'] = async (id, record) => {
    for (const path of [acceptedPath(id), archivePath(id)]) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        throw error;
      }
      if (sha256Hex(bytes) !== record.inputSha256) deps.onProblem(`inbox command ${id}: ${path} no longer matches the bytes that were accepted`);
      const parsed = parseCommandDocument(JSON.parse(bytes.toString('utf8')) as unknown);
      if (!parsed.ok) throw new Error(`the accepted original ${path} is damaged: ${parsed.rejection.message}`);
      return { path, bytes, command: parsed.command };
    }
    return null;
  };

  /** Writes the dead letter for an accepted original; returns its path relative to the inbox. */
  const deadLetterFor = (id: string, record: InflightRecord, reason: InboxRejection, original: AcceptedOriginal | null, batchId?: string): Promise<string> => {
    const bytes = original?.bytes ?? Buffer.alloc(0);
    return writeDeadLetter(layout.deadLetter, {
      rejection: reason,
      file: record.file,
      receivedAt: record.acceptedAt,
      size: bytes.length,
      inputSha256: record.inputSha256,
      bytes,
      complete: true,
      document: original ? (JSON.parse(bytes.toString('utf8')) as unknown) : undefined,
      id,
      batchId,
    });
  };

  return {
    loadAccepted,
    async refuseAccepted(id, record, reason, batchId) {
      const original = await loadAccepted(id, record).catch(() => null);
      const deadLetter = await deadLetterFor(id, record, reason, original, batchId);
      await audit.append(rejectedEvent(reason, { commandId: id, file: record.file, deadLetter, inputSha256: record.inputSha256 }, batchId));
      if (original?.path === acceptedPath(id)) await removeFile(original.path);
      await inflight.remove(id);
      deps.onOutput?.(deadLetterMessage(reason.code, id, record.file), id);
    },
    async finish(id, record, batch) {
      const original = await loadAccepted(id, record);
      if (!original) throw new Error('its original is in neither meta/accepted/ nor archive/; results not written');
      const results = Buffer.from(jsonText(resultsDocument(id, batch)), 'utf8');
      await writeFileAtomic(join(layout.results, `${id}.json`), results);
      await deps.step('results-written', id);
      const resultSha256 = sha256Hex(results);
      const patch = patchEntryOf(batch);
      // The diff that was reviewed (and applied, if the patch entry completed); empty for a patch that changes nothing.
      if (patch?.patch) await writeFileAtomic(join(layout.diffs, `${id}.patch`), patch.patch.diff);
      const diff = patch?.patch ? { sha256: patch.patch.diffSha256, filesChanged: patch.patch.filesChanged } : null;
      const integrity = integrityDocument({ commandId: id, command: original.command, batch, inflight: record, resultSha256, diff });
      await writeFileAtomic(join(layout.results, `${id}.integrity.json`), jsonText(integrity));
      await deps.step('integrity-written', id);
      let archivedAs = `archive/${id}.json`;
      const failedPatch = patch?.patch?.outcome?.ok === false ? patch.patch.outcome : null;
      let deadLettered: InboxRejection | null = null;
      if (batch.status === 'interrupted' || failedPatch) {
        // Interrupted: some of it may have run, so never again automatically. A patch that was not
        // applied failed as a command (the plan's dead letter on failure). Either way the sender can send a new one.
        const reason = failedPatch
          ? rejection(failedPatch.code, `the patch was not applied: ${failedPatch.message} (see results/${id}.json)`)
          : rejection('INTERRUPTED', `Leash stopped while batch ${batch.id} was running; it is not run again (see results/${id}.json for what ran)`);
        deadLettered = reason;
        archivedAs = await deadLetterFor(id, record, reason, original, batch.id);
        await audit.append(rejectedEvent(reason, { commandId: id, file: record.file, deadLetter: archivedAs, inputSha256: record.inputSha256 }, batch.id));
        await removeFile(acceptedPath(id));
      } else if (original.path === acceptedPath(id)) {
        await moveFile(original.path, archivePath(id));
      }
      await deps.step('archived', id);
      const exitCode = batchExitCode(batch);
      await audit.append({
        event: 'INBOX_RESULT_WRITTEN',
        batchId: batch.id,
        exitCode: exitCode ?? undefined,
        durationMs: runDurationMs(batch) ?? undefined,
        details: {
          commandId: id,
          status: batch.status,
          resultSha256,
          inputSha256: record.inputSha256,
          limitsOk: integrity.limits_ok as boolean,
          archivedAs,
          ...(diff ? { diffSha256: diff.sha256, filesChanged: diff.filesChanged, files: patch?.patch?.files.map((f) => f.path) ?? [] } : {}),
        },
      });
      await inflight.remove(id);
      deps.onOutput?.(deadLettered ? deadLetterMessage(deadLettered.code, id, record.file) : resultsMessage(id, exitCode), id);
    },
  };
}
