// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CommandText from '../../src-renderer/src/components/CommandText.vue';
import { revealedText, segmentCommand } from '../../src-renderer/src/model/revealCharacters';

describe('CommandText', () => {
  it.each([
    ['zero width space', 'rm\u200B -r x', 'rm\\u{200B} -r x'],
    ['right-to-left override', 'echo \u202Eabc\u202C', 'echo \\u{202E}abc\\u{202C}'],
    ['no-break space', 'ls\u00A0-la', 'ls\\u{A0}-la'],
    ['carriage return', 'echo safe\rrm -rf ~', 'echo safe\\u{D}rm -rf ~'],
    ['escape character', 'printf "\u001B[2J"', 'printf "\\u{1B}[2J"'],
    ['tag character outside the BMP', 'ls\u{E0041}', 'ls\\u{E0041}'],
    ['variation selector', 'cat a\uFE0F', 'cat a\\u{FE0F}'],
    ['Hangul filler', 'ls \u3164', 'ls \\u{3164}'],
  ])('shows a %s as a visible escape', (_name, command, shown) => {
    const wrapper = mount(CommandText, { props: { command } });
    expect(wrapper.get('[data-testid="command-text"]').text()).toBe(shown);
    expect(wrapper.findAll('[data-testid="revealed-char"]').length).toBeGreaterThan(0);
    expect(wrapper.find('[data-testid="revealed-note"]').exists()).toBe(true);
  });

  it('keeps every space, tab and newline exactly and marks nothing in plain commands', () => {
    const command = 'for f in *.txt;  do\n\techo "$f"   done';
    const wrapper = mount(CommandText, { props: { command } });
    expect(wrapper.get('[data-testid="command-text"]').element.textContent).toBe(command);
    expect(wrapper.findAll('[data-testid="revealed-char"]')).toHaveLength(0);
    expect(wrapper.find('[data-testid="revealed-note"]').exists()).toBe(false);
  });

  it('never cuts a long command', () => {
    const command = `echo ${'x'.repeat(20_000)}`;
    const wrapper = mount(CommandText, { props: { command } });
    expect(wrapper.get('[data-testid="command-text"]').element.textContent).toBe(command);
  });

  it('names each revealed character for hover and screen readers, and styles it apart', () => {
    const wrapper = mount(CommandText, { props: { command: 'a\u200Bb' } });
    const revealed = wrapper.get('[data-testid="revealed-char"]');
    expect(revealed.attributes('title')).toBe('U+200B (zero width space)');
    expect(revealed.attributes('aria-label')).toBe('hidden character U+200B (zero width space)');
    expect(revealed.classes()).toContain('revealed');
  });

  it('tells a typed backslash escape apart from a revealed character', () => {
    const segments = segmentCommand('echo \\u{200B}\u200B');
    expect(segments).toEqual([
      { kind: 'text', text: 'echo \\u{200B}' },
      { kind: 'revealed', text: '\\u{200B}', codePoint: 0x200b, label: 'U+200B (zero width space)' },
    ]);
    expect(revealedText('a\u200Db\u2066c')).toBe('a\\u{200D}b\\u{2066}c');
  });
});
