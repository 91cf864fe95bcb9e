import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntry } from '../../../src-main/core/runner/index.js';
import { createSandboxRuntime, detectSandbox, type SandboxRuntime } from '../../../src-main/core/sandbox/index.js';
import type { Classification } from '../../../src-main/core/policy/types.js';
import { snapshot } from './world.js';
import { sandboxTestRoot } from '../../support/sandboxTestRoot.js';

/**
 * A project that holds Leash's data directory (as a test's temp directory does, or a person who
 * keeps LEASH_HOME in a checkout): a workspace-profile entry may write the project, and must not
 * be able to write any of Leash's state through any path. Outside /tmp on purpose (every sandbox
 * has a private /tmp, which would make "nothing changed" trivial).
 */
const asked: Classification = { verdict: 'ask', score: 50, requiresManual: true, reasons: [], programs: [], commands: [] };
const workspace = { profile: 'workspace', network: false } as const;

let root: string;
let project: string;
let dataDir: string;
let auditPath: string;
let socketPath: string;
let runtime: SandboxRuntime;
let control: Server;
let connections = 0;

beforeAll(async () => {
  const support = await detectSandbox();
  if (!support.ok) throw new Error(`these tests need a working sandbox: ${support.message}`);
  root = mkdtempSync(join(sandboxTestRoot(), 'state-attacks-'));
  const home = join(root, 'home');
  project = join(root, 'project');
  dataDir = join(project, 'state', 'leash-home');
  auditPath = join(dataDir, 'audit.jsonl');
  for (const dir of [home, join(dataDir, 'batches')]) mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', project]);
  writeFileSync(join(dataDir, 'config.json'), '{"autonomy":{"enabled":false}}\n');
  writeFileSync(auditPath, '{"seq":1}\n');
  writeFileSync(`${auditPath}.head`, '{"seq":1}\n');
  writeFileSync(`${auditPath}.lock`, '1234\n');
  writeFileSync(join(dataDir, 'control.secret'), 'secret\n');
  writeFileSync(join(dataDir, 'batches', 'b1.json'), '{"entries":[{"command":"echo shown"}]}\n');
  socketPath = join(dataDir, 'control.sock');
  control = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => control.listen(socketPath, resolve));
  runtime = createSandboxRuntime({ support, home, env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin' }, state: () => ({ dataDir, auditPath }) });
});

afterAll(async () => {
  await new Promise((resolve) => control.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

async function runApproved(command: string): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const sandbox = runtime.choose({ classification: asked, cwd: project }, workspace);
  if (sandbox.problem !== null) throw new Error(sandbox.problem);
  const wrapped = runtime.wrap(sandbox, project);
  if (!wrapped.ok || !wrapped.wrapper) throw new Error(wrapped.ok ? 'no sandbox' : wrapped.message);
  const result = await startEntry({ command, cwd: project, timeoutMs: 20_000, env: { HOME: join(root, 'home'), PATH: '/usr/local/bin:/usr/bin:/bin' }, wrapper: wrapped.wrapper }).result;
  return { stdout: result.stdout.head, stderr: result.stderr.head, exitCode: result.exitCode };
}

const D = () => dataDir;
const P = () => project;

describe('a workspace that contains Leash’s data directory', () => {
  it('is accepted as the project root (the state inside it is hidden, not a reason to refuse)', () => {
    const sandbox = runtime.choose({ classification: asked, cwd: project }, workspace);
    expect(sandbox).toMatchObject({ profile: 'workspace', workspace: project, problem: null });
  });

  it.each([
    ['direct writes', () => `echo forged >> ${D()}/audit.jsonl; echo '{"autonomy":{"enabled":true}}' > ${D()}/config.json; echo x > ${D()}/audit.jsonl.head; rm -f ${D()}/audit.jsonl.lock; truncate -s0 ${D()}/audit.jsonl; touch ${D()}/batches/new.json; echo '{}' > ${D()}/batches/b1.json`],
    ['symbolic links made in the project', () => `ln -s ${D()}/config.json ${P()}/l1 && echo x > ${P()}/l1; ln -s ${D()} ${P()}/l2 && echo x > ${P()}/l2/config.json; ln -s ${D()}/batches ${P()}/l3 && touch ${P()}/l3/b2.json`],
    ['.. and /proc/self paths', () => `cd ${D()}/../.. && echo x > ./state/leash-home/config.json; echo x > ${P()}/state/leash-home/../leash-home/config.json; echo x > /proc/self/root${D()}/config.json; echo x > /proc/self/cwd/state/leash-home/config.json; echo x > /proc/1/root${D()}/audit.jsonl`],
    ['re-mounting, unmounting and new namespaces', () => `mount --bind ${P()} ${D()}; umount ${D()}; umount -l ${D()}; mount -o remount,rw ${D()}; unshare -rm sh -c 'umount ${D()}; echo x > ${D()}/config.json'; nsenter -t 1 -m sh -c 'echo x > ${D()}/config.json'`],
    ['hard links made during the run', () => `ln ${D()}/config.json ${P()}/h1 && echo x > ${P()}/h1; ln ${D()}/audit.jsonl ${P()}/h2 && echo x >> ${P()}/h2; cp -al ${D()} ${P()}/h3 && ls -A ${P()}/h3`],
    ['renaming the data directory or a directory on the way to it, then forging one in its place', () => `mv ${P()}/state ${P()}/moved; mv ${D()} ${P()}/moved2; python3 -c 'import os; os.rename("${P()}/state", "${P()}/moved3")'; mkdir -p ${P()}/state/leash-home && echo '{"autonomy":{"enabled":true}}' > ${P()}/state/leash-home/config.json; rm -rf ${P()}/state; rmdir ${P()}/state/leash-home`],
    ['the control socket', () => `python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("${D()}/control.sock"); s.send(b"x")'; echo x > ${D()}/control.sock; exec 3<>${D()}/control.sock`],
  ])('keeps every byte of it unchanged against %s', async (_name, command) => {
    const before = snapshot(dataDir);
    const result = await runApproved(`${command()}; echo ran-to-the-end`);
    expect(result.stdout).toContain('ran-to-the-end');
    expect(snapshot(dataDir)).toEqual(before);
    expect(connections).toBe(0);
    // Nothing was moved aside: the real state is still where Leash reads it, and no copy of it
    // left the hidden directory (`mv` falls back to copying what it sees: an empty directory).
    const copies = execFileSync('find', [project, '-path', dataDir, '-prune', '-o', '-type', 'f', '-name', '*.json', '-print'], { encoding: 'utf8' });
    expect(copies).toBe('');
    for (const left of ['moved', 'moved2', 'moved3', 'h3']) rmSync(join(project, left), { recursive: true, force: true });
  });

  it('still lets the entry write the rest of the project', async () => {
    const result = await runApproved(`echo made > ${P()}/made.txt && mkdir -p ${P()}/state/other && echo ok > ${P()}/state/other/x && echo ran-to-the-end`);
    expect(result.stdout).toContain('ran-to-the-end');
    expect(existsSync(join(project, 'made.txt'))).toBe(true);
    expect(existsSync(join(project, 'state', 'other', 'x'))).toBe(true);
  });

  it('refuses to run anything that may write while a file of Leash’s state has a second name (a hard link made before the run)', async () => {
    const link = join(project, 'planted-link');
    linkSync(join(dataDir, 'config.json'), link);
    try {
      const sandbox = runtime.choose({ classification: asked, cwd: project }, workspace);
      const wrapped = runtime.wrap(sandbox, project);
      expect(wrapped).toMatchObject({ ok: false, code: 'SANDBOX_REFUSED' });
      expect(wrapped.ok ? '' : wrapped.message).toContain(`${dataDir}/config.json (Leash’s own data) has a second name`);
    } finally {
      unlinkSync(link);
    }
    expect(runtime.wrap(runtime.choose({ classification: asked, cwd: project }, workspace), project).ok).toBe(true);
  });

  it('refuses a workspace holding a place for Leash’s state that does not exist yet (it could be created and forged)', () => {
    const inboxDir = join(project, 'inbox');
    mkdirSync(join(inboxDir, 'commands'), { recursive: true });
    const withInbox = createSandboxRuntime({ support: runtime.support, home: join(root, 'home'), env: {}, state: () => ({ dataDir, auditPath, inboxDir }) });
    expect(withInbox.choose({ classification: asked, cwd: project }, workspace).problem).toMatch(/inbox\/meta, a place for Leash’s own data that does not exist yet/);
    for (const name of ['meta', 'results', 'archive', 'dead_letter']) mkdirSync(join(inboxDir, name));
    expect(withInbox.choose({ classification: asked, cwd: project }, workspace).problem).toBeNull();
  });

  it('refuses a workspace that reaches Leash’s state through a symbolic link it could repoint', () => {
    const real = join(root, 'elsewhere');
    mkdirSync(real, { recursive: true });
    const linkedProject = join(root, 'linked-project');
    mkdirSync(linkedProject);
    execFileSync('ln', ['-s', real, join(linkedProject, 'data')]);
    const linked = createSandboxRuntime({ support: runtime.support, home: join(root, 'home'), env: {}, state: () => ({ dataDir: join(linkedProject, 'data'), auditPath: join(real, 'audit.jsonl') }) });
    expect(linked.choose({ classification: asked, cwd: linkedProject }, workspace).problem).toMatch(/symbolic link on the way to Leash’s own data/);
  });
});

describe('an audit log kept outside the data directory, inside the project', () => {
  it('hides its sealed segments and its keys too: nothing there can be read or changed', async () => {
    const trail = join(project, 'trail');
    mkdirSync(trail, { recursive: true });
    const log = join(trail, 'audit.jsonl');
    const files = [log, `${log}.head`, `${log}.lock`, `${log}.seal-key`, `${log}.verify-key`, join(trail, 'audit.000001.jsonl'), join(trail, 'audit.000002.jsonl')];
    for (const file of files) writeFileSync(file, 'leash-state\n');
    const outside = createSandboxRuntime({ support: runtime.support, home: join(root, 'home'), env: {}, state: () => ({ dataDir, auditPath: log }) });
    const sandbox = outside.choose({ classification: asked, cwd: project }, workspace);
    expect(sandbox.problem).toBeNull();
    const wrapped = outside.wrap(sandbox, project);
    if (!wrapped.ok || !wrapped.wrapper) throw new Error(wrapped.ok ? 'no sandbox' : wrapped.message);
    const before = snapshot(trail);
    const command = `cat ${trail}/*; for f in ${trail}/*; do echo forged >> "$f"; done; rm -f ${trail}/audit.000001.jsonl; echo made > ${project}/made.txt`;
    const result = await startEntry({ command, cwd: project, timeoutMs: 20_000, env: { HOME: join(root, 'home'), PATH: '/usr/local/bin:/usr/bin:/bin' }, wrapper: wrapped.wrapper }).result;
    expect(result.stdout.head).not.toContain('leash-state');
    expect(snapshot(trail)).toEqual(before);
    // The rest of the project stays writable.
    expect(readFileSync(join(project, 'made.txt'), 'utf8')).toBe('made\n');
  });
});
