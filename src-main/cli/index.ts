import { setFlagsFromString } from 'node:v8';
import { SettingsFileError } from '../core/settings/file.js';
import { EXIT, UsageError, processIO, write, type CliIO } from './io.js';

interface CommandModule {
  run(argv: string[], io: CliIO): Promise<number>;
  usage: string;
}

/**
 * Commands that live for a long time (and may classify all the while); every other command is
 * over in well under a second and classifies a handful of commands at most.
 */
const LONG_LIVED = new Set(['serve', 'mcp']);

/** Commands load lazily so `leash classify` does not pay for the runner or the server. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  classify: { summary: 'explain the allow / ask / deny verdict for commands', load: () => import('./commands/classify.js') },
  run: { summary: 'classify, approve and run a batch file, streaming its output', load: () => import('./commands/run.js') },
  serve: { summary: 'serve the Leash UI to a browser on 127.0.0.1 (browser mode)', load: () => import('./commands/serve.js') },
  mcp: { summary: 'MCP server (stdio) for coding agents: propose commands to the running Leash', load: () => import('./commands/mcp.js') },
  batches: { summary: 'list stored batches', load: () => import('./commands/batches.js') },
  rules: { summary: 'list, add or remove your rules (always allow / ask / never allow commands like this)', load: () => import('./commands/rules.js') },
  audit: { summary: 'verify the audit trail or show its last records', load: () => import('./commands/audit.js') },
  inbox: { summary: 'sign or check a command file for the inbox folder', load: () => import('./commands/inbox.js') },
};

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Leash: supervised semi-autonomy for AI agents' shell commands.\n\nUsage: leash <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun \`leash <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await write(name ? io.stdout : io.stderr, help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    await write(io.stderr, `leash: unknown command "${name}"\n\n${help()}`);
    return EXIT.usage;
  }
  // A short-lived process spends most of its life waiting for V8 to optimise the bash grammar's
  // wasm (TurboFan tier-up): the baseline compiler alone starts `leash classify` in about a
  // third of the time (`npm run bench:cli`). Set before anything compiles the wasm; a tiering
  // flag given to node explicitly wins.
  if (!LONG_LIVED.has(name) && !process.execArgv.some((flag) => flag.includes('liftoff'))) setFlagsFromString('--liftoff-only');
  const module = await command.load();
  try {
    return await module.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      await write(io.stderr, `leash ${name}: ${error.message}\n${module.usage}\n`);
      return EXIT.usage;
    }
    if (error instanceof SettingsFileError) {
      await write(io.stderr, `leash ${name}: ${error.code}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
