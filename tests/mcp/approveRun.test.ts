import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { waitFor } from '../core/batch/procfs.js';
import { serve, type Served } from '../e2e/harness.js';
import { connectIpc, fullBatches, type IpcClient } from '../support/ipcClient.js';
import { sandboxTestRoot } from '../support/sandboxTestRoot.js';

/**
 * A real MCP client (the SDK's) driving the real `leash mcp` against the real `leash serve`: the
 * agent proposes, the person answers through the app's IPC, and what the agent is told along the
 * way and at the end is checked word for word where it matters.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };

async function start(): Promise<{ served: Served; ipc: IpcClient; client: Client }> {
  const served = await serve();
  cleanups.push(() => served.stop());
  const ipc = await connectIpc(served.url);
  cleanups.push(() => ipc.close());
  const transport = new StdioClientTransport({ command: process.execPath, args: ['bin/leash.js', 'mcp'], env: { ...process.env, LEASH_HOME: served.home } as Record<string, string>, stderr: 'pipe' });
  const client = new Client({ name: 'flow-agent', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { served, ipc, client };
}

const project = (): Promise<string> => mkdtemp(join(sandboxTestRoot(), 'mcp-flow-'));

/** Proposes over MCP and waits until the person can see the batch. */
async function propose(ipc: IpcClient, client: Client, commands: string[], progress: string[]): Promise<{ call: Promise<ToolResult>; batch: Batch }> {
  const cwd = await project();
  const call = client.callTool({ name: 'run_commands', arguments: { commands, cwd } }, undefined, {
    timeout: 60_000,
    onprogress: (p) => progress.push(p.message ?? ''),
  }) as Promise<ToolResult>;
  let batch: Batch | undefined;
  await waitFor(async () => (batch = (await fullBatches(ipc)).find((b) => b.source === 'mcp:flow-agent' && b.entries[0]?.command === commands[0])) !== undefined, 15_000);
  await waitFor(() => progress.length > 0, 10_000);
  return { call, batch: batch as Batch };
}

describe('an agent waiting on leash mcp', () => {
  it('gets its results after one Approve & run, told truthfully what it waited for', async () => {
    const { ipc, client } = await start();
    const progress: string[] = [];
    const { call, batch } = await propose(ipc, client, ['echo one-step', 'echo second'], progress);
    expect(progress[0]).toBe('waiting for a person to approve the batch in Leash');
    expect((await ipc.call('batch:approve', { id: batch.id, run: true })).ok).toBe(true);
    const result = await call;
    expect(result.isError).toBe(false);
    const view = JSON.parse(result.content[1]?.text ?? '{}') as { status: string; entries: { stdoutTail: string }[] };
    expect(view.status).toBe('completed');
    expect(view.entries.map((e) => e.stdoutTail)).toEqual(['one-step\n', 'second\n']);
    for (const message of progress) expect(message).toMatch(/^(waiting for a person to approve|approved; starting now|running entry [12] of 2|running: [0-2] of 2 entries done)/);
    expect(progress.join('\n')).not.toMatch(/turn/);
  });

  it('is told which batch its approved batch is queued behind, then that it runs', async () => {
    const { ipc, client } = await start();
    // The person's own batch holds the queue until the test releases it.
    const dir = await project();
    const gate = join(dir, 'release');
    const holding = await ipc.call('batch:create', { entries: [{ command: `while [ ! -e '${gate}' ]; do sleep 0.02; done` }], cwd: dir });
    if (!holding.ok) throw new Error(holding.error.message);
    const ahead = holding.value;
    expect((await ipc.call('batch:approve', { id: ahead.id, run: true })).ok).toBe(true);
    await waitFor(async () => (await fullBatches(ipc)).find((b) => b.id === ahead.id)?.status === 'running', 15_000);

    const progress: string[] = [];
    const { call, batch } = await propose(ipc, client, ['echo queued-agent'], progress);
    expect((await ipc.call('batch:approve', { id: batch.id, run: true })).ok).toBe(true);
    const queued = `approved; queued behind batch ${ahead.id.slice(0, 8)}, which is running`;
    await waitFor(() => progress.includes(queued), 10_000);
    // While it waits, get_batch says so as well.
    const read = (await client.callTool({ name: 'get_batch', arguments: { id: batch.id.slice(0, 8) } })) as ToolResult;
    expect(read.isError).toBe(false);
    expect(read.content[0]?.text).toContain(`Approved and queued behind batch ${ahead.id.slice(0, 8)}; it has not started.`);
    await writeFile(gate, '');
    const result = await call;
    expect(result.isError).toBe(false);
    expect(JSON.parse(result.content[1]?.text ?? '{}')).toMatchObject({ status: 'completed', queuedBehind: null });
    const after = progress.slice(progress.indexOf(queued) + 1);
    expect(after.some((m) => m.startsWith('running'))).toBe(true);
  });

  it("receives a rejection's message as its tool error, from run_commands and from get_batch", async () => {
    const { ipc, client } = await start();
    const progress: string[] = [];
    const { call, batch } = await propose(ipc, client, ['rm -r build'], progress);
    const message = 'Do not delete build/. Run `make clean` instead; it keeps the cache.';
    expect((await ipc.call('batch:reject', { id: batch.id, message: `  ${message}\n` })).ok).toBe(true);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain(`Rejected by the person: ${message}`);
    expect(JSON.parse(result.content[1]?.text ?? '{}')).toMatchObject({ status: 'rejected', rejectionMessage: message });
    const read = (await client.callTool({ name: 'get_batch', arguments: { id: batch.id } })) as ToolResult;
    expect(read.isError).toBe(true);
    expect(read.content[0]?.text).toContain(`Rejected by the person: ${message}`);
  });
});
