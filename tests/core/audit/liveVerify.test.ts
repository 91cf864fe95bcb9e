import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as checkpointModule from '../../../src-main/core/audit/checkpoint.js';
import { verifyAudit } from '../../../src-main/core/audit/index.js';
import { sealRecord } from '../../../src-main/core/audit/recordLine.js';
import { hashOf, makeTempDir, readLines, writeLog } from './auditFixtures.js';

// verifyAudit reads the checkpoint right after streaming the log. Hooking that read lets a test
// play a writer that appends in between, deterministically, as a live app would.
vi.mock('../../../src-main/core/audit/checkpoint.js', async (importOriginal) => {
  const actual = await importOriginal<typeof checkpointModule>();
  return { ...actual, readCheckpoint: vi.fn(actual.readCheckpoint) };
});

let cleanup: () => Promise<void>;
let logPath: string;

beforeEach(async () => {
  let dir: string;
  ({ dir, cleanup } = await makeTempDir());
  logPath = join(dir, 'audit.jsonl');
  await writeLog(logPath);
});
afterEach(async () => {
  vi.mocked(checkpointModule.readCheckpoint).mockReset();
  await cleanup();
});

/** The next record after the sample log, as the writer would store it. */
async function nextRecord(): Promise<{ line: string; checkpoint: checkpointModule.AuditCheckpoint }> {
  const lines = await readLines(logPath);
  const { record, line } = sealRecord({ event: 'APP_STOPPED' }, { seq: 7, ts: '2025-01-02T03:05:00.000Z', prevHash: hashOf(lines[5] as string) });
  return { line, checkpoint: { seq: 7, hash: record.hash, ts: record.ts } };
}

/** Makes the first checkpoint read happen after `appendMeanwhile` ran. */
async function appendDuringFirstCheckpointRead(appendMeanwhile: () => Promise<void>): Promise<void> {
  const actual = await vi.importActual<typeof checkpointModule>('../../../src-main/core/audit/checkpoint.js');
  vi.mocked(checkpointModule.readCheckpoint).mockClear();
  vi.mocked(checkpointModule.readCheckpoint).mockImplementationOnce(async (path) => {
    await appendMeanwhile();
    return actual.readCheckpoint(path);
  });
  vi.mocked(checkpointModule.readCheckpoint).mockImplementation(actual.readCheckpoint);
}

describe('verifyAudit while a writer appends', () => {
  it('reads on when the checkpoint is ahead because a record was appended during the scan', async () => {
    const { line, checkpoint } = await nextRecord();
    await appendDuringFirstCheckpointRead(async () => {
      await appendFile(logPath, line);
      await checkpointModule.writeCheckpoint(logPath, checkpoint);
    });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 7, headHash: checkpoint.hash });
    expect(checkpointModule.readCheckpoint).toHaveBeenCalledTimes(2);
  });

  it('reads on when the last line was still being written during the scan', async () => {
    const { line, checkpoint } = await nextRecord();
    await appendFile(logPath, line.slice(0, 40));
    await appendDuringFirstCheckpointRead(async () => {
      await appendFile(logPath, line.slice(40));
      await checkpointModule.writeCheckpoint(logPath, checkpoint);
    });
    expect(await verifyAudit(logPath)).toMatchObject({ ok: true, records: 7 });
  });

  it('still reports truncation when the log did not grow', async () => {
    const { checkpoint } = await nextRecord();
    await writeFile(`${logPath}.head`, JSON.stringify(checkpoint));
    expect(await verifyAudit(logPath)).toMatchObject({ ok: false, firstBad: { reason: 'TRUNCATED', seq: 7 } });
  });
});
