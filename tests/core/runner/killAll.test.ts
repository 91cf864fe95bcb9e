import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEntryRegistry, killAll, startEntry, type EntryRequest } from '../../../src-main/core/runner/index.js';
import { createSandbox, testEnv, type ProbeSandbox } from './processProbe.js';

let sandbox: ProbeSandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  await sandbox.dispose();
});

const request = (command: string): EntryRequest => ({
  command,
  cwd: sandbox.dir,
  timeoutMs: 60_000,
  env: { ...testEnv(), S: sandbox.sleeper },
});

describe('killAll', () => {
  it('kills three concurrent entries at once and returns what it killed', async () => {
    const registry = createEntryRegistry();
    const commands = ['"$S" 300 & "$S" 301', `trap '' TERM; "$S" 302`, '"$S" 303 | cat'];
    const entries = commands.map((command) => startEntry(request(command), {}, { registry }));
    // Every tree fully built before the stop.
    await sandbox.sleepersRunning(4);
    expect(registry.running()).toHaveLength(3);

    const killed = await registry.killAll();

    expect(killed.map((entry) => entry.pid).sort()).toEqual(entries.map((entry) => entry.pid).sort());
    expect(killed.map((entry) => entry.command).sort()).toEqual([...commands].sort());
    for (const entry of entries) expect((await entry.result).outcome).toBe('cancelled');
    expect(await sandbox.survivors()).toEqual([]);
    expect(registry.running()).toEqual([]);
  });

  it('reaches entries started without a registry through the process-wide one', async () => {
    const entry = startEntry(request('"$S" 300'));
    await sandbox.sleepersRunning(1);
    const killed = await killAll();
    expect(killed).toEqual([{ pid: entry.pid, command: '"$S" 300' }]);
    expect((await entry.result).outcome).toBe('cancelled');
    expect(await sandbox.survivors()).toEqual([]);
  });

  it('forgets entries once they finish, so a later stop kills nothing', async () => {
    const registry = createEntryRegistry();
    await startEntry(request('true'), {}, { registry }).result;
    expect(await registry.killAll()).toEqual([]);
  });
});
