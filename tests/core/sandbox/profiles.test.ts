import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, SECRETS, snapshot, type World } from './world.js';

let world: World;
let listener: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  world = await createWorld();
  listener = createServer((socket) => {
    connections++;
    socket.end();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  world.dispose();
});
afterEach(() => {
  connections = 0;
});

const workspace = { profile: 'workspace', network: false } as const;

describe('the workspace profile (approved by a person)', () => {
  it('writes inside the project and nowhere else', async () => {
    const outside = join(world.home, 'outside.txt');
    const { sandbox, result } = await world.run(`echo made > made.txt; mkdir -p sub && echo deep > sub/x; echo no > ${outside}; echo no >> ~/.bashrc; echo host > /tmp/leash-host-marker`, {
      verdict: 'ask',
      choice: workspace,
    });
    expect(sandbox).toMatchObject({ profile: 'workspace', workspace: world.project, network: false });
    expect(readFileSync(join(world.project, 'made.txt'), 'utf8')).toBe('made\n');
    expect(readFileSync(join(world.project, 'sub', 'x'), 'utf8')).toBe('deep\n');
    expect(existsSync(outside)).toBe(false);
    expect(readFileSync(join(world.home, '.bashrc'), 'utf8')).toBe('# start-up file\n');
    expect(existsSync('/tmp/leash-host-marker')).toBe(false);
    expect(result.stderr.head).toMatch(/Read-only file system/);
  });

  it('uses the enclosing git work tree as the project root when run from a subdirectory', async () => {
    const { sandbox } = await world.run('echo from-sub > ../from-sub.txt', { verdict: 'ask', choice: workspace, cwd: world.victim });
    expect(sandbox.workspace).toBe(world.project);
    expect(readFileSync(join(world.project, 'from-sub.txt'), 'utf8')).toBe('from-sub\n');
  });

  it('keeps credentials and Leash data hidden, even from inside the home directory', async () => {
    const before = snapshot(world.dataDir);
    const { result } = await world.run(`cat ~/.ssh/id_ed25519 ~/.aws/credentials; echo '{}' > ${world.dataDir}/config.json; rm -rf ${world.dataDir}/batches`, { verdict: 'ask', choice: workspace });
    expect(result.stdout.head).not.toContain(SECRETS.ssh);
    expect(result.stdout.head).not.toContain(SECRETS.aws);
    expect(snapshot(world.dataDir)).toEqual(before);
  });

  it('has no network unless the person turned it on, and then it has', async () => {
    const command = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`;
    const off = await world.run(command, { verdict: 'ask', choice: workspace });
    expect(off.result.stdout.head).not.toContain('connected');
    expect(connections).toBe(0);
    const on = await world.run(command, { verdict: 'ask', choice: { profile: 'workspace', network: true } });
    expect(on.sandbox.network).toBe(true);
    expect(on.result.stdout.head).toContain('connected');
    expect(connections).toBe(1);
  });

  it('explains a write the sandbox refused in words', async () => {
    const { runtime } = world;
    const { sandbox, result } = await world.run(`touch ${join(world.home, 'nope')}`, { verdict: 'ask', choice: workspace });
    const { explainSandboxDenial } = await import('../../../src-main/core/sandbox/index.js');
    const context = runtime.context();
    expect(explainSandboxDenial(sandbox, result.stderr.head, { hidden: [...context.statePaths, ...context.credentialPaths] })).toBe(
      `the sandbox kept this command from writing outside ${world.project}`,
    );
  });

  it('refuses / and a workspace that is or contains the home directory, or lies inside the data directory or a credential location', () => {
    const choose = (cwd: string) => world.runtime.choose({ classification: { verdict: 'ask', score: 50, requiresManual: true, reasons: [], programs: [], commands: [] }, cwd }, workspace);
    expect(choose(world.home).problem).toMatch(/is your home directory/);
    expect(choose(world.root).problem).toMatch(/contains your home directory/);
    // A directory holding the data directory is accepted: its state is hidden and pinned (see leashStateAttacks.test.ts).
    expect(choose(join(world.home, '.config')).problem).toBeNull();
    expect(choose(world.dataDir).problem).toMatch(/is inside Leash’s own data/);
    expect(choose(join(world.dataDir, 'batches')).problem).toMatch(/is inside Leash’s own data/);
    expect(choose(join(world.home, '.ssh')).problem).toMatch(/is inside a credential location/);
    expect(choose('/').problem).toMatch(/root of the filesystem, so a command could write every file you can/);
    expect(choose(world.project).problem).toBeNull();
  });
});

describe('the full-access profile (chosen explicitly)', () => {
  it('writes anywhere and reaches the network, but Leash data stays hidden and unchanged', async () => {
    const before = snapshot(world.dataDir);
    const outside = join(world.home, 'full.txt');
    const { sandbox, result } = await world.run(
      `echo full > ${outside}; exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected; echo forged > ${world.dataDir}/audit.jsonl; cat ${world.dataDir}/config.json`,
      { verdict: 'ask', choice: { profile: 'full', network: true } },
    );
    expect(sandbox.profile).toBe('full');
    expect(readFileSync(outside, 'utf8')).toBe('full\n');
    expect(result.stdout.head).toContain('connected');
    expect(result.stdout.head).not.toContain(SECRETS.settings);
    expect(snapshot(world.dataDir)).toEqual(before);
  });
});

describe('a normal user (unprivileged user namespaces)', () => {
  it('is held by the same sandbox as root', async () => {
    // Hand the world to nobody, so only the sandbox (not file permissions) can stop the writes.
    const chownTree = (path: string): void => {
      chownSync(path, 65534, 65534);
      if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name));
    };
    chownTree(world.root);
    chmodSync(world.root, 0o755);
    const before = snapshot(world.root);
    const sandbox = world.runtime.choose({ classification: { verdict: 'allow', score: 100, requiresManual: false, reasons: [], programs: [], commands: [] }, cwd: world.project }, workspace);
    const wrapped = world.runtime.wrap(sandbox, world.project);
    if (!wrapped.ok || !wrapped.wrapper) throw new Error('no sandbox');
    const payload = `id -u; rm -rf ${world.victim} ~/.bashrc; echo x > ${world.dataDir}/config.json; touch ${world.project}/M; echo done`;
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', wrapped.wrapper!.file, ...wrapped.wrapper!.args, '/bin/bash', '-c', payload],
        { cwd: world.project, env: { HOME: world.home, PATH: '/usr/bin:/bin' }, encoding: 'utf8' },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      ),
    );
    expect(run.stdout).toBe('65534\ndone\n');
    expect(run.stderr).toMatch(/Read-only file system/);
    expect(snapshot(world.root)).toEqual(before);
  });
});
