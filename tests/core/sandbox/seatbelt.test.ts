import { describe, expect, it } from 'vitest';
import { seatbeltArgs, seatbeltPolicy, type EntrySandbox } from '../../../src-main/core/sandbox/index.js';

/** The generated text only: sandbox-exec cannot run here (README: untested on a real Mac). */
const context = {
  statePaths: ['/Users/me/Library/Application Support/Leash'],
  credentialPaths: ['/Users/me/.ssh', '/Users/me/.aws'],
  canonical: (path: string) => path,
};

function sandbox(overrides: Partial<EntrySandbox>): EntrySandbox {
  return { profile: 'read-only', network: false, writable: [], workspace: null, reason: '', gitConfig: [], problem: null, ...overrides };
}

/** The `(rule …)` lines of a policy, one per line, for exact checks. */
const rules = (policy: string): string[] => policy.split('\n').filter((line) => line.startsWith('('));

describe('seatbeltPolicy', () => {
  it('denies by default, allows no write and no network for read-only', () => {
    const { policy, params } = seatbeltPolicy(sandbox({}), context);
    expect(rules(policy).slice(0, 2)).toEqual(['(version 1)', '(deny default)']);
    expect(policy).toContain('(allow file-read*)');
    expect(policy).not.toMatch(/\(allow file-write\* \(subpath/);
    expect(policy).not.toContain('network-outbound');
    expect(params).toEqual({
      HIDDEN_0: '/Users/me/Library/Application Support/Leash',
      HIDDEN_1: '/Users/me/.ssh',
      HIDDEN_2: '/Users/me/.aws',
    });
  });

  it('allows writes only inside the workspace, network only when turned on', () => {
    const off = seatbeltPolicy(sandbox({ profile: 'workspace', writable: ['/Users/me/project'], workspace: '/Users/me/project' }), context);
    expect(rules(off.policy)).toContain('(allow file-write* (subpath (param "WRITABLE_0")))');
    expect(off.params.WRITABLE_0).toBe('/Users/me/project');
    expect(off.policy).not.toContain('network-outbound');
    const on = seatbeltPolicy(sandbox({ profile: 'workspace', network: true, writable: ['/Users/me/project'] }), context);
    expect(rules(on.policy)).toContain('(allow network-outbound)');
  });

  it('denies reading and writing credentials and Leash data last, so those rules win', () => {
    const { policy } = seatbeltPolicy(sandbox({ profile: 'workspace', writable: ['/Users/me'] }), context);
    const hidden = '(subpath (param "HIDDEN_0")) (subpath (param "HIDDEN_1")) (subpath (param "HIDDEN_2"))';
    expect(rules(policy).slice(-2)).toEqual([`(deny file-read* ${hidden})`, `(deny file-write* ${hidden})`]);
  });

  it('gives full access everything but Leash data, which stays denied', () => {
    const { policy, params } = seatbeltPolicy(sandbox({ profile: 'full', network: true, writable: ['/'] }), context);
    expect(rules(policy)).toEqual([
      '(version 1)',
      '(allow default)',
      '(deny file-read* (subpath (param "HIDDEN_0")))',
      '(deny file-write* (subpath (param "HIDDEN_0")))',
    ]);
    expect(params).toEqual({ HIDDEN_0: '/Users/me/Library/Application Support/Leash' });
  });

  it('passes paths as parameters, so a path cannot change the policy', () => {
    const evil = '/Users/me/x")) (allow default) ((';
    const { policy, params } = seatbeltPolicy(sandbox({ profile: 'workspace', writable: [evil] }), context);
    expect(policy).not.toContain(evil);
    expect(params.WRITABLE_0).toBe(evil);
    expect(seatbeltArgs({ policy, params })).toEqual(['-p', policy, '-DWRITABLE_0=' + evil, '-DHIDDEN_0=' + context.statePaths[0], '-DHIDDEN_1=/Users/me/.ssh', '-DHIDDEN_2=/Users/me/.aws']);
  });

  it('refuses to build a policy for an unsandboxed entry', () => {
    expect(() => seatbeltPolicy(sandbox({ profile: 'unsandboxed' }), context)).toThrow(/unsandboxed/);
  });
});
