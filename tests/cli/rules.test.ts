import { mkdir, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import { memoryIO } from './memoryIO.js';

async function home() {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'leash-cli-rules-')));
  const data = join(base, 'data');
  const app = join(base, 'app');
  await mkdir(join(app, '.git'), { recursive: true });
  await mkdir(join(app, 'src'), { recursive: true });
  return { base, data, app };
}

async function leash(argv: string[], env: { data: string; cwd: string }) {
  const io = memoryIO('', { LEASH_HOME: env.data }, env.cwd);
  const code = await main(argv, io);
  return { code, out: io.output(), err: io.errors() };
}

describe('leash rules', () => {
  it('adds a project rule from inside the project, lists it, and the classifier applies it there only', async () => {
    const { data, app, base } = await home();
    const added = await leash(['rules', 'add', '--json', '--', 'npm', 'run', 'test'], { data, cwd: join(app, 'src') });
    expect(added.code).toBe(0);
    const rule = (JSON.parse(added.out) as { value: { id: string; scope: unknown } }).value;
    expect(rule.scope).toEqual({ kind: 'project', root: app });
    const listed = await leash(['rules', 'list'], { data, cwd: base });
    expect(listed.out).toMatch(new RegExp(`^${rule.id}  ALLOW  \\d{4}-\\d\\d-\\d\\d  npm run test  \\(for ${app.replace(/[/.]/g, '\\$&')}\\)\\n$`));
    expect((await leash(['classify', 'npm run test'], { data, cwd: app })).out).toMatch(/^SAFE \(allow\).*\n.*\n {2}- ALLOWED_BY_RULE: allowed by your rule `npm run test` for /);
    expect((await leash(['classify', 'npm run test'], { data, cwd: base })).out).toMatch(/^REVIEW \(ask\)/);
    const audit = (await readFile(join(data, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(audit.map((r) => r.event)).toContain('RULE_ADDED');
    expect((await leash(['rules', 'remove', rule.id], { data, cwd: base })).code).toBe(0);
    expect((await leash(['rules', 'list', '--json'], { data, cwd: base })).out).toMatch(/"rules": \[\]/);
  });

  it('refuses an allow rule for a wrapper with a stable code, and writes nothing', async () => {
    const { data, app } = await home();
    const refused = await leash(['rules', 'add', '--everywhere', '--json', '--', 'env'], { data, cwd: app });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ ok: false, error: { code: 'RULE_REFUSED' } });
    await expect(readFile(join(data, 'policy.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('adds deny rules, and reports a broken policy file without touching it', async () => {
    const { data, app } = await home();
    expect((await leash(['rules', 'add', '--deny', '--everywhere', '--', 'npm', 'publish'], { data, cwd: app })).code).toBe(0);
    expect((await leash(['classify', 'npm publish --tag next'], { data, cwd: app })).out).toMatch(/^BLOCKED \(deny\)[\s\S]*DENIED_BY_RULE/);
    await writeFile(join(data, 'policy.json'), '{"version": 7, "rules": []}');
    const listed = await leash(['rules', 'list'], { data, cwd: app });
    expect(listed.code).toBe(1);
    expect(listed.err).toMatch(/POLICY_VERSION_UNSUPPORTED/);
    const added = await leash(['rules', 'add', '--', 'make', 'lint'], { data, cwd: app });
    expect(added.err).toMatch(/^leash rules: POLICY_VERSION_UNSUPPORTED: .*Leash does not overwrite it/);
    expect(await readFile(join(data, 'policy.json'), 'utf8')).toBe('{"version": 7, "rules": []}');
  });

  it('explains its usage for a bad invocation', async () => {
    const { data, app } = await home();
    expect((await leash(['rules', 'add'], { data, cwd: app })).code).toBe(2);
    expect((await leash(['rules', 'frobnicate'], { data, cwd: app })).err).toMatch(/unknown rules command/);
  });
});
