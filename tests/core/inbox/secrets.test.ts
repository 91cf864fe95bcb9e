import { describe, expect, it } from 'vitest';
import { combineSecretSources, envSecretSource, keychainSecretSource, type ProgramRunner } from '../../../src-main/core/inbox/index.js';
import { splitSecretList } from '../../../src-main/core/inbox/secrets.js';
import { OLD_SECRET, SECRET } from './inboxFixtures.js';

const labels = async (source: ReturnType<typeof envSecretSource>): Promise<{ labels: string[]; problems: string[] }> => {
  const loaded = await source.load();
  return { labels: loaded.keys.map((k) => k.label), problems: loaded.problems };
};

describe('envSecretSource', () => {
  it('reads the single secret first, then the rotation list split on commas and newlines', async () => {
    const env = { LEASH_INBOX_HMAC_SECRET: ` ${SECRET}\n`, LEASH_INBOX_HMAC_SECRETS: `${OLD_SECRET}, second-secret-0123456789\n\nthird-secret-0123456789` };
    expect(await labels(envSecretSource(env))).toEqual({
      labels: ['env:LEASH_INBOX_HMAC_SECRET', 'env:LEASH_INBOX_HMAC_SECRETS[1]', 'env:LEASH_INBOX_HMAC_SECRETS[2]', 'env:LEASH_INBOX_HMAC_SECRETS[3]'],
      problems: [],
    });
  });

  it('has no keys and no problems when nothing is set', async () => {
    expect(await labels(envSecretSource({}))).toEqual({ labels: [], problems: [] });
  });

  it('ignores secrets shorter than 16 bytes and says which, without their value', async () => {
    const result = await labels(envSecretSource({ LEASH_INBOX_HMAC_SECRET: 'hunter2', LEASH_INBOX_HMAC_SECRETS: `${SECRET},tiny` }));
    expect(result).toEqual({
      labels: ['env:LEASH_INBOX_HMAC_SECRETS[1]'],
      problems: ['env:LEASH_INBOX_HMAC_SECRET is shorter than 16 bytes and was ignored', 'env:LEASH_INBOX_HMAC_SECRETS[2] is shorter than 16 bytes and was ignored'],
    });
    expect(result.problems.join()).not.toMatch(/hunter2|tiny/);
  });

  it('splits lists the same way for every separator', () => {
    expect(splitSecretList('a,b\nc\r\nd,,\n ,e ')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('keychainSecretSource', () => {
  const fake = (answer: { exitCode: number | undefined; stdout: string }): { run: ProgramRunner; calls: string[][] } => {
    const calls: string[][] = [];
    return { calls, run: async (file, args) => (calls.push([file, ...args]), answer) };
  };

  it.each([
    ['darwin', ['security', 'find-generic-password', '-s', 'leash-inbox', '-w']],
    ['linux', ['secret-tool', 'lookup', 'service', 'leash-inbox']],
  ] as const)('asks the %s keychain for the leash-inbox item', async (platform, command) => {
    const { run, calls } = fake({ exitCode: 0, stdout: `${SECRET}\n` });
    const loaded = await keychainSecretSource({ platform, run }).load();
    expect(calls).toEqual([command]);
    expect(loaded.keys.map((k) => k.label)).toEqual(['keychain:leash-inbox']);
  });

  it('reads several secrets, one per line, for rotation', async () => {
    const { run } = fake({ exitCode: 0, stdout: `${SECRET}\n${OLD_SECRET}\n` });
    expect((await keychainSecretSource({ platform: 'darwin', run }).load()).keys.map((k) => k.label)).toEqual(['keychain:leash-inbox[1]', 'keychain:leash-inbox[2]']);
  });

  it.each([
    ['the item is missing', { exitCode: 44, stdout: '' }],
    ['the tool is not installed', { exitCode: undefined, stdout: '' }],
  ])('gives no keys when %s', async (_name, answer) => {
    const { run } = fake(answer);
    expect(await keychainSecretSource({ platform: 'linux', run }).load()).toEqual({ keys: [], problems: [] });
  });

  it('asks nothing on a platform without a supported keychain', async () => {
    const { run, calls } = fake({ exitCode: 0, stdout: SECRET });
    expect((await keychainSecretSource({ platform: 'win32', run }).load()).keys).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('caches the answer for cacheMs', async () => {
    const { run, calls } = fake({ exitCode: 0, stdout: SECRET });
    let now = 0;
    const source = keychainSecretSource({ platform: 'linux', run, cacheMs: 1000, nowMs: () => now });
    await source.load();
    now = 999;
    await source.load();
    expect(calls).toHaveLength(1);
    now = 1000;
    await source.load();
    expect(calls).toHaveLength(2);
  });
});

describe('combineSecretSources', () => {
  it('keeps every source in order and drops a secret configured twice', async () => {
    const run: ProgramRunner = async () => ({ exitCode: 0, stdout: `${SECRET}\n` });
    const combined = combineSecretSources(envSecretSource({ LEASH_INBOX_HMAC_SECRETS: `${OLD_SECRET},${SECRET}` }), keychainSecretSource({ platform: 'linux', run }));
    expect((await combined.load()).keys.map((k) => k.label)).toEqual(['env:LEASH_INBOX_HMAC_SECRETS[1]', 'env:LEASH_INBOX_HMAC_SECRETS[2]']);
  });
});
