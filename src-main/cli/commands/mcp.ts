import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dataDirectory } from '../../core/paths.js';
import { createLeashMcpServer } from '../../mcp/server.js';
import { parseArgs } from '../args.js';
import { packageVersion } from '../version.js';
import { EXIT, write, type CliIO } from '../io.js';

export const usage = `Usage: leash mcp
An MCP server on stdio for coding agents (Claude Code, Codex, Cursor, any MCP client). It hands
the agent's commands to the running Leash (desktop app or \`leash serve\`) and returns results;
a person approves in Leash. Tools: run_commands, get_batch, classify.`;


export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { boolean: ['help'], aliases: { h: 'help' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const server = createLeashMcpServer({ dataDir: dataDirectory(io.env), version: packageVersion() });
  // stdout carries the protocol: nothing else may be written there.
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    io.stdin.once('end', () => resolve());
  });
  await server.close();
  return EXIT.ok;
}
