import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { agentView, progressOf } from '../../src-main/control/view.js';

type EntryStatus = Batch['entries'][number]['status'];

/** A batch with these fields and entries of these statuses (only what progressOf reads). */
function batch(fields: Partial<Batch>, ...statuses: EntryStatus[]): Batch {
  return { id: 'b2000000-0000', note: null, entries: statuses.map((status) => ({ status })), ...fields } as unknown as Batch;
}

const AHEAD = '1a2b3c4d-0000-4000-8000-000000000000';
const others: Record<string, Partial<Batch>> = { [AHEAD]: { status: 'running' }, queuedAhead: { status: 'approved' } };
const lookup = (id: string): Batch | undefined => (others[id] ? batch({ id, ...others[id] }) : undefined);

describe('the progress an agent is told', () => {
  it.each<[string, Batch, string]>([
    ['a pending batch waits for a person', batch({ status: 'pending' }, 'pending'), 'waiting for a person to approve the batch in Leash'],
    ['with why it waits', batch({ status: 'pending', note: 'autonomy rate limit reached' }, 'pending'), 'waiting for a person to approve the batch in Leash (autonomy rate limit reached)'],
    ['approved only, it waits for a person to run it', batch({ status: 'approved', queuedAt: null }, 'pending'), 'approved in Leash but not started: waiting for a person to run it'],
    ['queued behind a running batch, named by its short id', batch({ status: 'approved', queuedAt: 't', queuedBehind: AHEAD }, 'pending'), 'approved; queued behind batch 1a2b3c4d, which is running'],
    ['queued behind a queued batch', batch({ status: 'approved', queuedAt: 't', queuedBehind: 'queuedAhead' }, 'pending'), 'approved; queued behind batch queuedAh, which is queued to run too'],
    ['queued behind a batch that just ended', batch({ status: 'approved', queuedAt: 't', queuedBehind: 'gone0000-1' }, 'pending'), 'approved; queued to run after batch gone0000'],
    ['queued with nothing ahead', batch({ status: 'approved', queuedAt: 't', queuedBehind: null }, 'pending'), 'approved; starting now'],
    ['one entry is entry 1 of 1', batch({ status: 'running' }, 'running'), 'running entry 1 of 1'],
    ['the running entry by its place', batch({ status: 'running' }, 'completed', 'running', 'pending'), 'running entry 2 of 3'],
    ['between entries, what is done', batch({ status: 'running' }, 'completed', 'pending'), 'running: 1 of 2 entries done'],
    ['stopping', batch({ status: 'running', stopRequestedAt: 't' }, 'running', 'pending'), 'stopping: a person pressed Stop; 0 of 2 entries done, the rest will be skipped'],
    ['done', batch({ status: 'completed' }, 'completed'), 'done: batch completed'],
  ])('%s', (_name, value, message) => {
    expect(progressOf(value, lookup).message).toBe(message);
  });

  it('never says an approved batch waits for its turn when nothing is queued', () => {
    const messages = [batch({ status: 'approved', queuedAt: null }, 'pending'), batch({ status: 'approved', queuedAt: 't', queuedBehind: null }, 'pending')].map((b) => progressOf(b, lookup).message);
    for (const message of messages) expect(message).not.toMatch(/turn|queued behind/);
  });
});

describe('the batch an agent reads', () => {
  it("carries the person's message with a rejection, and the batch it is queued behind while approved", () => {
    const base = { source: 'mcp:a', approvedBy: null, entries: [] } as Partial<Batch>;
    expect(agentView(batch({ ...base, status: 'rejected', rejectionMessage: 'use make' }))).toMatchObject({ rejectionMessage: 'use make', queuedBehind: null });
    expect(agentView(batch({ ...base, status: 'approved', queuedAt: 't', queuedBehind: AHEAD }))).toMatchObject({ rejectionMessage: null, queuedBehind: '1a2b3c4d' });
  });
});
