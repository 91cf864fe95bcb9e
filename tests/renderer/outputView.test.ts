// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import OutputView from '../../src-renderer/src/components/OutputView.vue';
import { useOutputStore } from '../../src-renderer/src/stores/output';

const LINE_HEIGHT = 18;
const HEIGHT = 280;

function setup() {
  const frames: (() => void)[] = [];
  const store = useOutputStore();
  store.configure({ scheduler: (callback) => frames.push(callback) });
  const runFrames = async (): Promise<void> => {
    while (frames.length > 0) frames.shift()!();
    await flushPromises();
  };
  const stream = (from: number, count: number): void => {
    for (let start = from; start < from + count; start += 1000) {
      const text = Array.from({ length: Math.min(1000, from + count - start) }, (_, i) => `line ${start + i}`).join('\n') + '\n';
      store.receive({ batchId: 'b', entryId: 'e', stream: 'stdout', text });
    }
  };
  const wrapper = mount(OutputView, { props: { entryId: 'e', running: true, height: HEIGHT }, attachTo: document.body });
  const viewport = () => wrapper.get('[data-testid="output-viewport"]').element as HTMLElement;
  return { store, wrapper, stream, runFrames, viewport };
}

describe('OutputView', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps the buffer and the DOM bounded while 200,000 lines stream in', async () => {
    const { store, wrapper, stream, runFrames } = setup();
    let maxRows = 0;
    for (let batch = 0; batch < 20; batch += 1) {
      stream(batch * 10_000, 10_000);
      await runFrames();
      maxRows = Math.max(maxRows, wrapper.findAll('[data-testid="output-line"]').length);
    }
    expect(store.buffer('e')?.lineCount).toBe(50_000);
    expect(wrapper.get('[data-testid="output-line-count"]').text()).toBe('50,000 lines');
    expect(wrapper.get('[data-testid="output-dropped"]').text()).toContain('150,000 earlier lines dropped');
    const bound = Math.ceil(HEIGHT / LINE_HEIGHT) + 2 * 10 + 1;
    expect(maxRows).toBeGreaterThan(0);
    expect(maxRows).toBeLessThanOrEqual(bound);
    expect(wrapper.findAll('[data-testid="output-line"]').at(-1)?.text()).toBe('line 199999');
  });

  it('shows stderr lines distinctly', async () => {
    const { wrapper, store, runFrames } = setup();
    store.receive({ batchId: 'b', entryId: 'e', stream: 'stdout', text: 'ok\n' });
    store.receive({ batchId: 'b', entryId: 'e', stream: 'stderr', text: 'bad\n' });
    await runFrames();
    const rows = wrapper.findAll('[data-testid="output-line"]');
    expect(rows.map((r) => [r.text(), r.attributes('data-stream'), r.classes('stderr')])).toEqual([
      ['ok', 'stdout', false],
      ['bad', 'stderr', true],
    ]);
  });

  it('follows new output, pauses when the person scrolls up, and resumes with Jump to latest', async () => {
    const { wrapper, stream, runFrames, viewport } = setup();
    stream(0, 1000);
    await runFrames();
    const bottom = (lines: number): number => lines * LINE_HEIGHT - HEIGHT;
    expect(viewport().scrollTop).toBe(bottom(1000));
    expect(wrapper.find('[data-testid="jump-to-latest"]').exists()).toBe(false);

    viewport().scrollTop = 100 * LINE_HEIGHT;
    await wrapper.get('[data-testid="output-viewport"]').trigger('scroll');
    expect(wrapper.get('[data-testid="output-view"]').attributes('data-following')).toBe('false');

    stream(1000, 1000);
    await runFrames();
    expect(viewport().scrollTop).toBe(100 * LINE_HEIGHT);
    expect(wrapper.findAll('[data-testid="output-line"]').map((r) => r.text())).toContain('line 100');

    await wrapper.get('[data-testid="jump-to-latest"]').trigger('click');
    expect(viewport().scrollTop).toBe(bottom(2000));
    expect(wrapper.get('[data-testid="output-view"]').attributes('data-following')).toBe('true');
    expect(wrapper.find('[data-testid="jump-to-latest"]').exists()).toBe(false);

    stream(2000, 500);
    await runFrames();
    expect(viewport().scrollTop).toBe(bottom(2500));
  });

  it('resumes following when the person scrolls back to the bottom', async () => {
    const { wrapper, stream, runFrames, viewport } = setup();
    stream(0, 1000);
    await runFrames();
    viewport().scrollTop = 0;
    await wrapper.get('[data-testid="output-viewport"]').trigger('scroll');
    expect(wrapper.get('[data-testid="output-view"]').attributes('data-following')).toBe('false');
    viewport().scrollTop = 1000 * LINE_HEIGHT - HEIGHT;
    await wrapper.get('[data-testid="output-viewport"]').trigger('scroll');
    expect(wrapper.get('[data-testid="output-view"]').attributes('data-following')).toBe('true');
  });
});
