// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreviewResult } from '../../src-renderer/src/model/contract';
import { useAppStore } from '../../src-renderer/src/stores/app';
import { useBatchStore } from '../../src-renderer/src/stores/batches';
import { useUiStore } from '../../src-renderer/src/stores/ui';
import NewBatchView from '../../src-renderer/src/views/NewBatchView.vue';
import { batch, classification } from './fixtures';
import { fakeIpc } from './fakeIpc';

vi.mock('../../src-renderer/src/services/ipc', async () => (await import('./fakeIpc')).ipcModule);

type Success = Extract<PreviewResult, { ok: true }>;

/** A preview without a choice of mode: both modes hold the same one-per-command entries. */
function previewOf(commands: [string, 'allow' | 'ask' | 'deny'][], extra: Partial<Success> = {}, tooMany = false): PreviewResult {
  const entries = commands.map(([command, verdict], index) => ({ command, origin: 'fenced' as const, line: index + 2, lines: [index + 2], commandCount: 1, classification: classification(verdict) }));
  const plan = { entries, tooMany, losses: [] };
  return { ok: true, modes: { script: plan, separate: plan }, mode: 'separate', choice: false, blocks: [], marks: [], notes: [], limit: 10, ...extra };
}

/** A ```bash block `cd repo` / `git status` as the preview reports it: one script by default. */
function blockPreview(): PreviewResult {
  const separate = [
    { command: 'cd repo', origin: 'fenced' as const, line: 2, lines: [2], commandCount: 1, classification: classification('ask') },
    { command: 'git status', origin: 'fenced' as const, line: 3, lines: [3], commandCount: 1, classification: classification('allow') },
  ];
  const script = [{ command: 'cd repo\ngit status', origin: 'fenced' as const, line: 2, lines: [2, 3], commandCount: 2, classification: classification('ask') }];
  const loss = {
    kind: 'directory' as const,
    line: 2,
    text: 'cd repo',
    usedBy: { line: 3, text: 'git status' },
    message: "line 2: `cd repo` changes the directory; as separate entries, the commands after it (from line 3 `git status`) would run in the batch's directory instead",
  };
  return {
    ok: true,
    modes: { script: { entries: script, tooMany: false, losses: [] }, separate: { entries: separate, tooMany: false, losses: [loss] } },
    mode: 'script',
    choice: true,
    blocks: [],
    marks: [{ line: 2, text: '$ cd repo', kind: 'prompt', removed: '$ ' }, { line: 4, text: 'On branch main', kind: 'output' }],
    notes: [],
    limit: 10,
  };
}

function mountView() {
  useAppStore().info = { version: '1', mode: 'browser', platform: 'linux', dataDir: '/d', homeDir: '/home/dev', problems: [], sandbox: { available: true, description: 'bubblewrap', fix: null } };
  return mount(NewBatchView, { attachTo: document.body });
}

