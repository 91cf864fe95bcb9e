import { randomBytes } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { connectControl, ControlError, type ControlClient } from '../control/client.js';
import { commandTextSchema } from '../core/batch/input.js';
import type { AgentBatchView, ControlProgress } from '../control/protocol.js';
import { describeBatch, endedBadly } from './format.js';

/**
 * `leash mcp`: a Model Context Protocol server (stdio) that hands an agent's commands to the
 * running Leash and returns their results. It forwards to Leash's control socket; it can
 * propose, read and classify, and nothing else: approval stays with a person (or autonomy).
 */
export interface LeashMcpOptions {
  dataDir: string;
  version: string;
  connect?: (dataDir: string) => Promise<ControlClient>;
}

function failure(error: unknown): CallToolResult {
  const code = error instanceof ControlError ? error.code : ((error as { code?: string }).code ?? 'ERROR');
  return { isError: true, content: [{ type: 'text', text: `Leash: ${code}: ${(error as Error).message}` }] };
}

function batchResult(view: AgentBatchView): CallToolResult {
  return {
    isError: endedBadly(view),
    content: [
      { type: 'text', text: describeBatch(view) },
      { type: 'text', text: JSON.stringify(view) },
    ],
  };
}

function clientName(server: McpServer): string {
  const name = server.server.getClientVersion()?.name ?? 'agent';
  return name.replace(/[^\w.@/-]/g, '-').slice(0, 64) || 'agent';
}

export function createLeashMcpServer(options: LeashMcpOptions): McpServer {
  const connect = options.connect ?? connectControl;
  const server = new McpServer({ name: 'leash', version: options.version }, { capabilities: { tools: {} } });
  // This bridge's session: batches it proposes are the ones it may read back (control/batchOwners.ts).
  const session = randomBytes(24).toString('base64url');

  /** One control connection per call: a restarted Leash is picked up on the next call. */
  const withControl = async <T>(signal: AbortSignal, use: (control: ControlClient) => Promise<T>): Promise<T> => {
    const control = await connect(options.dataDir);
    const abort = (): void => control.close();
    signal.addEventListener('abort', abort);
    try {
      return await use(control);
    } finally {
      signal.removeEventListener('abort', abort);
      control.close();
    }
  };

  server.registerTool(
    'run_commands',
    {
      title: 'Run shell commands through Leash',
      description:
        'Propose 1-10 shell commands as one batch. Leash classifies each (allow / ask / deny); a person approves in the Leash app (or autonomy runs batches of only allowed commands); Leash runs them one at a time and this tool returns, per command, the verdict, status, exit code and the end of its output. Waits until the batch finishes, is rejected or is stopped. Commands denied by policy never run. You cannot approve your own commands.',
      inputSchema: {
        commands: z.array(commandTextSchema).min(1).max(10).describe('Shell commands, run in order with /bin/bash -c'),
        cwd: z
          .string()
          .optional()
          .describe(
            'Absolute path of an existing working directory: give your project directory. Commands that change files run in a sandbox that may write only inside that project (its git work tree), and the home directory cannot be one, so without a project such commands are refused at approval. Default: the home directory. Anything else is refused with CWD_NOT_FOUND before a person sees the batch',
          ),
        reason: z.string().max(2000).optional().describe('Why you want to run them, shown to the person approving'),
      },
    },
    async ({ commands, cwd, reason }, extra) => {
      const progressToken = extra._meta?.progressToken;
      let tick = 0;
      const onProgress = (progress: ControlProgress): void => {
        if (progressToken === undefined) return;
        void extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++tick, message: progress.message } })
          .catch(() => undefined);
      };
      try {
        const view = await withControl(extra.signal, (control) =>
          control.request('propose', { commands, cwd, reason, client: clientName(server), wait: true, session }, onProgress),
        );
        return batchResult(view as AgentBatchView);
      } catch (error) {
        return failure(error);
      }
    },
  );

  server.registerTool(
    'get_batch',
    {
      title: 'Get a Leash batch',
      description: 'Status and results of a batch you proposed earlier in this session (by id), e.g. after run_commands timed out on your side. Batches of other agents or of the person are not readable.',
      inputSchema: { id: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).describe('The batch id run_commands returned, or a unique prefix of it (at least 4 characters)') },
    },
    async ({ id }, extra) => {
      try {
        return batchResult((await withControl(extra.signal, (control) => control.request('get', { batchId: id, session }))) as AgentBatchView);
      } catch (error) {
        return failure(error);
      }
    },
  );

  server.registerTool(
    'classify',
    {
      title: 'Classify a command with Leash policy',
      description: 'Ask how Leash would judge a shell command (allow / ask / deny, with reasons) before proposing it. Runs nothing.',
      inputSchema: { command: z.string().min(1).max(100_000) },
    },
    async ({ command }, extra) => {
      try {
        const verdict = (await withControl(extra.signal, (control) => control.request('classify', { command }))) as {
          verdict: string;
          reasons: { code: string; message: string }[];
        };
        const lines = [`${verdict.verdict}: ${command}`, ...verdict.reasons.map((r) => `- ${r.code}: ${r.message}`)];
        return { content: [{ type: 'text', text: lines.join('\n') }, { type: 'text', text: JSON.stringify({ verdict: verdict.verdict, reasons: verdict.reasons }) }] };
      } catch (error) {
        return failure(error);
      }
    },
  );
  return server;
}
