// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import RulesSettings from '../../src-renderer/src/components/RulesSettings.vue';
import type { RuleList, RuleView } from '../../src-renderer/src/model/contract';
import { fakeIpc, IpcFailure } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

const RULE: RuleView = {
  id: 'r-0123456789ab',
  decision: 'allow',
  words: ['npm', 'run', 'test'],
  scope: { kind: 'project', root: '/home/ann/code/app' },
  lifetime: 'saved',
  network: false,
  addedAt: '2026-12-03T10:00:00.000Z',
  text: 'npm run test',
  where: 'for ~/code/app',
};

function list(rules: RuleView[], problem: RuleList['problem'] = null): RuleList {
  return { path: '/home/ann/.config/Leash/policy.json', rules, problem };
}

describe('RulesSettings', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
  });

  it('lists each rule with where it applies and since when, and removes one', async () => {
    let rules = [RULE, { ...RULE, id: 'r-0000000000aa', decision: 'deny' as const, words: ['npm', 'publish'], text: 'npm publish', scope: { kind: 'everywhere' as const }, where: 'everywhere', lifetime: 'session' as const }];
    fakeIpc.handle('rules:list', () => list(rules));
    fakeIpc.handle('rules:remove', ({ id }) => {
      const removed = rules.find((r) => r.id === id) as RuleView;
      rules = rules.filter((r) => r.id !== id);
      return removed;
    });
    const wrapper = mount(RulesSettings, { attachTo: document.body });
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="rule-row"]');
    expect(rows.map((r) => r.findAll('span, code, button').map((part) => part.text().trim()))).toEqual([
      ['Always allow', 'npm run test', 'for ~/code/app', 'added 2026-12-03', 'Remove'],
      ['Never allow', 'npm publish', 'everywhere', 'this session only', 'Remove'],
    ]);
    await rows[0]?.get('[data-testid="rule-remove"]').trigger('click');
    await flushPromises();
    expect(fakeIpc.requests('rules:remove')).toEqual([{ id: 'r-0123456789ab' }]);
    expect(wrapper.findAll('[data-testid="rule-row"]')).toHaveLength(1);
  });

  it('says when the policy file cannot be used', async () => {
    fakeIpc.handle('rules:list', () => list([], { code: 'POLICY_FILE_NOT_JSON', message: 'the policy file x is not valid JSON', path: 'x' }));
    const wrapper = mount(RulesSettings, { attachTo: document.body });
    await flushPromises();
    expect(wrapper.get('[data-testid="rules-problem"]').text()).toMatch(/POLICY_FILE_NOT_JSON the policy file x is not valid JSON\. Until it is fixed every command asks/);
  });

  it('adds a deny rule typed by hand, and shows a refusal beside the form', async () => {
    fakeIpc.handle('rules:list', () => list([]));
    fakeIpc.handle('rules:add', ({ words, decision }) => {
      if (words[0] === 'bash' && decision === 'allow') throw new IpcFailure('RULE_REFUSED', '`bash` is a shell');
      return { ...RULE, decision, words, text: words.join(' '), scope: { kind: 'everywhere' }, where: 'everywhere' };
    });
    const wrapper = mount(RulesSettings, { attachTo: document.body });
    await flushPromises();
    expect(wrapper.find('[data-testid="rules-empty"]').exists()).toBe(true);
    await wrapper.get('[data-testid="rule-add-words"]').setValue('  npm   publish ');
    await wrapper.get('[data-testid="rule-add-form"]').trigger('submit');
    await flushPromises();
    expect(fakeIpc.requests('rules:add')).toEqual([{ decision: 'deny', words: ['npm', 'publish'], scope: 'everywhere' }]);
    await wrapper.get('[data-testid="rule-add-decision"]').setValue('allow');
    await wrapper.get('[data-testid="rule-add-words"]').setValue('bash');
    await wrapper.get('[data-testid="rule-add-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="rule-form-error"]').text()).toBe('RULE_REFUSED `bash` is a shell');
  });
});