describe('NewBatchView', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeIpc.reset();
  });

  it('previews the paste once typing pauses and lists each command with its verdict and reasons', async () => {
    fakeIpc.handle('batch:preview', () => previewOf([['ls -la', 'allow'], ['rm -rf /', 'deny']], { notes: ['line 9: prose was ignored'] }));
    const wrapper = mountView();
    const input = wrapper.get('[data-testid="paste-input"]');
    await input.setValue('```sh\nls');
    await input.setValue('```sh\nls -la');
    await input.setValue('```sh\nls -la\nrm -rf /\n```');
    expect(wrapper.get('[data-testid="preview-status"]').text()).toContain('Checking');
    expect(wrapper.get('[data-testid="create-batch"]').attributes('disabled')).toBeDefined();
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="preview-entry"]')).toHaveLength(2));
    expect(fakeIpc.requests('batch:preview')).toEqual([{ text: '```sh\nls -la\nrm -rf /\n```', cwd: '/home/dev' }]);
    const entries = wrapper.findAll('[data-testid="preview-entry"]');
    expect(entries.map((e) => e.get('[data-testid="verdict-badge"]').text())).toEqual(['SAFE', 'BLOCKED']);
    expect(entries[1]!.get('[data-testid="reason-list"]').text()).toContain('RM_RECURSIVE_FORCE');
    expect(wrapper.get('[data-testid="preview-notes"]').text()).toContain('line 9: prose was ignored');
    expect(wrapper.get('[data-testid="create-batch"]').text()).toBe('Create batch of 2 entries');
  });

  it('says when nothing is recognisable and keeps Create disabled', async () => {
    fakeIpc.handle('batch:preview', () => ({ ok: false, error: { code: 'NOTHING_FOUND', message: 'no command found in the text' } }));
    const wrapper = mountView();
    await wrapper.get('[data-testid="paste-input"]').setValue('Hello, how are you?');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="preview-nothing"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="preview-nothing"]').text()).toContain('Nothing recognisable as a command');
    expect(wrapper.get('[data-testid="create-batch"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="create-blocker"]').text()).toBe('Nothing recognisable as a command.');
  });

  it('refuses to create a batch larger than the limit and says so', async () => {
    const many = Array.from({ length: 12 }, (_, i) => [`echo ${i}`, 'allow'] as [string, 'allow']);
    fakeIpc.handle('batch:preview', () => previewOf(many, { limit: 10 }, true));
    const wrapper = mountView();
    await wrapper.get('[data-testid="paste-input"]').setValue(many.map(([c]) => c).join('\n'));
    await vi.waitFor(() => expect(wrapper.find('[data-testid="preview-too-many"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="preview-too-many"]').text()).toContain('at most 10 per batch');
    expect(wrapper.get('[data-testid="create-batch"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="create-blocker"]').text()).toBe('A batch holds at most 10 entries.');
  });

  it('shows a failed preview with its code', async () => {
    fakeIpc.fail('batch:preview', 'DISCONNECTED', 'not connected to Leash');
    const wrapper = mountView();
    await wrapper.get('[data-testid="paste-input"]').setValue('ls');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="preview-error"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="preview-error"]').text()).toBe('DISCONNECTED not connected to Leash');
  });

  it('creates the batch from the previewed commands in the home directory and selects it', async () => {
    fakeIpc.handle('batch:preview', () => previewOf([['git status', 'allow'], ['make', 'ask']]));
    fakeIpc.handle('batch:create', ({ entries }) => batch('new-batch', entries.map((e) => [e.command, 'ask'] as [string, 'ask'])));
    const wrapper = mountView();
    expect((wrapper.get('[data-testid="cwd-input"]').element as HTMLInputElement).value).toBe('/home/dev');
    await wrapper.get('[data-testid="paste-input"]').setValue('$ git status\n$ make');
    await vi.waitFor(() => expect(wrapper.get('[data-testid="create-batch"]').attributes('disabled')).toBeUndefined());
    await wrapper.get('[data-testid="create-batch"]').trigger('click');
    await vi.waitFor(() => expect(useUiStore().view).toBe('batches'));
    expect(fakeIpc.requests('batch:create')).toEqual([{ entries: [{ command: 'git status' }, { command: 'make' }], cwd: '/home/dev' }]);
    expect(useBatchStore().selectedId).toBe('new-batch');
    await vi.waitFor(() => expect((wrapper.get('[data-testid="paste-input"]').element as HTMLTextAreaElement).value).toBe(''));
  });

  it('creates one script entry from a block by default, and shows the removed prompt and dropped output', async () => {
    fakeIpc.handle('batch:preview', () => blockPreview());
    fakeIpc.handle('batch:create', ({ entries }) => batch('script-batch', entries.map((e) => [e.command, 'ask'] as [string, 'ask'])));
    const wrapper = mountView();
    await wrapper.get('[data-testid="paste-input"]').setValue('```bash\n$ cd repo\n$ git status\nOn branch main\n```');
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="preview-entry"]')).toHaveLength(1));
    expect((wrapper.get('[data-testid="mode-script"]').element as HTMLInputElement).checked).toBe(true);
    expect(wrapper.find('[data-testid="preview-losses"]').exists()).toBe(false);
    const marks = wrapper.findAll('[data-testid="preview-mark"]').map((mark) => mark.text());
    expect(marks[0]).toContain('prompt removed');
    expect(wrapper.findAll('[data-testid="preview-mark"] del').map((del) => del.text())).toEqual(['$', 'On branch main']);
    expect(wrapper.get('[data-testid="create-batch"]').text()).toBe('Create batch of 1 entry');
    await wrapper.get('[data-testid="create-batch"]').trigger('click');
    await vi.waitFor(() => expect(fakeIpc.requests('batch:create')).toHaveLength(1));
    expect(fakeIpc.requests('batch:create')).toEqual([{ entries: [{ command: 'cd repo\ngit status' }], cwd: '/home/dev' }]);
  });

  it('switching to separate entries warns what they would lose and creates exactly those entries', async () => {
    fakeIpc.handle('batch:preview', () => blockPreview());
    fakeIpc.handle('batch:create', ({ entries }) => batch('separate-batch', entries.map((e) => [e.command, 'ask'] as [string, 'ask'])));
    const wrapper = mountView();
    await wrapper.get('[data-testid="paste-input"]').setValue('```bash\n$ cd repo\n$ git status\n```');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="mode-separate"]').exists()).toBe(true));
    await wrapper.get('[data-testid="mode-separate"]').setValue(true);
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="preview-entry"]')).toHaveLength(2));
    expect(wrapper.get('[data-testid="preview-losses"]').text()).toContain('line 2: cd repo changes the directory');
    await wrapper.get('[data-testid="create-batch"]').trigger('click');
    await vi.waitFor(() => expect(fakeIpc.requests('batch:create')).toHaveLength(1));
    expect(fakeIpc.requests('batch:create')).toEqual([{ entries: [{ command: 'cd repo' }, { command: 'git status' }], cwd: '/home/dev' }]);
  });
});
