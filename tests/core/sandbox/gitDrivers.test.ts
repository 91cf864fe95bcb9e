import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../../src-main/core/batch/types.js';
import { gitDirectories, overridesFromConfigList } from '../../../src-main/core/sandbox/gitDrivers.js';
import { createHarness, projectDirectory, type Harness } from '../batch/harness.js';

/**
 * A repository an agent works in is untrusted: its attributes choose diff and filter drivers by
 * name, and its configuration names the programs they run. Git on the policy's allow must run
 * none of them, through the real batch service, the real sandbox and real git.
 */
const RAN = 'REPOSITORY-PROGRAM-RAN';
const evil = (what: string): string => `sh -c 'echo ${RAN}-${what} >&2; cat' --`;

function untrustedRepository(): string {
  const repo = join(projectDirectory(), 'repo');
  mkdirSync(repo);
  const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  git('init', '-q');
  writeFileSync(join(repo, 'notes.txt'), 'first\n');
  git('add', 'notes.txt');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
  writeFileSync(join(repo, 'notes.txt'), 'first\nsecond\n');
  // `.git/info/attributes` outranks every attributes file Leash could name.
  writeFileSync(join(repo, '.git', 'info', 'attributes'), '*.txt diff=Evil filter=evil\n*.md diff=ext\n');
  git('config', 'diff.Evil.textconv', evil('textconv'));
  git('config', 'filter.evil.clean', evil('clean'));
  git('config', 'filter.evil.smudge', evil('smudge'));
  git('config', 'filter.evil.process', evil('process'));
  git('config', 'diff.ext.command', evil('command'));
  git('config', 'diff.external', evil('external'));
  return repo;
}

/**
 * A repository whose checked-out submodule names programs in its own configuration: git looks
 * into the submodule on `git status` (a racily clean file goes through the clean filter) and
 * shows its diff through its textconv on `git diff --submodule=diff`.
 */
function repositoryWithUntrustedSubmodule(): string {
  const base = projectDirectory();
  const run = (cwd: string, ...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'protocol.file.allow=always', ...args], { cwd, encoding: 'utf8' });
  mkdirSync(join(base, 'lib'));
  run(join(base, 'lib'), 'init', '-q');
  writeFileSync(join(base, 'lib', 'data.txt'), 'aaaa\n');
  run(join(base, 'lib'), 'add', 'data.txt');
  run(join(base, 'lib'), 'commit', '-qm', 'lib');
  const repo = join(base, 'app');
  mkdirSync(repo);
  run(repo, 'init', '-q');
  run(repo, 'submodule', 'add', '-q', join(base, 'lib'), 'vendor/lib');
  run(repo, 'commit', '-qm', 'app');
  const modules = join(repo, '.git', 'modules', 'vendor', 'lib');
  writeFileSync(join(modules, 'info', 'attributes'), '*.txt diff=sub filter=sub\n');
  run(repo, 'config', '-f', join(modules, 'config'), 'filter.sub.clean', evil('submodule-clean'));
  run(repo, 'config', '-f', join(modules, 'config'), 'diff.sub.textconv', evil('submodule-textconv'));
  // Same size, new content: git must read the file (through its clean filter) to see the change.
  writeFileSync(join(repo, 'vendor', 'lib', 'data.txt'), 'bbbb\n');
  return repo;
}

let harness: Harness | undefined;

