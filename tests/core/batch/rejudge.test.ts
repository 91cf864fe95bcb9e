import { mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src-main/core/audit/index.js';
import { openLeash, type Leash } from '../../../src-main/core/leash.js';
import type { Batch } from '../../../src-main/core/batch/index.js';
import { projects } from '../rules/rulesFixture.js';

const opened: Leash[] = [];
afterEach(async () => {
  for (const leash of opened.splice(0)) await leash.close();
});

async function open(): Promise<{ leash: Leash; dataDir: string }> {
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), 'leash-rejudge-')));
  const leash = await openLeash({ dataDir, env: { PATH: process.env.PATH, HOME: process.env.HOME }, mode: 'test' });
  opened.push(leash);
  return { leash, dataDir };
}

function updated(leash: Leash, id: string, done: (batch: Batch) => boolean): Promise<Batch> {
  return new Promise((resolve) => {
    const off = leash.batches.on((event) => {
      if (event.type === 'batch-updated' && event.batch.id === id && done(event.batch)) {
        off();
        resolve(event.batch);
      }
    });
  });
}

async function records(dataDir: string): Promise<AuditRecord[]> {
  return (await readFile(join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
}

describe('rules and pending batches', () => {
  it('classifies a new batch with the rules for its directory', async () => {
    const { leash } = await open();
    const { app, other } = await projects();
    await leash.rules.add({ decision: 'allow', words: ['npm', 'run', 'test'], scope: 'project', cwd: app });
    const inside = await leash.batches.create({ entries: [{ command: 'npm run test' }], cwd: app, source: 'cli' });
    const outside = await leash.batches.create({ entries: [{ command: 'npm run test' }], cwd: other, source: 'cli' });
    expect(inside.entries[0]?.classification.verdict).toBe('allow');
    expect(inside.entries[0]?.classification.reasons[0]?.message).toMatch(/^allowed by your rule `npm run test` for .*\/app, added \d{4}-\d\d-\d\d$/);
    expect(outside.entries[0]?.classification.verdict).toBe('ask');
  });

  it('re-judges a pending batch when a rule is added or removed, and audits the change', async () => {
    const { leash, dataDir } = await open();
    const { app } = await projects();
    const batch = await leash.batches.create({ entries: [{ command: 'cargo check' }, { command: 'cargo check > log.txt' }], cwd: app, source: 'cli' });
    expect(batch.entries.map((e) => e.classification.verdict)).toEqual(['ask', 'ask']);
    const allowed = updated(leash, batch.id, (b) => b.entries[0]?.classification.verdict === 'allow');
    const rule = await leash.rules.add({ decision: 'allow', words: ['cargo', 'check'], scope: 'project', cwd: app });
    const after = await allowed;
    // The redirect stays a person's call: a rule never lifts a structural ask.
    expect(after.entries.map((e) => e.classification.verdict)).toEqual(['allow', 'ask']);
    const back = updated(leash, batch.id, (b) => b.entries[0]?.classification.verdict === 'ask');
    await leash.rules.remove(rule.id);
    await back;
    await leash.audit.flush();
    const events = (await records(dataDir)).filter((r) => r.event.startsWith('RULE_') || r.event === 'BATCH_REJUDGED');
    expect(events.map((r) => r.event)).toEqual(['RULE_ADDED', 'BATCH_REJUDGED', 'RULE_REMOVED', 'BATCH_REJUDGED']);
    expect(events[1]).toMatchObject({ batchId: batch.id, details: { entries: [{ entryId: batch.entries[0]?.id, before: 'ask', after: 'allow' }] } });
  });

  it('shows the sandbox a re-judged entry would now get', async () => {
    const { leash } = await open();
    const { app } = await projects();
    const batch = await leash.batches.create({ entries: [{ command: 'ls' }], cwd: app, source: 'cli' });
    expect(batch.entries[0]?.sandbox?.profile).toBe('read-only');
    const asked = updated(leash, batch.id, (b) => b.entries[0]?.classification.verdict === 'ask');
    await leash.rules.add({ decision: 'ask', words: ['ls'], scope: 'project', cwd: app });
    // No longer the policy's read-only allow: if a person approves it as proposed, it gets the workspace.
    expect((await asked).entries[0]?.sandbox).toMatchObject({ profile: 'workspace', workspace: app });
  });

  it('re-judges when another process changes the policy file', async () => {
    const { leash, dataDir } = await open();
    const batch = await leash.batches.create({ entries: [{ command: 'ls' }], cwd: dataDir, source: 'cli' });
    expect(batch.entries[0]?.classification.verdict).toBe('allow');
    const asked = updated(leash, batch.id, (b) => b.entries[0]?.classification.verdict === 'ask');
    await writeFile(join(dataDir, 'policy.json'), '{ broken');
    // The poller notices within its interval; refresh() is what it calls.
    await leash.rules.refresh();
    const after = await asked;
    expect(after.entries[0]?.classification.reasons[0]?.code).toBe('POLICY_FILE_INVALID');
  });

  it('lets autonomy run a rule-allowed batch only under the workspace sandbox', async () => {
    const { leash } = await open();
    await leash.rules.add({ decision: 'allow', words: ['make', 'lint'], scope: 'everywhere' });
    const { token } = await leash.batches.autonomy.begin();
    const confirmed = await leash.batches.autonomy.confirm(token);
    expect(confirmed.ok).toBe(true);
    const { app } = await projects();
    const batch = await leash.batches.create({ entries: [{ command: 'make lint' }], cwd: app, source: 'cli' });
    expect(batch.entries[0]?.classification.verdict).toBe('allow');
    const after = await leash.batches.whenSettled(batch.id);
    expect(after.approvedBy).toMatch(/^autonomy:/);
    expect(after.entries[0]?.sandbox?.profile).toBe('workspace');
  });
});
