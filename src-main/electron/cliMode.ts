import { app } from 'electron';

/**
 * `Leash cli <command> …`: the installed app binary is also the `leash` command (the .deb's
 * /usr/bin/leash and the macOS bundle's bin/leash call it so), so an agent's MCP configuration
 * needs nothing but the installed app. No window, tray, lock or shortcut is created; the data
 * directory is the CLI's own (LEASH_HOME honoured). Exits with the CLI's exit code once its
 * output has been written.
 */
export async function runCliInApp(args: string[], options: { rendererDir: string }): Promise<void> {
  // A command is not an app a person switches to: no Dock icon, no GPU process.
  app.dock?.hide();
  app.disableHardwareAcceleration();
  let code: number;
  try {
    const { main } = await import('../cli/index.js');
    code = await main(withRenderer(args, options.rendererDir));
  } catch (error) {
    process.stderr.write(`leash: ${(error as Error).stack ?? String(error)}\n`);
    code = 1;
  }
  await drained(process.stdout);
  await drained(process.stderr);
  app.exit(code);
}

/** `serve` looks for the renderer beside the CLI's sources; inside the app it is beside main. */
export function withRenderer(args: string[], rendererDir: string): string[] {
  if (args[0] !== 'serve' || args.some((argument) => argument === '--renderer' || argument.startsWith('--renderer='))) return args;
  return [...args, '--renderer', rendererDir];
}

/** Pipes are asynchronous on macOS: exiting before they drain would cut the output short. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
