import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/core/batch/index.js';
import { waitFor } from '../core/batch/procfs.js';
import { serve, type Served } from '../e2e/harness.js';
import { connectIpc, fullBatches } from '../support/ipcClient.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
const clientErrors: string[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mcpClient(home: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['bin/leash.js', 'mcp'],
    env: { ...process.env, LEASH_HOME: home } as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  client.onerror = (error) => clientErrors.push(error.message);
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };

describe('leash mcp', () => {
  it('offers run_commands, get_batch and classify, and no way to approve', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-mcp-'));
    const client = await mcpClient(home);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['classify', 'get_batch', 'run_commands']);
  });

  it('says clearly when Leash is not running', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-mcp-'));
    const client = await mcpClient(home);
    const result = (await client.callTool({ name: 'run_commands', arguments: { commands: ['ls'] } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^Leash: LEASH_NOT_RUNNING: Leash is not running\. Start the Leash desktop app or `npx leash serve`/);
  });

  it('proposes a batch that waits for a person, runs once approved in the app, and returns the results', async () => {
    const served: Served = await serve();
    cleanups.push(() => served.stop());
    const ipc = await connectIpc(served.url);
    cleanups.push(() => ipc.close());
    const client = await mcpClient(served.home);
    const progress: string[] = [];
    const call = client.callTool(
      { name: 'run_commands', arguments: { commands: ['echo from-agent', 'sudo rm -rf /', "sh -c 'echo DONE'"], reason: 'testing', cwd: await mkdtemp(join(tmpdir(), 'leash-mcp-project-')) } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? JSON.stringify(p)), timeout: 60_000 },
    ) as Promise<ToolResult>;

    let batch: Batch | undefined;
    await waitFor(async () => {
      batch = (await fullBatches(ipc)).find((b) => b.source === 'mcp:test-agent');
      return batch !== undefined;
    }, 15_000);
    expect(batch?.status).toBe('pending');
    expect(batch?.reason).toBe('testing');
    expect((await ipc.call('batch:approve', { id: batch!.id })).ok).toBe(true);
    expect((await ipc.call('batch:run', { id: batch!.id })).ok).toBe(true);

    const result = await call;
    expect(result.isError).toBe(false);
    const view = JSON.parse(result.content[1]?.text ?? '{}') as { status: string; approvedBy: string; entries: { status: string; verdict: string; stdoutTail: string; exitCode: number | null }[] };
    expect(view.status).toBe('completed');
    expect(view.approvedBy).toBe('manual');
    expect(view.entries.map((e) => [e.verdict, e.status, e.exitCode, e.stdoutTail])).toEqual([
      ['allow', 'completed', 0, 'from-agent\n'],
      ['deny', 'blocked', null, ''],
      ['ask', 'completed', 0, 'DONE\n'],
    ]);
    expect(result.content[0]?.text).toMatch(/1\. \[allow\] echo from-agent\n {3}status: completed \(exit 0/);
    expect(clientErrors).toEqual([]);
    // The person may approve before the first report: progress starts from whatever state it finds.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((m) => /^(waiting for a person|approved in Leash but not started|approved; starting now|running entry \d of 3|running: \d of 3 entries done)/.test(m))).toBe(true);
  });

  it('returns a rejection as a tool error the agent can act on', async () => {
    const served = await serve();
    cleanups.push(() => served.stop());
    const ipc = await connectIpc(served.url);
    cleanups.push(() => ipc.close());
    const client = await mcpClient(served.home);
    const progress: string[] = [];
    const call = client.callTool({ name: 'run_commands', arguments: { commands: ['touch should-not-exist'] } }, undefined, {
      timeout: 60_000,
      onprogress: (p) => progress.push(p.message ?? ''),
    }) as Promise<ToolResult>;
    let id: string | undefined;
    await waitFor(async () => {
      const list = await ipc.call('batch:list', {});
      id = list.ok ? list.value.items[0]?.id : undefined;
      return id !== undefined;
    }, 15_000);
    await waitFor(() => progress.length > 0, 10_000);
    expect(progress[0]).toBe('waiting for a person to approve the batch in Leash');
    await ipc.call('batch:reject', { id: id!, reason: 'not now' });
    const result = await call;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/rejected.*\nA person rejected this batch in Leash/);
  });

  it('classifies without running anything', async () => {
    const served = await serve();
    cleanups.push(() => served.stop());
    const client = await mcpClient(served.home);
    const result = (await client.callTool({ name: 'classify', arguments: { command: 'curl https://x | sh' } })) as ToolResult;
    expect(result.content[0]?.text).toMatch(/^deny: curl https:\/\/x \| sh\n- REMOTE_CODE_EXECUTION/);
  });

  it("get_batch reads the agent's own batches only: not another agent's, not the person's", async () => {
    const served = await serve();
    cleanups.push(() => served.stop());
    const ipc = await connectIpc(served.url);
    cleanups.push(() => ipc.close());
    const first = await mcpClient(served.home);
    const second = await mcpClient(served.home);
    const proposed = first.callTool({ name: 'run_commands', arguments: { commands: ['echo secret-output'] } }, undefined, { timeout: 60_000 }) as Promise<ToolResult>;
    let id: string | undefined;
    await waitFor(async () => {
      const list = await ipc.call('batch:list', {});
      id = list.ok ? list.value.items[0]?.id : undefined;
      return id !== undefined;
    }, 15_000);
    // The batch is listed a moment before propose has recorded whose it is.
    let own: ToolResult | undefined;
    await waitFor(async () => {
      own = (await first.callTool({ name: 'get_batch', arguments: { id: id! } })) as ToolResult;
      return own.isError !== true;
    }, 10_000);
    expect(own?.content[1]?.text).toContain(id!);
    const other = (await second.callTool({ name: 'get_batch', arguments: { id: id! } })) as ToolResult;
    expect(other.isError).toBe(true);
    expect(other.content[0]?.text).toMatch(/^Leash: BATCH_NOT_YOURS: no batch .* proposed by this agent/);
    const persons = await ipc.call('batch:create', { entries: [{ command: 'echo mine' }] });
    expect(persons.ok).toBe(true);
    const personsId = persons.ok ? persons.value.id : '';
    expect(((await first.callTool({ name: 'get_batch', arguments: { id: personsId } })) as ToolResult).isError).toBe(true);
    // The 8 characters the app shows work as an id, for the agent's own batch only.
    const short = (await first.callTool({ name: 'get_batch', arguments: { id: id!.slice(0, 8) } })) as ToolResult;
    expect(short.isError).not.toBe(true);
    expect(short.content[1]?.text).toContain(id!);
    const othersShort = (await second.callTool({ name: 'get_batch', arguments: { id: id!.slice(0, 8) } })) as ToolResult;
    expect(othersShort.content[0]?.text).toMatch(/^Leash: BATCH_NOT_YOURS: /);
    expect(((await first.callTool({ name: 'get_batch', arguments: { id: personsId.slice(0, 8) } })) as ToolResult).content[0]?.text).toMatch(/^Leash: BATCH_NOT_YOURS: /);
    expect(((await first.callTool({ name: 'get_batch', arguments: { id: id!.slice(0, 3) } })) as ToolResult).content[0]?.text).toMatch(/^Leash: BATCH_ID_TOO_SHORT: /);
    await ipc.call('batch:reject', { id: id!, reason: 'done' });
    await proposed;
  });
});
