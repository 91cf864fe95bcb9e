import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewResult } from '../../src-main/core/intake/pastePreview.js';
import { openLeash, type Leash } from '../../src-main/core/leash.js';
import type { Classification } from '../../src-main/core/policy/index.js';
import { CHANNELS } from '../../src-main/ipc/channels.js';
import { createHandlers, dispatch, type Handlers } from '../../src-main/ipc/handlers.js';

type Answer<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

let leash: Leash;
let handlers: Handlers;

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'leash-ipc-'));
  leash = await openLeash({ dataDir, env: { PATH: process.env.PATH }, mode: 'test' });
  handlers = createHandlers({ leash, mode: 'browser', version: 'test' });
});
afterAll(async () => {
  await leash.close();
});

/** Deterministic pseudo-random JSON values, biased toward the shapes handlers expect. */
function fuzzValues(seed: number, count: number): unknown[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const strings = ['', 'x', 'ls', 'rm -rf /', '../../etc/passwd', '__proto__', 'a'.repeat(5000), '\u202e\u200b', '{"a":1}', '$(id)'];
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.15) return strings[Math.floor(next() * strings.length)];
    if (r < 0.25) return Math.floor(next() * 2e9) - 1e9;
    if (r < 0.3) return next() < 0.5;
    if (r < 0.35) return null;
    if (r < 0.5) return Array.from({ length: Math.floor(next() * 12) }, () => value(depth + 1));
    const keys = ['id', 'entryIds', 'text', 'entries', 'command', 'cwd', 'token', 'patch', 'patterns', 'limit', 'batchId', 'reason', '__proto__', 'constructor'];
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 4); i > 0; i--) object[keys[Math.floor(next() * keys.length)] as string] = value(depth + 1);
    return object;
  };
  return Array.from({ length: count }, () => value(0));
}

describe('the IPC handler table', () => {
  it.each(CHANNELS.map((c) => [c]))('%s refuses malformed payloads with INVALID_PAYLOAD', async (channel) => {
    for (const payload of [42, 'text', [1], { unexpected: true }, { id: 5 }, { id: '../../x' }]) {
      const result = await dispatch(handlers, channel, payload);
      if (result.ok) continue; // e.g. channels without fields accept {} only: covered below
      expect(result.error.code).toMatch(/^(INVALID_PAYLOAD|BATCH_NOT_FOUND)$/);
      expect(result.error.message).not.toBe('');
    }
    expect((await dispatch(handlers, channel, { unexpected: true })).ok).toBe(false);
  });

  it('refuses unknown channels', async () => {
    expect(await dispatch(handlers, 'shell:exec', { command: 'id' })).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'no such channel: shell:exec' } });
    expect((await dispatch(handlers, { toString: () => 'x' }, {})).ok).toBe(false);
  });

  it('survives thousands of random payloads with clear errors and runs nothing', async () => {
    const values = fuzzValues(20261129, 150);
    let answered = 0;
    for (const channel of CHANNELS) {
      if (channel === 'app:emergencyStop' || channel === 'autonomy:begin') continue;
      for (const payload of values) {
        const result = await dispatch(handlers, channel, payload);
        answered++;
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(result.error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
          expect(result.error.code).not.toBe('INTERNAL');
          expect(typeof result.error.message).toBe('string');
        }
      }
    }
    expect(answered).toBeGreaterThan(2500);
    await leash.audit.flush();
    const audit = await readFile(leash.audit.path, 'utf8');
    expect(audit).not.toContain('ENTRY_STARTED');
    expect(leash.batches.list({ limit: 200 }).items.every((b) => b.status === 'pending' || b.status === 'rejected' || b.status === 'cancelled')).toBe(true);
  });

  it('never lets the renderer switch autonomy on through settings', async () => {
    const result = await dispatch(handlers, 'settings:update', { patch: { autonomy: { enabled: true, tokenHash: 'a'.repeat(64), fingerprint: 'aaaaaaaaaaaa' } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(leash.batches.autonomy.status().enabled).toBe(false);
  });

  it('runs only the text stored at creation: the renderer acts on ids', async () => {
    const created = await dispatch(handlers, 'batch:create', { entries: [{ command: 'echo stored' }] });
    expect(created.ok).toBe(true);
    const id = (created as { value: { id: string } }).value.id;
    const sneaky = await dispatch(handlers, 'batch:run', { id, command: 'rm -rf /' });
    expect(sneaky).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('refuses a relative or missing working directory instead of running in the home directory', async () => {
    for (const cwd of ['relative/dir', './here', join(tmpdir(), 'leash-ipc-no-such-dir')]) {
      const created = await dispatch(handlers, 'batch:create', { entries: [{ command: 'echo where' }], cwd });
      expect(created).toMatchObject({ ok: false, error: { code: 'CWD_NOT_FOUND' } });
    }
    const home = await dispatch(handlers, 'batch:create', { entries: [{ command: 'echo home' }], cwd: '  ' });
    expect(home).toMatchObject({ ok: true, value: { cwd: (await dispatch(handlers, 'app:info', {}) as { value: { homeDir: string } }).value.homeDir } });
  });

  it("previews and classifies with the person's rules for the batch's directory, as the batch is judged", async () => {
    const project = await mkdtemp(join(tmpdir(), 'leash-ipc-project-'));
    await leash.rules.add({ decision: 'allow', words: ['touch'], scope: 'project', cwd: project, lifetime: 'session' });
    const verdicts = async (cwd?: string): Promise<unknown> => {
      const preview = (await dispatch(handlers, 'batch:preview', cwd === undefined ? { text: 'touch notes.txt' } : { text: 'touch notes.txt', cwd })) as Answer<PreviewResult>;
      if (!preview.ok || !preview.value.ok) throw new Error(JSON.stringify(preview));
      const shown = Object.values(preview.value.modes).flatMap((mode) => mode.entries.map((entry) => entry.classification.verdict));
      const classified = (await dispatch(handlers, 'policy:classify', cwd === undefined ? { command: 'touch notes.txt' } : { command: 'touch notes.txt', cwd })) as Answer<Classification>;
      return { shown, classified: classified.ok ? classified.value.verdict : classified.error.code };
    };
    expect(await verdicts(project)).toEqual({ shown: ['allow', 'allow'], classified: 'allow' });
    expect(await verdicts()).toEqual({ shown: ['ask', 'ask'], classified: 'ask' });
    const created = await dispatch(handlers, 'batch:create', { entries: [{ command: 'touch notes.txt' }], cwd: project });
    expect(created).toMatchObject({ ok: true, value: { entries: [{ classification: { verdict: 'allow' } }] } });
  });
});
