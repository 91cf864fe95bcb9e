import type { Batch, BatchEntry, CapturedStream, Classification, Verdict } from '../../src-renderer/src/model/contract';

export function classification(verdict: Verdict, reasons: Classification['reasons'] = []): Classification {
  const defaults: Record<Verdict, Classification['reasons']> = {
    allow: [{ code: 'ALLOWED_COMMAND', message: '`ls` only lists files', rule: 'allow:ls' }],
    ask: [{ code: 'UNKNOWN_COMMAND', message: '`make` is not on the allow list' }],
    deny: [{ code: 'RM_RECURSIVE_FORCE', message: 'blocked: `rm` with recursive and force flags (`-rf`)', rule: 'deny:rm-recursive-force' }],
  };
  return {
    verdict,
    score: verdict === 'allow' ? 100 : verdict === 'ask' ? 50 : 0,
    requiresManual: verdict !== 'allow',
    reasons: reasons.length > 0 ? reasons : defaults[verdict],
    programs: [],
    commands: [],
  };
}

export function captured(text: string, overrides: Partial<CapturedStream> = {}): CapturedStream {
  return { head: text, tail: '', truncated: false, bytes: new TextEncoder().encode(text).length, sha256: 'a'.repeat(64), ...overrides };
}

export function entry(batchId: string, index: number, command: string, verdict: Verdict, overrides: Partial<BatchEntry> = {}): BatchEntry {
  return {
    id: `${batchId}-${index}`,
    tool: 'shell',
    command,
    cwd: '/home/dev/project',
    timeoutMs: 60_000,
    classification: classification(verdict),
    status: 'pending',
    approved: false,
    exitCode: null,
    signal: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    stdout: null,
    stderr: null,
    error: null,
    note: null,
    ...overrides,
  };
}

export function batch(id: string, entries: [string, Verdict][], overrides: Partial<Batch> = {}): Batch {
  return {
    id,
    createdAt: '2025-03-04T10:00:00.000Z',
    updatedAt: '2025-03-04T10:00:00.000Z',
    source: 'paste',
    reason: null,
    cwd: '/home/dev/project',
    status: 'pending',
    stopOnFailure: true,
    entries: entries.map(([command, verdict], index) => entry(id, index + 1, command, verdict)),
    approvedBy: null,
    approvedAt: null,
    startedAt: null,
    finishedAt: null,
    note: null,
    ...overrides,
  };
}
