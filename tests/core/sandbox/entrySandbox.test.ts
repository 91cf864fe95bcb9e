import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../src-main/core/policy/types.js';
import { chooseEntrySandbox, explainSandboxDenial, type SandboxContext } from '../../../src-main/core/sandbox/index.js';

const root = mkdtempSync(join(tmpdir(), 'leash-choice-'));
const home = join(root, 'home');
const project = join(home, 'project');
mkdirSync(join(project, '.git'), { recursive: true });
mkdirSync(join(project, 'src'));

const context: SandboxContext = {
  available: true,
  unavailableReason: null,
  home,
  env: {},
  statePaths: [join(home, '.config', 'Leash')],
  credentialPaths: [join(home, '.ssh')],
};

function classified(verdict: Classification['verdict'], rules: string[] = [], programs: string[] = []): Classification {
  return { verdict, score: verdict === 'allow' ? 100 : verdict === 'ask' ? 50 : 0, requiresManual: verdict !== 'allow', reasons: rules.map((rule) => ({ code: 'ALLOWED_COMMAND', message: '', rule })), programs, commands: [] };
}

describe('chooseEntrySandbox', () => {
  it.each([
    ['allowed, default choice', classified('allow'), { profile: 'workspace', network: false }, { profile: 'read-only', network: false, writable: [] }],
    ['allowed, even when a person chose full access', classified('allow'), { profile: 'full', network: true }, { profile: 'read-only', network: false }],
    ['asked, default choice', classified('ask'), { profile: 'workspace', network: false }, { profile: 'workspace', network: false, writable: [project], workspace: project }],
    ['asked, network turned on', classified('ask'), { profile: 'workspace', network: true }, { profile: 'workspace', network: true }],
    ['asked, read-only chosen', classified('ask'), { profile: 'read-only', network: true }, { profile: 'read-only', network: false }],
    ['asked, full access chosen', classified('ask'), { profile: 'full', network: false }, { profile: 'full', network: true, writable: ['/'] }],
    ['an apt install the allowlist admits', classified('allow', ['allow:apt-install']), { profile: 'workspace', network: false }, { profile: 'package-install', network: true }],
  ] as const)('%s', (_name, classification, choice, expected) => {
    expect(chooseEntrySandbox({ classification, cwd: join(project, 'src') }, choice, context)).toMatchObject({ ...expected, problem: null });
  });

  it('writes only where apt installs, never the home directory', () => {
    const sandbox = chooseEntrySandbox({ classification: classified('allow', ['allow:apt-install']), cwd: project }, { profile: 'workspace', network: false }, context);
    expect(sandbox.writable).toEqual(expect.arrayContaining(['/usr', '/etc', '/var']));
    expect(sandbox.writable.some((path) => path.startsWith(home))).toBe(false);
  });

  it('marks every entry unsandboxed, with the reason, where no sandbox works', () => {
    const none = { ...context, available: false, unavailableReason: 'bubblewrap (bwrap) is not installed' };
    expect(chooseEntrySandbox({ classification: classified('allow'), cwd: project }, { profile: 'workspace', network: false }, none)).toMatchObject({
      profile: 'unsandboxed',
      reason: 'no sandbox works on this machine: bubblewrap (bwrap) is not installed',
    });
  });

  it('forces git’s safe configuration only for git on the policy’s allow', () => {
    const allowed = chooseEntrySandbox({ classification: classified('allow', [], ['git']), cwd: project }, { profile: 'workspace', network: false }, context);
    expect(allowed.gitConfig).toEqual(expect.arrayContaining(['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'core.pager=cat', 'GIT_PAGER=cat']));
    const asked = chooseEntrySandbox({ classification: classified('ask', [], ['git']), cwd: project }, { profile: 'workspace', network: false }, context);
    expect(asked.gitConfig).toEqual([]);
  });

  it('records a problem instead of a workspace when the directory is the home directory', () => {
    const sandbox = chooseEntrySandbox({ classification: classified('ask'), cwd: home }, { profile: 'workspace', network: false }, context);
    expect(sandbox.writable).toEqual([]);
    expect(sandbox.problem).toMatch(/is your home directory/);
  });
});

describe('explainSandboxDenial', () => {
  const workspace = chooseEntrySandbox({ classification: classified('ask'), cwd: project }, { profile: 'workspace', network: false }, context);
  const readOnly = chooseEntrySandbox({ classification: classified('allow'), cwd: project }, { profile: 'workspace', network: false }, context);
  const hidden = { hidden: [...context.statePaths, ...context.credentialPaths] };
  it.each([
    [workspace, "touch: cannot touch '/etc/x': Read-only file system", `the sandbox kept this command from writing outside ${project}`],
    [readOnly, 'rm: cannot remove ‘a’: Read-only file system', 'the sandbox kept this command from writing: it ran read-only (only a private /tmp is writable)'],
    [workspace, 'curl: (6) Could not resolve host: example.com', 'the sandbox kept this command off the network (turn the network on when you approve the batch)'],
    [readOnly, `cat: ${home}/.ssh/id_rsa: No such file or directory`, `the sandbox hides ${home}/.ssh from commands (credentials and Leash’s own data)`],
    [workspace, 'error: something else went wrong', null],
  ] as const)('explains %#', (sandbox, stderr, expected) => {
    expect(explainSandboxDenial(sandbox, stderr, hidden)).toBe(expected);
  });
});
