import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dataDirectory } from '../../core/paths.js';
import { createLeashMcpServer } from '../../mcp/server.js';
import { parseArgs } from '../args.js';
import { onTerminationSignal } from '../terminationSignals.js';
import { packageVersion } from '../version.js';
import { EXIT, write, type CliIO } from '../io.js';

export const usage = `Usage: leash mcp
An MCP server on stdio for coding agents (Claude Code, Codex, Cursor, any MCP client). It hands
the agent's commands to the running Leash (desktop app or \`leash serve\`) and returns results;
a person approves in Leash. Tools: run_commands, get_batch, classify.`;


export async function run(argv: string[], io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const args = parseArgs(argv, { boolean: ['help'], aliases: { h: 'help' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const server = createLeashMcpServer({ dataDir: dataDirectory(io.env), version: packageVersion() });
  // stdout carries the protocol: nothing else may be written there.
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  await server.connect(transport);
  // It owns no process (the running Leash does), so ending is closing: on end of input, on the
  // client closing, or on a termination signal, which must not kill it mid-reply.
  let removeSignals = (): void => undefined;
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    io.stdin.once('end', () => resolve());
    removeSignals = onTerminationSignal(signals, () => resolve());
  });
  await server.close().catch(() => undefined);
  removeSignals();
  return EXIT.ok;
}
