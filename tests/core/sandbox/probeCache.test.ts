import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectBubblewrap, forgetSandboxProbes, type SandboxSupport } from '../../../src-main/core/sandbox/index.js';
import { createHarness, projectDirectory, type Harness } from '../batch/harness.js';

let root: string;
let harness: Harness | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-probe-cache-'));
  forgetSandboxProbes();
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  forgetSandboxProbes();
  await rm(root, { recursive: true, force: true });
});

/**
 * A stand-in bwrap that logs every call and passes its probe, until the file `broken` exists:
 * then it fails as a bwrap without user namespaces does, running nothing.
 */
async function fakeBwrap(extra = ''): Promise<{ executable: string; log: string; breakIt: () => Promise<void> }> {
  const dir = await mkdtemp(join(root, 'bin-'));
  const executable = join(dir, 'bwrap');
  const log = join(dir, 'calls.log');
  const broken = join(dir, 'broken');
  await writeFile(
    executable,
    `#!/bin/sh\n# ${extra}\necho "$1" >> '${log}'\n[ "$1" = --version ] && { echo "bubblewrap 0.9.0"; exit 0; }\n` +
      `[ -e '${broken}' ] && { echo "bwrap: setting up uid map: Permission denied" >&2; exit 1; }\nexit 0\n`,
  );
  await chmod(executable, 0o755);
  return { executable, log, breakIt: () => writeFile(broken, '') };
}

async function calls(log: string): Promise<number> {
  return existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean).length : 0;
}

/** A /proc/sys stand-in with the switches a machine that allows user namespaces has. */
async function procSys(): Promise<string> {
  const dir = await mkdtemp(join(root, 'procsys-'));
  await mkdir(join(dir, 'kernel', 'random'), { recursive: true });
  await mkdir(join(dir, 'user'));
  await writeFile(join(dir, 'kernel', 'random', 'boot_id'), 'b0a7c1d2-0000-4000-8000-000000000001\n');
  await writeFile(join(dir, 'user', 'max_user_namespaces'), '15000\n');
  return dir;
}

describe('the remembered sandbox probe', () => {
  it('lets a later process skip the probe when nothing it depended on changed', async () => {
    const bwrap = await fakeBwrap();
    const options = { executable: bwrap.executable, procSys: await procSys(), cacheFile: join(root, 'sandbox-probe.json') };
    await expect(detectBubblewrap(options)).resolves.toEqual({ ok: true, executable: bwrap.executable, version: '0.9.0' });
    expect(await calls(bwrap.log)).toBe(2); // --version and the probe run
    forgetSandboxProbes(); // as a new process starts
    await expect(detectBubblewrap(options)).resolves.toEqual({ ok: true, executable: bwrap.executable, version: '0.9.0' });
    expect(await calls(bwrap.log)).toBe(2);
  });

  it.each([
    ['the bwrap binary changed', async (o: { executable: string; procSys: string }) => writeFile(o.executable, `${await readFile(o.executable, 'utf8')}# upgraded\n`)],
    ['the kernel forbids user namespaces now', async (o: { executable: string; procSys: string }) => writeFile(join(o.procSys, 'user', 'max_user_namespaces'), '0\n')],
    ['the machine rebooted', async (o: { executable: string; procSys: string }) => writeFile(join(o.procSys, 'kernel', 'random', 'boot_id'), 'b0a7c1d2-0000-4000-8000-000000000002\n')],
    ['the file was damaged', async () => writeFile(join(root, 'sandbox-probe.json'), '{"format":1,"key":')],
  ])('probes again when %s', async (_change, change) => {
    const bwrap = await fakeBwrap();
    const options = { executable: bwrap.executable, procSys: await procSys(), cacheFile: join(root, 'sandbox-probe.json') };
    await detectBubblewrap(options);
    await change(options);
    forgetSandboxProbes();
    await expect(detectBubblewrap(options)).resolves.toMatchObject({ ok: true });
    expect(await calls(bwrap.log)).toBe(4);
  });

  it('never remembers a failed probe (no sandbox is what lets a person run unsandboxed)', async () => {
    const bwrap = await fakeBwrap();
    await bwrap.breakIt();
    const cacheFile = join(root, 'sandbox-probe.json');
    const options = { executable: bwrap.executable, procSys: await procSys(), cacheFile };
    await expect(detectBubblewrap(options)).resolves.toMatchObject({ ok: false, code: 'USERNS_DENIED' });
    expect(existsSync(cacheFile)).toBe(false);
  });

  it('does not answer for another bwrap than the one it remembered', async () => {
    const first = await fakeBwrap('first');
    const second = await fakeBwrap('second');
    const shared = { procSys: await procSys(), cacheFile: join(root, 'sandbox-probe.json') };
    await detectBubblewrap({ ...shared, executable: first.executable });
    forgetSandboxProbes();
    await expect(detectBubblewrap({ ...shared, executable: second.executable })).resolves.toEqual({ ok: true, executable: second.executable, version: '0.9.0' });
    expect(await calls(second.log)).toBe(2);
  });

  it('fails closed when the remembered sandbox stopped working: the entry fails and its command never runs', async () => {
    const bwrap = await fakeBwrap();
    const options = { executable: bwrap.executable, procSys: await procSys(), cacheFile: join(root, 'sandbox-probe.json') };
    await detectBubblewrap(options);
    // Broken in a way the remembered key cannot see (say an AppArmor profile changed).
    await bwrap.breakIt();
    forgetSandboxProbes();
    const found = await detectBubblewrap(options);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const support: SandboxSupport = { ok: true, kind: 'bubblewrap', executable: found.executable, version: found.version };
    harness = await createHarness({ sandbox: support });
    const cwd = projectDirectory();
    const batch = await harness.service.create({ cwd, entries: [{ command: 'touch made' }] });
    await harness.service.approve(batch.id, { sandbox: { profile: 'workspace', network: false } });
    await harness.service.run(batch.id);
    const done = await harness.service.whenSettled(batch.id);
    expect(done.entries[0]).toMatchObject({ status: 'error', exitCode: 1 });
    expect(done.entries[0]?.stderr?.head).toContain('setting up uid map');
    expect(existsSync(join(cwd, 'made'))).toBe(false);
  });
});
