// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import VerdictBadge from '../../src-renderer/src/components/VerdictBadge.vue';

describe('VerdictBadge', () => {
  it.each([
    ['allow', 'SAFE', 'verdict-ok'],
    ['ask', 'REVIEW', 'verdict-warn'],
    ['deny', 'BLOCKED', 'verdict-danger'],
  ] as const)('shows %s as %s in its own colour', (verdict, word, colourClass) => {
    const wrapper = mount(VerdictBadge, { props: { verdict } });
    const badge = wrapper.get('[data-testid="verdict-badge"]');
    expect(badge.text()).toBe(word);
    expect(badge.classes()).toContain(colourClass);
    expect(badge.attributes('data-verdict')).toBe(verdict);
  });

  it('explains itself on hover with every reason code and message', () => {
    const wrapper = mount(VerdictBadge, {
      props: {
        verdict: 'deny',
        reasons: [
          { code: 'RM_RECURSIVE_FORCE', message: 'blocked: `rm -rf`', rule: 'deny:rm-recursive-force' },
          { code: 'PARAMETER_EXPANSION', message: 'expands `$HOME`' },
        ],
      },
    });
    expect(wrapper.get('[data-testid="verdict-badge"]').attributes('title')).toBe(
      'Denied by policy: it can never run\nRM_RECURSIVE_FORCE: blocked: `rm -rf`\nPARAMETER_EXPANSION: expands `$HOME`',
    );
  });
});
