import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIntake } from '../../control/intake.js';
import { openLeash } from '../../core/leash.js';
import { dataDirectory } from '../../core/paths.js';
import { forwardEvents } from '../../ipc/events.js';
import { createHandlers } from '../../ipc/handlers.js';
import { startBrowserServer } from '../../server/browserServer.js';
import { guardProcess } from '../../server/processGuard.js';
import { parseArgs, stringFlag } from '../args.js';
import { shutDown } from '../../core/shutdown.js';
import { untilTermination } from '../terminationSignals.js';
import { packageRoot } from '../packageRoot.js';
import { packageVersion } from '../version.js';
import { EXIT, UsageError, write, type CliIO } from '../io.js';

export const usage = `Usage: leash serve [--port N] [--audit FILE]
Serves the Leash UI on 127.0.0.1 for a browser (headless boxes, WSL, remote machines through an
SSH tunnel) and prints its URL, which carries a one-time token. --port 0 (the default) picks a
free port. Ctrl+C, SIGTERM or a closed terminal (SIGHUP) stops any running batch (emergency stop,
audited) and exits; that holds when nobody can read the output any more (a pipe into tee).`;

/** Where `npm run build` puts the renderer: out/renderer in the package root. */
export const RENDERER_DIR = join(packageRoot() ?? fileURLToPath(new URL('../../..', import.meta.url)), 'out', 'renderer');


export async function run(argv: string[], io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const args = parseArgs(argv, { valued: ['port', 'audit', 'renderer'], boolean: ['help'], aliases: { h: 'help', p: 'port' } });
  if (args.flags.has('help')) {
    await write(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const portText = stringFlag(args, 'port') ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not ${JSON.stringify(portText)}`);

  let leash;
  try {
    leash = await openLeash({ dataDir: dataDirectory(io.env), auditPath: stringFlag(args, 'audit'), env: io.env, mode: 'serve' });
  } catch (error) {
    await write(io.stderr, `leash serve: ${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  // From here on a signal takes the way out below, even one that arrives while starting up.
  const termination = untilTermination(signals, () => void write(io.stderr, 'leash serve: already stopping (the running command is being killed)\n'));
  for (const problem of leash.problems) await write(io.stderr, `leash serve: warning: ${problem}\n`);
  let server;
  try {
    server = await startBrowserServer({
      handlers: createHandlers({ leash, mode: 'browser', version: packageVersion() }),
      rendererDir: stringFlag(args, 'renderer') ?? RENDERER_DIR,
      port,
      log: (line) => void write(io.stderr, `leash serve: ${line}\n`),
    });
  } catch (error) {
    await leash.close();
    termination.dispose();
    await write(io.stderr, `leash serve: cannot listen on 127.0.0.1:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT.usage;
  }
  // Serve is browser mode's stop button: a stray bug is reported, never the end of it.
  const unguard = guardProcess((line) => void write(io.stderr, `leash serve: ${line}\n`));
  const stopForwarding = forwardEvents(leash, (event, payload) => server.broadcast(event, payload));
  const intake = await startIntake(leash, io.env, (problem) => {
    leash.problems.push(problem);
    void write(io.stderr, `leash serve: warning: ${problem}\n`);
  });
  await write(io.stdout, `${server.url}\n`);

  const why = await termination.reason;
  try {
    await write(io.stderr, `leash serve: stopping (${why})\n`);
    stopForwarding();
    const steps = [
      { name: 'closing the agents\' control socket and the inbox', close: () => intake.close() },
      { name: 'closing the web server', close: () => server.close() },
      { name: 'closing the audit trail', close: () => leash.close() },
    ];
    await shutDown(leash.batches, why, steps, (line) => void write(io.stderr, `leash serve: ${line}\n`));
  } finally {
    termination.dispose();
    unguard();
  }
  return why.startsWith('received') ? EXIT.ok : EXIT.failed;
}
