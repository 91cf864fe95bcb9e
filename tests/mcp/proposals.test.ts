import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { killMarked, runningAs, waitFor } from '../cli/support/leashProcess.js';
import { serve, type Served } from '../e2e/harness.js';
import { connectIpc } from '../support/ipcClient.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };

async function served(): Promise<Served> {
  const running = await serve();
  cleanups.push(() => running.stop());
  return running;
}

async function mcpClient(home: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: ['bin/leash.js', 'mcp'], env: { ...process.env, LEASH_HOME: home } as Record<string, string>, stderr: 'pipe' });
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

async function storedBatches(url: string): Promise<Batch[]> {
  const ipc = await connectIpc(url);
  const list = await ipc.call('batch:list', {});
  ipc.close();
  return list.ok ? (list.value as Batch[]) : [];
}

describe('leash mcp proposals checked when proposed', () => {
  it.each([
    ['a missing directory', '/nonexistent/leash-mcp-dir', /does not exist/],
    ['a relative directory', 'some/relative/dir', /is not an absolute path/],
  ])('refuses %s as cwd with CWD_NOT_FOUND before any person sees the batch', async (_, cwd, why) => {
    const leash = await served();
    const client = await mcpClient(leash.home);
    const result = (await client.callTool({ name: 'run_commands', arguments: { commands: ['ls'], cwd } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^Leash: CWD_NOT_FOUND: /);
    expect(result.content[0]?.text).toMatch(why);
    expect(await storedBatches(leash.url)).toEqual([]);
  });

  it.each(['   ', '\t\n', ''])('refuses the command %j like an empty one, creating nothing', async (command) => {
    const leash = await served();
    const client = await mcpClient(leash.home);
    const result = (await client.callTool({ name: 'run_commands', arguments: { commands: ['echo fine', command] } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/the command is (empty|only whitespace)/);
    expect(await storedBatches(leash.url)).toEqual([]);
  });

  it('tells the agent Leash shut down, not that a person pressed stop, when serve ends mid-batch', async () => {
    const leash = await served();
    const marker = `leash-mcp-shutdown-${randomUUID()}`;
    cleanups.push(() => killMarked(marker));
    const client = await mcpClient(leash.home);
    const call = client.callTool({ name: 'run_commands', arguments: { commands: [`exec -a ${marker} sleep 33`], cwd: await mkdtemp(join(tmpdir(), 'leash-mcp-project-')) } }, undefined, { timeout: 60_000 });
    const ipc = await connectIpc(leash.url);
    let batch: Batch | undefined;
    await waitFor(async () => (batch = (await storedBatches(leash.url))[0]) !== undefined, 20_000);
    await ipc.call('batch:approve', { id: (batch as Batch).id });
    await ipc.call('batch:run', { id: (batch as Batch).id });
    ipc.close();
    await waitFor(async () => (await runningAs(marker)).length > 0, 20_000);
    await leash.stop();
    const result = (await call) as ToolResult;
    const text = result.content.map((c) => c.text).join('\n');
    expect(text).not.toMatch(/a person (pressed|stopped)/i);
    expect(text).toMatch(/Leash shut down/);
    expect(await runningAs(marker)).toEqual([]);
  });
});
