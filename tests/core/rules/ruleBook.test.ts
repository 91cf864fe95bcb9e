import { mkdtemp, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditWriter, verifyAudit, type AuditRecord } from '../../../src-main/core/audit/index.js';
import { createRuleBook } from '../../../src-main/core/rules/ruleBook.js';
import { DEFAULT_POLICY_SETTINGS } from '../../../src-main/core/policy/types.js';
import { classify } from '../policy/engine.js';
import { projects } from './rulesFixture.js';

async function book(content?: string) {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'leash-rulebook-')));
  const path = join(dir, 'policy.json');
  if (content !== undefined) await writeFile(path, content);
  const auditPath = join(dir, 'audit.jsonl');
  const audit = await openAuditWriter(auditPath);
  let ids = 0;
  const rules = createRuleBook({ path, audit, now: () => new Date('2026-12-03T10:00:00.000Z'), newId: () => `r-${(++ids).toString().padStart(12, '0')}` });
  const records = async (): Promise<AuditRecord[]> => {
    await audit.flush();
    return (await readFile(auditPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
  };
  return { dir, path, rules, audit, auditPath, records };
}

describe('the rule book', () => {
  it('saves a rule in a versioned policy file and audits it', async () => {
    const { path, rules, records, audit, auditPath } = await book();
    const { app } = await projects();
    const added = await rules.add({ decision: 'allow', words: ['npm', 'run', 'test'], scope: 'project', cwd: join(app, 'packages', 'web'), example: 'npm run test -- --watch' });
    expect(added).toMatchObject({ id: 'r-000000000001', scope: { kind: 'project', root: app }, lifetime: 'saved', network: false });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 1,
      rules: [{ id: 'r-000000000001', decision: 'allow', words: ['npm', 'run', 'test'], scope: { kind: 'project', root: app }, network: false, addedAt: '2026-12-03T10:00:00.000Z', example: 'npm run test -- --watch' }],
    });
    const recorded = (await records()).find((r) => r.event === 'RULE_ADDED');
    expect(recorded?.details).toEqual({ ruleId: 'r-000000000001', decision: 'allow', words: ['npm', 'run', 'test'], scope: 'project', root: app, lifetime: 'saved', network: false, example: 'npm run test -- --watch' });
    await rules.remove('r-000000000001');
    expect(JSON.parse(await readFile(path, 'utf8')).rules).toEqual([]);
    expect((await records()).map((r) => r.event)).toEqual(['RULE_ADDED', 'RULE_REMOVED']);
    await audit.close();
    expect((await verifyAudit(auditPath)).ok).toBe(true);
  });

  it('keeps a session rule in memory only', async () => {
    const { path, rules } = await book();
    await rules.add({ decision: 'allow', words: ['cargo', 'check'], scope: 'everywhere', lifetime: 'session' });
    expect(rules.list().rules.map((r) => r.lifetime)).toEqual(['session']);
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await classify('cargo check', rules.policyFor('/', DEFAULT_POLICY_SETTINGS))).verdict).toBe('allow');
  });

  it.each([
    [['bash'], 'RULE_REFUSED'],
    [['sudo', 'make'], 'RULE_REFUSED'],
    [['git'], 'RULE_REFUSED'],
    [['/usr/bin/make'], 'RULE_INVALID'],
    [[], 'RULE_INVALID'],
    [['make', 'li\u200bnt'], 'RULE_INVALID'],
  ])('refuses the allow rule %j with %s', async (words, code) => {
    const { rules } = await book();
    await expect(rules.add({ decision: 'allow', words, scope: 'everywhere' })).rejects.toMatchObject({ code });
  });

  it('lets a person deny what no allow rule may name', async () => {
    const { rules } = await book();
    await rules.add({ decision: 'deny', words: ['bash'], scope: 'everywhere' });
    expect((await classify('bash -c "echo hi"', rules.policyFor('/', DEFAULT_POLICY_SETTINGS))).verdict).toBe('deny');
  });

  it('refuses a duplicate, an unknown id and a project that does not exist', async () => {
    const { rules } = await book();
    await rules.add({ decision: 'allow', words: ['make', 'lint'], scope: 'everywhere' });
    await expect(rules.add({ decision: 'allow', words: ['make', 'lint'], scope: 'everywhere' })).rejects.toMatchObject({ code: 'RULE_EXISTS' });
    await expect(rules.remove('r-ffffffffffff')).rejects.toMatchObject({ code: 'RULE_NOT_FOUND' });
    await expect(rules.add({ decision: 'allow', words: ['make'], scope: 'project', cwd: '/no/such/dir' })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await expect(rules.add({ decision: 'allow', words: ['make'], scope: 'project', cwd: 'relative/dir' })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });

  it.each([
    ['not JSON', '{"version": 1, "rules": [', 'POLICY_FILE_NOT_JSON'],
    ['a newer version', '{"version": 2, "rules": []}', 'POLICY_VERSION_UNSUPPORTED'],
    ['missing its version', '{"rules": []}', 'POLICY_FILE_INVALID'],
    ['holding an allow rule for a shell', JSON.stringify({ version: 1, rules: [{ id: 'r-000000000009', decision: 'allow', words: ['sh'], scope: { kind: 'everywhere' }, network: false, addedAt: '2026-12-03T10:00:00.000Z' }] }), 'POLICY_FILE_INVALID'],
    ['holding a relative project root', JSON.stringify({ version: 1, rules: [{ id: 'r-000000000009', decision: 'allow', words: ['make'], scope: { kind: 'project', root: 'app' }, network: false, addedAt: '2026-12-03T10:00:00.000Z' }] }), 'POLICY_FILE_INVALID'],
  ])('reports a policy file %s with a stable code and never overwrites it', async (_, content, code) => {
    const { path, dir, rules } = await book(content);
    expect(rules.list().problem).toMatchObject({ code, path });
    await expect(rules.add({ decision: 'allow', words: ['make', 'lint'], scope: 'everywhere' })).rejects.toMatchObject({ code });
    await expect(rules.remove('r-000000000009')).rejects.toMatchObject({ code });
    expect(await readFile(path, 'utf8')).toBe(content);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Fail closed: while the file is broken even a read-only command waits for a person.
    expect((await classify('ls', rules.policyFor('/', DEFAULT_POLICY_SETTINGS))).reasons[0]?.code).toBe('POLICY_FILE_INVALID');
  });

  it('picks up a file fixed or changed by another process, audits the difference and tells its listeners', async () => {
    const { path, rules, records } = await book('not json');
    const changes: string[] = [];
    rules.on((change) => changes.push(change.kind));
    await writeFile(path, JSON.stringify({ version: 1, rules: [{ id: 'r-00000000000a', decision: 'deny', words: ['npm', 'publish'], scope: { kind: 'everywhere' }, network: false, addedAt: '2026-12-01T00:00:00.000Z' }] }));
    expect(await rules.refresh()).toBe(true);
    expect(await rules.refresh()).toBe(false);
    expect(changes).toEqual(['file-changed']);
    expect(rules.list()).toMatchObject({ problem: null, rules: [{ id: 'r-00000000000a', lifetime: 'saved' }] });
    expect((await classify('npm publish', rules.policyFor('/', DEFAULT_POLICY_SETTINGS))).verdict).toBe('deny');
    await writeFile(path, JSON.stringify({ version: 1, rules: [] }));
    await rules.refresh();
    expect((await records()).map((r) => [r.event, r.details?.ruleId, r.reason])).toEqual([
      ['RULE_ADDED', 'r-00000000000a', 'the policy file was changed outside this Leash'],
      ['RULE_REMOVED', 'r-00000000000a', 'the policy file was changed outside this Leash'],
    ]);
  });

  it('serializes concurrent changes so none is lost', async () => {
    const { path, rules } = await book();
    await Promise.all(['lint', 'test', 'build', 'check', 'docs'].map((target) => rules.add({ decision: 'allow', words: ['make', target], scope: 'everywhere' })));
    expect(JSON.parse(await readFile(path, 'utf8')).rules.map((r: { words: string[] }) => r.words[1]).sort()).toEqual(['build', 'check', 'docs', 'lint', 'test']);
  });
});
