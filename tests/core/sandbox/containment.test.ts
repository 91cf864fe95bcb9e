import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, projectDirectory, type Harness } from '../batch/harness.js';
import { livePidsSync, until } from '../batch/procfs.js';
import { createWorld } from './world.js';

/**
 * Nothing an entry starts outlives it: every way of leaving the process tree (a new session,
 * a double fork, nohup, a TERM-ignoring child) still lives in the entry's PID namespace, which
 * the kernel empties when the sandbox's init dies. Counted in /proc, by a marker in argv[0].
 */
function escapees(marker: string): string {
  const sleeper = (name: string): string => `bash -c 'exec -a ${marker}-${name} sleep 1000'`;
  return [
    `setsid -f ${sleeper('setsid')}`,
    `( ( ${sleeper('double-fork')} & ) & )`,
    `nohup ${sleeper('nohup')} >/dev/null 2>&1 &`,
    `setsid -f ${sleeper('daemon')} </dev/null >/dev/null 2>&1`,
    `bash -c 'trap "" TERM HUP INT; exec -a ${marker}-ignores-term sleep 1000' &`,
    `exec -a ${marker}-foreground sleep 1000`,
  ].join('\n');
}
const ESCAPEES = 6;

/** Live processes whose command line carries `marker` (zombies are dead: they only wait to be reaped). */
function survivors(marker: string): number[] {
  return livePidsSync((cmdline) => cmdline.startsWith(`${marker}-`));
}

let harness: Harness | undefined;
let marker = '';
afterEach(async () => {
  for (const pid of survivors(marker)) process.kill(pid, 'SIGKILL');
  await harness?.close();
  harness = undefined;
});

describe('containment of a sandboxed entry', () => {
  it('leaves zero survivors of setsid -f, double forks, nohup and TERM-ignoring children after a timeout', async () => {
    marker = `leash-escape-${randomBytes(5).toString('hex')}`;
    harness = await createHarness();
    const batch = await harness.service.create({ cwd: projectDirectory(), entries: [{ command: escapees(marker), timeoutMs: 4000 }] });
    await harness.service.approve(batch.id);
    await harness.service.run(batch.id);
    await until(() => survivors(marker).length === ESCAPEES, 'every escapee running');
    const done = await harness.service.whenSettled(batch.id);
    expect(done.entries[0]).toMatchObject({ status: 'timed_out', sandbox: { profile: 'workspace' } });
    expect(survivors(marker)).toEqual([]);
  });

  it('leaves zero survivors after an emergency stop', async () => {
    marker = `leash-escape-${randomBytes(5).toString('hex')}`;
    harness = await createHarness();
    const batch = await harness.service.create({ cwd: projectDirectory(), entries: [{ command: escapees(marker) }] });
    await harness.service.approve(batch.id);
    await harness.service.run(batch.id);
    await until(() => survivors(marker).length === ESCAPEES, 'every escapee running');
    const report = await harness.service.emergencyStop();
    expect(report.killed?.batchId).toBe(batch.id);
    expect(survivors(marker)).toEqual([]);
  });

  it('leaves zero survivors when Leash itself is killed (the sandbox dies with its parent)', async () => {
    marker = `leash-escape-${randomBytes(5).toString('hex')}`;
    const world = await createWorld();
    try {
      const sandbox = world.runtime.choose({ classification: { verdict: 'allow', score: 100, requiresManual: false, reasons: [], programs: [], commands: [] }, cwd: world.project }, { profile: 'workspace', network: false });
      const wrapped = world.runtime.wrap(sandbox, world.project);
      if (!wrapped.ok || !wrapped.wrapper) throw new Error('no sandbox');
      // A stand-in for Leash: a Node process that starts the entry detached, as the runner does, and is then SIGKILLed.
      const argv = [wrapped.wrapper.file, ...wrapped.wrapper.args, '/bin/bash', '-c', escapees(marker)];
      const leash = spawn(process.execPath, ['-e', `require('child_process').spawn(${JSON.stringify(argv[0])}, ${JSON.stringify(argv.slice(1))}, { detached: true, stdio: 'ignore' }); setInterval(() => {}, 1000);`], {
        stdio: 'ignore',
        cwd: world.project,
      });
      await until(() => survivors(marker).length === ESCAPEES, 'every escapee running');
      leash.kill('SIGKILL');
      // The kernel delivers the parent-death signal as the parent exits; give it that moment.
      await until(() => survivors(marker).length === 0, 'the sandbox to die with its parent', 5000);
      expect(survivors(marker)).toEqual([]);
    } finally {
      world.dispose();
    }
  });
});
