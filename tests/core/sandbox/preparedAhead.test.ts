import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src-main/core/audit/index.js';
import { prepareEntry } from '../../../src-main/core/runner/index.js';
import { createHarness, projectDirectory, type Harness } from '../batch/harness.js';
import { livePidsSync, until } from '../batch/procfs.js';
import { sandboxTestRoot } from '../../support/sandboxTestRoot.js';
import { createWorld } from './world.js';

/**
 * The batch runner sets up the next entry's sandbox while one runs (execution.ts, prepareAhead).
 * These prove with real bubblewrap that a prepared sandbox runs nothing before its turn, is
 * used only when it equals a fresh one, and never survives a stop.
 */

/** Live processes whose command line contains `text` (a prepared sandbox carries its command in bwrap's argv). */
const holders = (text: string): number[] => livePidsSync((cmdline) => cmdline.includes(text));

const started = (records: AuditRecord[], entryId: string): { preparedAhead?: boolean } | undefined =>
  (records.find((record) => record.event === 'ENTRY_STARTED' && record.entryId === entryId)?.details as { sandbox?: { preparedAhead?: boolean } } | undefined)?.sandbox;

let harness: Harness | undefined;
let marker = '';
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const pid of marker ? holders(marker) : []) process.kill(pid, 'SIGKILL');
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('a sandbox prepared while the entry before it runs', () => {
  it('is set up during the previous entry, runs its command only at its turn, and is recorded as prepared', async () => {
    marker = `leash-ahead-${randomBytes(4).toString('hex')}`;
    harness = await createHarness();
    const cwd = projectDirectory();
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const batch = await harness.service.create({
      cwd,
      entries: [{ command: `sleep 0.6; test ! -e second-ran # ${marker}-1` }, { command: `touch second-ran # ${marker}-2` }, { command: `test -e second-ran # ${marker}-3` }],
    });
    await harness.service.approve(batch.id, { run: true });
    // The second entry's sandbox exists while the first still runs (its bwrap carries the command).
    await until(() => holders(`${marker}-2`).length > 0, 'the second entry prepared');
    expect(existsSync(join(cwd, 'second-ran'))).toBe(false);
    const done = await harness.service.whenSettled(batch.id);
    expect(done.entries.map((entry) => entry.status)).toEqual(['completed', 'completed', 'completed']);
    const records = await harness.records();
    expect(started(records, done.entries[0]?.id ?? '')?.preparedAhead).toBeUndefined();
    expect(started(records, done.entries[1]?.id ?? '')?.preparedAhead).toBe(true);
    expect(started(records, done.entries[2]?.id ?? '')?.preparedAhead).toBe(true);
    expect(holders(marker)).toEqual([]);
  });

  it('is killed by an emergency stop before it runs anything', async () => {
    marker = `leash-ahead-${randomBytes(4).toString('hex')}`;
    harness = await createHarness();
    const cwd = projectDirectory();
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const batch = await harness.service.create({
      cwd,
      entries: [{ command: `exec -a ${marker}-running sleep 1000` }, { command: `touch prepared-ran; exec -a ${marker}-prepared sleep 1000` }],
    });
    await harness.service.approve(batch.id, { run: true });
    await until(() => holders(`${marker}-prepared`).length > 0 && holders(`${marker}-running`).length > 1, 'one entry running, the next prepared');
    await harness.service.emergencyStop();
    await harness.service.whenSettled(batch.id);
    await harness.service.idle();
    expect(holders(marker)).toEqual([]);
    expect(existsSync(join(cwd, 'prepared-ran'))).toBe(false);
    expect(harness.service.get(batch.id).entries.map((entry) => entry.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('is killed by a graceful stop, and by the end of a batch that stops on a failure or a timeout', async () => {
    marker = `leash-ahead-${randomBytes(4).toString('hex')}`;
    harness = await createHarness();
    const cwd = projectDirectory();
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const stopped = await harness.service.create({ cwd, entries: [{ command: `sleep 0.8 # ${marker}-a` }, { command: `touch stopped-ran # ${marker}-b` }] });
    await harness.service.approve(stopped.id, { run: true });
    await until(() => holders(`${marker}-b`).length > 0, 'the second entry prepared');
    await harness.service.stop(stopped.id);
    // Killed at the stop, not when the running entry ends.
    await until(() => holders(`${marker}-b`).length === 0, 'the prepared sandbox killed by the stop', 5000);
    const afterStop = await harness.service.whenSettled(stopped.id);
    expect(afterStop.entries.map((entry) => entry.status)).toEqual(['completed', 'skipped']);

    const failing = await harness.service.create({ cwd, stopOnFailure: true, entries: [{ command: `sleep 0.5; exit 3 # ${marker}-c` }, { command: `touch failed-ran # ${marker}-d` }] });
    await harness.service.approve(failing.id, { run: true });
    await until(() => holders(`${marker}-d`).length > 0, 'the entry after the failing one prepared');
    const afterFailure = await harness.service.whenSettled(failing.id);
    await harness.service.idle();
    expect(afterFailure.entries.map((entry) => entry.status)).toEqual(['error', 'skipped']);
    expect(holders(marker)).toEqual([]);

    const timing = await harness.service.create({ cwd, stopOnFailure: true, entries: [{ command: `exec -a ${marker}-e sleep 1000`, timeoutMs: 700 }, { command: `touch timed-ran # ${marker}-f` }] });
    await harness.service.approve(timing.id, { run: true });
    await until(() => holders(`${marker}-f`).length > 0, 'the entry after the one that times out prepared');
    const afterTimeout = await harness.service.whenSettled(timing.id);
    await harness.service.idle();
    expect(afterTimeout.entries.map((entry) => entry.status)).toEqual(['timed_out', 'skipped']);
    expect(holders(marker)).toEqual([]);
    for (const name of ['stopped-ran', 'failed-ran', 'timed-ran']) expect(existsSync(join(cwd, name))).toBe(false);
  });

  describe('is not used when a fresh sandbox would differ', () => {
    /** A home with credentials outside /tmp (every sandbox has a private /tmp), a data dir and a project. */
    const setUp = async (): Promise<{ home: string; cwd: string }> => {
      const root = mkdtempSync(join(sandboxTestRoot(), 'prepared-'));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const home = join(root, 'home');
      const cwd = join(root, 'project');
      mkdirSync(home);
      mkdirSync(join(cwd, '.git'), { recursive: true });
      mkdirSync(join(root, 'data'));
      writeFileSync(join(home, '.netrc'), 'machine example.org password OLD-SECRET\n');
      harness = await createHarness({ dir: join(root, 'data'), env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home } });
      return { home, cwd };
    };

    it('hides a credential location created while the previous entry ran', async () => {
      marker = `leash-ahead-${randomBytes(4).toString('hex')}`;
      const { home, cwd } = await setUp();
      const batch = await harness!.service.create({ cwd, entries: [{ command: `sleep 0.6 # ${marker}-1` }, { command: `cat "$HOME/.aws/credentials" # ${marker}-2` }] });
      await harness!.service.approve(batch.id, { run: true });
      await until(() => holders(`${marker}-2`).length > 0, 'the second entry prepared');
      mkdirSync(join(home, '.aws'));
      writeFileSync(join(home, '.aws', 'credentials'), 'NEW-AWS-SECRET\n');
      const done = await harness!.service.whenSettled(batch.id);
      expect(`${done.entries[1]?.stdout?.head}${done.entries[1]?.stderr?.head}`).not.toContain('SECRET');
      expect(started(await harness!.records(), done.entries[1]?.id ?? '')?.preparedAhead).toBeUndefined();
    });

    it('hides a credential file replaced (renamed over) while the previous entry ran', async () => {
      marker = `leash-ahead-${randomBytes(4).toString('hex')}`;
      const { home, cwd } = await setUp();
      const batch = await harness!.service.create({ cwd, entries: [{ command: `sleep 0.6 # ${marker}-1` }, { command: `cat "$HOME/.netrc" # ${marker}-2` }] });
      await harness!.service.approve(batch.id, { run: true });
      await until(() => holders(`${marker}-2`).length > 0, 'the second entry prepared');
      // What `npm login` or an editor does: write a new file, rename it over the old one. On
      // Linux that detaches the prepared sandbox's /dev/null mount over the old file.
      writeFileSync(join(home, '.netrc.new'), 'machine example.org password NEW-SECRET\n');
      renameSync(join(home, '.netrc.new'), join(home, '.netrc'));
      const done = await harness!.service.whenSettled(batch.id);
      // Covered by /dev/null, as in a fresh sandbox (which cannot be opened there: "Permission denied").
      expect(`${done.entries[1]?.stdout?.head}${done.entries[1]?.stderr?.head}`).not.toContain('SECRET');
      expect(started(await harness!.records(), done.entries[1]?.id ?? '')?.preparedAhead).toBeUndefined();
    });
  });
});

describe('prepareEntry', () => {
  it('holds the command until started, and a discarded one never runs', async () => {
    const world = await createWorld();
    cleanups.push(() => world.dispose());
    const sandbox = world.runtime.choose({ classification: { verdict: 'ask', score: 50, requiresManual: true, reasons: [], programs: [], commands: [] }, cwd: world.project }, { profile: 'workspace', network: false });
    const wrapped = world.runtime.wrap(sandbox, world.project);
    if (!wrapped.ok || !wrapped.wrapper) throw new Error('no sandbox');
    const request = (name: string) => ({ command: `echo ran > ${name}; echo out`, cwd: world.project, timeoutMs: 10_000, env: { PATH: '/usr/bin:/bin' }, wrapper: wrapped.wrapper ?? undefined });
    const kept = prepareEntry(request('kept'));
    const dropped = prepareEntry(request('dropped'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(kept.usable()).toBe(true);
    expect(existsSync(join(world.project, 'kept'))).toBe(false);
    await dropped.discard();
    expect(dropped.usable()).toBe(false);
    const result = await kept.start().result;
    expect(result).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(result.stdout.head).toBe('out\n');
    expect(kept.usable()).toBe(false);
    expect(existsSync(join(world.project, 'kept'))).toBe(true);
    expect(existsSync(join(world.project, 'dropped'))).toBe(false);
  });
});
