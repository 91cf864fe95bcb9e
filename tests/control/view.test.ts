import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { progressOf } from '../../src-main/control/view.js';

/** A running batch whose entries have these statuses (only what progressOf reads). */
function running(...statuses: Batch['entries'][number]['status'][]): Batch {
  return { status: 'running', entries: statuses.map((status) => ({ status })) } as unknown as Batch;
}

describe('the progress an agent is told', () => {
  it.each<[string, Batch, string]>([
    ['one entry is one entry', running('running'), 'running: 0 of 1 entry done'],
    ['several are entries', running('completed', 'running', 'pending'), 'running: 1 of 3 entries done'],
  ])('%s', (_name, batch, message) => {
    expect(progressOf(batch).message).toBe(message);
  });
});
