import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { connectControl, ControlError, type ControlClient } from '../control/client.js';
import type { AgentBatchView, ControlProgress } from '../control/protocol.js';
import { revealSuspiciousCharacters } from '../core/policy/index.js';
import { describeBatch } from '../mcp/format.js';
import { EXIT, write, type CliIO } from './io.js';
import { onTerminationSignal } from './terminationSignals.js';
import { plural } from '../shared/plural.js';

/**
 * `leash run` beside a running Leash (the desktop app or `leash serve` on the same data
 * directory): the batch is handed to it over the control socket, where a person approves or
 * rejects it, and this process waits for the result, printing progress. Nothing here can approve
 * or run: the control channel cannot, by design.
 */

export interface HandedBatch {
  entries: { command: string; cwd?: string; timeoutMs?: number }[];
  cwd: string;
  stopOnFailure?: boolean;
  reason?: string;
}

/** The control connection to the Leash that owns `dataDir`, or undefined when none runs. */
export async function runningLeash(dataDir: string): Promise<ControlClient | undefined> {
  try {
    return await connectControl(dataDir);
  } catch (error) {
    if (error instanceof ControlError && error.code === 'LEASH_NOT_RUNNING') return undefined;
    throw error;
  }
}

export interface HandOffOptions {
  io: CliIO;
  /** Where progress goes (stderr with --json). */
  human: Writable;
  json: boolean;
  yes: boolean;
  file: string;
  signals?: NodeJS.EventEmitter;
}

function listing(view: AgentBatchView, cwd: string): string {
  const rows = view.entries.map((entry) => {
    const reasons = entry.reasons.map((r) => `       - ${r.code}: ${r.message}`);
    return [`  ${entry.index}. [${entry.verdict}] ${revealSuspiciousCharacters(entry.command)}`, ...reasons].join('\n');
  });
  return [`batch ${view.batchId}: ${plural(view.entries.length, 'entry', 'entries')}, in ${cwd}`, ...rows].join('\n');
}

function exitCodeOf(view: AgentBatchView): number {
  if (view.status === 'cancelled') return EXIT.stopped;
  return view.status === 'completed' && view.entries.every((e) => e.status === 'completed') ? EXIT.ok : EXIT.failed;
}

/** Hands `batch` to the running Leash behind `control` and waits for its end. Closes `control`. */
export async function handOff(control: ControlClient, batch: HandedBatch, options: HandOffOptions): Promise<number> {
  const { io, human } = options;
  let stoppedWaiting = false;
  const removeSignals = onTerminationSignal(options.signals ?? process, () => {
    stoppedWaiting = true;
    control.close();
  });
  // Like any agent, this process may read back only what it proposed (control/batchOwners.ts).
  const session = randomBytes(24).toString('base64url');
  try {
    let proposed: AgentBatchView;
    try {
      proposed = (await control.request('propose', {
        session,
        entries: batch.entries,
        cwd: batch.cwd,
        stopOnFailure: batch.stopOnFailure,
        reason: batch.reason ?? `leash run ${options.file}`,
        client: 'leash-run',
        origin: 'cli',
        wait: false,
      })) as AgentBatchView;
    } catch (error) {
      const code = error instanceof ControlError ? error.code : 'ERROR';
      await write(io.stderr, `leash run: ${code}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    await write(
      human,
      'Leash is already running for this data directory (the desktop app or `leash serve`), so the batch was handed to it:\n' +
        `${listing(proposed, batch.cwd)}\n` +
        'Approve or reject it in Leash. Waiting for the result here (Ctrl+C stops waiting; the batch stays in Leash).\n',
    );
    if (options.yes) await write(human, '(--yes does not approve a handed-over batch: only a person in Leash, or its autonomy mode, can.)\n');
    let last = '';
    const onProgress = (progress: ControlProgress): void => {
      if (progress.message === last) return;
      last = progress.message;
      void write(human, `leash: ${progress.message}\n`);
    };
    let view: AgentBatchView;
    try {
      view = proposed.status === 'pending' || proposed.status === 'approved' || proposed.status === 'running'
        ? ((await control.request('wait', { batchId: proposed.batchId, session }, onProgress)) as AgentBatchView)
        : proposed;
    } catch (error) {
      if (stoppedWaiting) {
        await write(io.stderr, `\nleash run: stopped waiting; batch ${proposed.batchId} stays in Leash: approve, reject or stop it there.\n`);
        return EXIT.stopped;
      }
      const code = error instanceof ControlError ? error.code : 'ERROR';
      await write(io.stderr, `leash run: ${code}: ${(error as Error).message}; batch ${proposed.batchId} may still be in Leash\n`);
      return EXIT.failed;
    }
    await write(human, `\n${describeBatch(view)}\n`);
    if (options.json) await write(io.stdout, `${JSON.stringify(view, null, 2)}\n`);
    return exitCodeOf(view);
  } finally {
    removeSignals();
    control.close();
  }
}
