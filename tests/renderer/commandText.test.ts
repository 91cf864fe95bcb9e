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
      { kind: 'revealed', text: '\\u{200B}', codePoint: 0x200b, label: 'U+200B (zero width space)', why: 'invisible' },
    ]);
    expect(revealedText('a\u200Db\u2066c')).toBe('a\\u{200D}b\\u{2066}c');
  });

  it.each([
    ['Cyrillic dze for s', 'l\u0455', 'l\\u{455}', 'Cyrillic character U+0455, looks like "s" but is not'],
    ['Cyrillic a in a path', 'cat /etc/p\u0430sswd', 'cat /etc/p\\u{430}sswd', 'Cyrillic character U+0430, looks like "a" but is not'],
    ['Greek omicron', 'ech\u03BF hi', 'ech\\u{3BF} hi', 'Greek character U+03BF, looks like "o" but is not'],
    ['a fullwidth letter', 'l\uFF53', 'l\\u{FF53}', 'Latin character U+FF53, looks like "s" but is not'],
    ['a mathematical bold letter', 'l\u{1D42C}', 'l\\u{1D42C}', 'U+1D42C, looks like "s" but is not'],
    ['a minus sign for a dash', 'rm \u2212rf x', 'rm \\u{2212}rf x', 'U+2212, looks like "-" but is not'],
    ['curly quotes', 'echo \u201Chi\u201D', 'echo \\u{201C}hi\\u{201D}', 'U+201C, looks like """ but is not'],
  ])('shows a look-alike (%s) as an escape, named', (_name, command, shown, label) => {
    const wrapper = mount(CommandText, { props: { command } });
    expect(wrapper.get('[data-testid="command-text"]').text()).toBe(shown);
    const revealed = wrapper.get('[data-testid="revealed-char"]');
    expect(revealed.attributes('data-why')).toBe('look-alike');
    expect(revealed.attributes('title')).toBe(label);
    expect(wrapper.get('[data-testid="revealed-note"]').text()).toMatch(/looks? like ASCII but/);
  });

  it('marks every other non-ASCII character, keeping it as it is', () => {
    const wrapper = mount(CommandText, { props: { command: 'echo caf\u00E9 \u4E2D' } });
    expect(wrapper.get('[data-testid="command-text"]').text()).toBe('echo caf\u00E9 \u4E2D');
    const marked = wrapper.findAll('[data-testid="non-ascii-char"]');
    expect(marked.map((m) => [m.text(), m.attributes('title')])).toEqual([
      ['\u00E9', 'Latin character U+00E9, not ASCII'],
      ['\u4E2D', 'Han character U+4E2D, not ASCII'],
    ]);
    expect(wrapper.get('[data-testid="revealed-note"]').text()).toBe('2 other non-ASCII characters marked. Hover one to see what it is.');
  });

  it('marks nothing in a command of printable ASCII, for every printable ASCII character', () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const wrapper = mount(CommandText, { props: { command: `echo '${all}'` } });
    expect(wrapper.findAll('[data-testid="revealed-char"]')).toHaveLength(0);
    expect(wrapper.findAll('[data-testid="non-ascii-char"]')).toHaveLength(0);
  });

  it('marks every non-ASCII code point one way or the other (a sweep of the Basic Multilingual Plane)', () => {
    for (let codePoint = 0x80; codePoint <= 0xffff; codePoint += 7) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const segments = segmentCommand(`a${String.fromCodePoint(codePoint)}b`);
      expect(segments.filter((s) => s.kind !== 'text'), `U+${codePoint.toString(16)}`).toHaveLength(1);
    }
  });
});
