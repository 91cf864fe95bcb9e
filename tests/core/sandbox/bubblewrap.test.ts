import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubblewrapArgs, detectBubblewrap, hostControlSockets, type MountPlan } from '../../../src-main/core/sandbox/index.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-bwrap-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `bash -c script` in a sandbox made from `plan`; never rejects. */
function sandboxed(plan: MountPlan, script: string, controlSockets: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bwrap', [...bubblewrapArgs(plan, { controlSockets }), '/bin/bash', '-c', script], { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

function plan(overrides: Partial<MountPlan> = {}): MountPlan {
  return { writable: [], hidden: [], network: false, cwd: '/', ...overrides };
}

describe('bubblewrapArgs', () => {
  it('makes the whole filesystem read-only, also for root', async () => {
    const file = join(root, 'kept.txt');
    await writeFile(file, 'original');
    const run = await sandboxed(plan(), `echo changed > ${file}; rm -f ${file}; mount -o remount,bind,rw / && echo REMOUNTED; echo done`);
    expect(run.stdout).not.toContain('REMOUNTED');
    expect(run.stdout).toContain('done');
    expect(await readFile(file, 'utf8')).toBe('original');
  });

  it('lets a process write only inside the writable directories', async () => {
    const workspace = await mkdtemp(join(root, 'workspace-'));
    const outside = join(root, 'outside.txt');
    const run = await sandboxed(plan({ writable: [workspace], cwd: workspace }), `echo in > inside.txt && pwd; echo out > ${outside}`);
    expect(run.stdout.trim()).toBe(workspace);
    expect(await readFile(join(workspace, 'inside.txt'), 'utf8')).toBe('in\n');
    await expect(readFile(outside, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('hides directories and files, even inside a writable directory', async () => {
    const workspace = await mkdtemp(join(root, 'hidden-'));
    await mkdir(join(workspace, '.ssh'));
    await writeFile(join(workspace, '.ssh', 'id_ed25519'), 'SECRET-KEY');
    await writeFile(join(workspace, 'token.txt'), 'SECRET-TOKEN');
    const run = await sandboxed(
      plan({ writable: [workspace], hidden: [join(workspace, '.ssh'), join(workspace, 'token.txt'), join(workspace, 'missing')], cwd: workspace }),
      'ls -A .ssh; cat token.txt; echo x > .ssh/planted; echo x > token.txt; echo end',
    );
    expect(run.stdout).not.toContain('SECRET');
    expect(run.stdout).not.toContain('id_ed25519');
    expect(run.stdout).toContain('end');
    expect(await readFile(join(workspace, 'token.txt'), 'utf8')).toBe('SECRET-TOKEN');
    await expect(readFile(join(workspace, '.ssh', 'planted'))).rejects.toThrow(/ENOENT/);
  });

  it('gives the sandbox a private /tmp', async () => {
    const marker = join(tmpdir(), `leash-bwrap-marker-${process.pid}`);
    await writeFile(marker, 'host');
    try {
      const run = await sandboxed(plan(), `cat ${marker} 2>/dev/null || echo absent; echo mine > /tmp/own && cat /tmp/own`);
      expect(run.stdout).toBe('absent\nmine\n');
    } finally {
      await rm(marker, { force: true });
    }
  });

  describe('with a listener on the host loopback', () => {
    let server: Server;
    let port: number;
    const received: Buffer[] = [];
    beforeAll(async () => {
      server = createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('reaches nothing without network', async () => {
      const run = await sandboxed(plan(), `echo leaked > /dev/tcp/127.0.0.1/${port} && echo SENT; echo end`);
      expect(run.stdout).toBe('end\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(Buffer.concat(received).toString()).toBe('');
    });

    it('reaches the host when network is on', async () => {
      const run = await sandboxed(plan({ network: true }), `echo hello > /dev/tcp/127.0.0.1/${port} && echo SENT`);
      expect(run.stdout).toBe('SENT\n');
      for (let i = 0; i < 50 && !Buffer.concat(received).toString().includes('hello'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(Buffer.concat(received).toString()).toContain('hello');
    });
  });

  it('covers host control sockets, so nothing outside can be asked to run a program', async () => {
    const socketPath = join(root, 'bus.sock');
    const connections: number[] = [];
    const bus = createServer(() => connections.push(1));
    await new Promise<void>((resolve) => bus.listen(socketPath, resolve));
    try {
      const probe = `python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print("CONNECTED")' ${socketPath} 2>/dev/null; echo end`;
      // No private /tmp here: the socket lives under the host's /tmp.
      const open = await sandboxed(plan({ tmpfs: [] }), probe, []);
      expect(open.stdout).toContain('CONNECTED');
      const covered = await sandboxed(plan({ tmpfs: [] }), probe, [socketPath]);
      expect(covered.stdout).toBe('end\n');
    } finally {
      await new Promise<void>((resolve) => bus.close(() => resolve()));
    }
  });

  it('ends every process of the sandbox when bwrap is killed, detached ones too', async () => {
    const workspace = await mkdtemp(join(root, 'orphan-'));
    const child = spawn('bwrap', [...bubblewrapArgs(plan({ writable: [workspace] }), { controlSockets: [] }), '/bin/bash', '-c', `setsid -f bash -c 'trap "" TERM; echo $$ > ${workspace}/pid; exec -a ${workspace}/orphan sleep 300'; sleep 300`], {
      stdio: 'ignore',
    });
    let marker = '';
    for (let i = 0; i < 100 && !marker; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      marker = await readFile(join(workspace, 'pid'), 'utf8').catch(() => '');
    }
    expect(marker).not.toBe('');
    // The pid inside is namespace-local; find the host process by its unique argv[0] instead.
    const survivors = async (): Promise<number> => {
      const { stdout } = await new Promise<{ stdout: string }>((resolve) => execFile('pgrep', ['-f', `^${workspace}/orphan 300$`], (_e, out) => resolve({ stdout: out })));
      return stdout.trim().split('\n').filter(Boolean).length;
    };
    expect(await survivors()).toBe(1);
    child.kill('SIGKILL');
    let left = await survivors();
    for (let i = 0; i < 50 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = await survivors();
    }
    expect(left).toBe(0);
  });
});

describe('detectBubblewrap', () => {
  it('finds a working bubblewrap here and reports its version', async () => {
    const found = await detectBubblewrap();
    expect(found).toMatchObject({ ok: true });
    if (found.ok) expect(found.version).toMatch(/^\d+\.\d+/);
  });

  it('says how to install bubblewrap when it is missing', async () => {
    const found = await detectBubblewrap({ env: { PATH: join(root, 'no-such-dir') }, executable: undefined, procSys: root });
    // /usr/bin is searched too, so point PATH away and name a missing executable explicitly.
    const missing = found.ok ? await detectBubblewrap({ executable: join(root, 'missing', 'bwrap') }) : found;
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(['BWRAP_NOT_FOUND', 'BWRAP_FAILED']).toContain(missing.code);
  });

  it('names the AppArmor restriction and its fix when namespaces are refused', async () => {
    const fakeBin = await mkdtemp(join(root, 'fake-bwrap-'));
    const fake = join(fakeBin, 'bwrap');
    await writeFile(fake, '#!/bin/sh\n[ "$1" = --version ] && { echo "bubblewrap 0.9.0"; exit 0; }\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n');
    await chmod(fake, 0o755);
    const procSys = await mkdtemp(join(root, 'procsys-'));
    await mkdir(join(procSys, 'kernel'));
    await writeFile(join(procSys, 'kernel', 'apparmor_restrict_unprivileged_userns'), '1\n');
    const found = await detectBubblewrap({ executable: fake, procSys });
    expect(found).toMatchObject({ ok: false, code: 'USERNS_DENIED' });
    if (!found.ok) {
      expect(found.message).toContain('setting up uid map');
      expect(found.fix).toContain('apparmor_restrict_unprivileged_userns');
    }
  });
});

describe('hostControlSockets', () => {
  it('covers the session bus, the runtime directory and the agents named in the environment', () => {
    const paths = hostControlSockets(
      { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus,guid=abc', SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1', XDG_RUNTIME_DIR: '/run/user/1000', DOCKER_HOST: 'unix:///home/u/docker.sock' },
      1000,
    );
    expect(paths).toEqual(expect.arrayContaining(['/run/user/1000', '/run/user/1000/bus', '/tmp/ssh-x/agent.1', '/home/u/docker.sock', '/run/docker.sock', '/run/dbus']));
    expect(hostControlSockets({ DOCKER_HOST: 'tcp://1.2.3.4:2375' }, 1000)).not.toContain('tcp');
  });
});
