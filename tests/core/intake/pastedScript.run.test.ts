import { mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { previewPaste, type EntryMode, type PreviewTools } from '../../../src-main/core/intake/index.js';
import { createBashParser } from '../../../src-main/core/policy/index.js';
import { createHarness, type Harness } from '../batch/harness.js';
import { sharedEngine } from '../policy/engine.js';
import { F, lines } from './calls.js';

let tools: PreviewTools;
let harness: Harness | undefined;
beforeAll(async () => {
  tools = { engine: await sharedEngine(), parser: await createBashParser() };
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ANSWER = lines(
  'Check the repository like this:',
  `${F}bash`,
  '$ cd repo',
  '$ export GREETING=hello',
  '$ pwd',
  '$ echo "$GREETING from $(basename "$PWD")"',
  '$ ls',
  F,
);

/** Creates a batch from one mode of the preview, exactly as the New batch screen does, and runs it. */
async function runPasted(mode: EntryMode): Promise<{ project: string; stdout: string[]; commands: string[] }> {
  const project = await realpath(await mkdtemp(join(tmpdir(), 'leash-paste-')));
  await mkdir(join(project, 'repo'));
  await writeFile(join(project, 'repo', 'marker.txt'), '');
  harness = await createHarness();
  const preview = previewPaste(ANSWER, tools, { allowPatterns: [], maxBatchSize: 10 });
  if (!preview.ok) throw new Error(preview.error.message);
  const commands = preview.modes[mode].entries.map((entry) => entry.command);
  const batch = await harness.service.create({ cwd: project, source: 'paste', entries: commands.map((command) => ({ command })) });
  await harness.service.approve(batch.id);
  await harness.service.run(batch.id);
  const done = await harness.service.whenSettled(batch.id);
  return { project, stdout: done.entries.map((entry) => entry.stdout?.head ?? ''), commands: done.entries.map((entry) => entry.command) };
}

describe('running a pasted block', () => {
  it('as one script: the cd and the export carry over to the commands after them', async () => {
    const { project, stdout, commands } = await runPasted('script');
    expect(commands).toEqual(['cd repo\nexport GREETING=hello\npwd\necho "$GREETING from $(basename "$PWD")"\nls']);
    expect(stdout).toEqual([`${join(project, 'repo')}\nhello from repo\nmarker.txt\n`]);
  });

  it('as separate entries: each runs in a fresh shell in the batch directory, which is what the preview warns of', async () => {
    const { project, stdout } = await runPasted('separate');
    expect(stdout).toEqual(['', '', `${project}\n`, ` from ${project.split('/').pop()}\n`, 'repo\n']);
  });
});