/** Runs `commands` as one batch in `repo`, each on the policy's allow, and checks none ran a repository's program. */
async function runAllowed(repo: string, commands: string[]): Promise<Batch> {
  harness = await createHarness({ settings: { stopOnFailure: false } });
  const batch = await harness.service.create({ cwd: repo, entries: commands.map((command) => ({ command })) });
  expect(batch.entries.map((e) => e.classification.verdict)).toEqual(commands.map(() => 'allow'));
  await harness.service.approve(batch.id);
  await harness.service.run(batch.id);
  const done = await harness.service.whenSettled(batch.id);
  for (const entry of done.entries) expect(`${entry.stdout?.head}${entry.stderr?.head}`, entry.command).not.toContain(RAN);
  return done;
}
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("git on the policy's allow runs none of the programs a repository names", () => {
  it('switches off textconv, filters and external diff drivers, and says which', async () => {
    const repo = untrustedRepository();
    const done = await runAllowed(repo, ['git status', 'git diff', 'git log -p', 'git show', 'git diff --stat']);
    const [status, diff, log, show] = done.entries;
    expect(status).toMatchObject({ status: 'completed' });
    expect(status?.stdout?.head).toContain('modified:   notes.txt');
    // diff.external has no "off": git refuses to run the emptied program, and the note says why.
    expect(diff).toMatchObject({ status: 'error' });
    expect(diff?.sandboxHint).toMatch(/names a program \(.*diff\.external.*\); Leash does not let git run it/);
    // Log and show use no external diff unless asked: textconv is `cat`, so the real content shows.
    expect(log).toMatchObject({ status: 'completed' });
    expect(log?.stdout?.head).toContain('+first');
    expect(show?.stdout?.head).toContain('+first');
    const started = (await harness!.records()).filter((r) => r.event === 'ENTRY_STARTED');
    const details = started[0]?.details as { sandbox: { gitRepositoryOverrides?: string[] } };
    expect(details?.sandbox.gitRepositoryOverrides).toEqual(
      expect.arrayContaining(['diff.Evil.textconv=cat', 'filter.evil.clean=', 'filter.evil.smudge=', 'filter.evil.process=', 'diff.ext.command=', 'diff.external=']),
    );
  });

  it('would have run them without Leash (the check can fail)', () => {
    const repo = untrustedRepository();
    const plain = spawnSync('git', ['log', '-p'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_PAGER: 'cat' } });
    expect(plain.stderr).toContain(`${RAN}-textconv`);
    const diff = spawnSync('git', ['diff'], { cwd: repo, encoding: 'utf8' });
    expect(diff.stderr).toContain(RAN);
  });

  it("switches off the programs a checked-out submodule's own configuration names", async () => {
    const repo = repositoryWithUntrustedSubmodule();
    const done = await runAllowed(repo, ['git status', 'git diff --submodule=diff', 'git status --short']);
    for (const entry of done.entries) expect(entry.status, entry.command).toBe('completed');
    expect(done.entries[0]?.stdout?.head).toContain('modified content');
    // The submodule's diff shows its real content (textconv is `cat`).
    expect(done.entries[1]?.stdout?.head).toContain('+bbbb');
    const started = (await harness!.records()).find((r) => r.event === 'ENTRY_STARTED');
    expect((started?.details as { sandbox: { gitRepositoryOverrides?: string[] } }).sandbox.gitRepositoryOverrides).toEqual(
      expect.arrayContaining(['filter.sub.clean=', 'diff.sub.textconv=cat']),
    );
  });

  it("would have run the submodule's programs without Leash (the check can fail)", () => {
    const repo = repositoryWithUntrustedSubmodule();
    const status = spawnSync('git', ['status'], { cwd: repo, encoding: 'utf8' });
    expect(status.stderr).toContain(`${RAN}-submodule-clean`);
    const diff = spawnSync('git', ['diff', '--submodule=diff'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_PAGER: 'cat' } });
    expect(diff.stderr).toContain(`${RAN}-submodule-textconv`);
  });

  it("reads the repository of a literal cd target too, and leaves the person's own configuration alone", () => {
    expect(gitDirectories('/work/app', [{ argv: ['cd', '../lib'] }, { argv: ['git', 'diff'] }, { argv: ['pushd', '/srv/repo'] }, { argv: ['cd', '$X'], unknown: [1] }])).toEqual([
      '/work/app',
      '/work/lib',
      '/srv/repo',
    ]);
    const listing = ['global', 'diff.mine.textconv\nexiftool', 'local', 'diff.theirs.textconv\nevil', 'worktree', 'filter.lfs.process\nevil', 'system', 'diff.external\nx', 'local', 'diff.external\ny', 'local', 'user.name\nx', ''].join('\0');
    expect(overridesFromConfigList(listing)).toEqual([
      ['diff.theirs.textconv', 'cat'],
      ['filter.lfs.process', ''],
      ['diff.external', ''],
    ]);
  });
});
