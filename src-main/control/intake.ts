import { defaultSecretSource, startInboxFromSettings, type Inbox } from '../core/inbox/index.js';
import type { Leash } from '../core/leash.js';
import { startControlServer, type ControlServer } from './server.js';

export interface Intake {
  /** Problems starting either door (reported to the person; the app still runs). */
  problems: string[];
  close(): Promise<void>;
}

/**
 * The two ways work reaches a running Leash besides the UI: agents' bridges (`leash mcp`) over
 * the control socket, and the signed command inbox when it is enabled in the settings. The
 * desktop app and `leash serve` both open them here, after `openLeash`.
 */
export async function startIntake(leash: Leash, env: NodeJS.ProcessEnv, onProblem: (problem: string) => void): Promise<Intake> {
  const problems: string[] = [];
  const report = (problem: string): void => {
    problems.push(problem);
    onProblem(problem);
  };
  let control: ControlServer | undefined;
  try {
    control = await startControlServer(leash);
  } catch (error) {
    report(`agents cannot connect through \`leash mcp\`: ${(error as Error).message}`);
  }
  let inbox: Inbox | null = null;
  try {
    inbox = await startInboxFromSettings(leash.settings.get().inbox, {
      batches: leash.batches,
      audit: leash.audit,
      secrets: defaultSecretSource(env),
      // No patch may write Leash's own state, even when a target contains it.
      protectedPaths: [leash.dataDir, ...(leash.settings.get().auditPath ? [leash.settings.get().auditPath as string] : [])],
      onProblem: (problem) => report(`inbox: ${problem}`),
    });
  } catch (error) {
    report(`the command inbox is not running: ${(error as Error).message}`);
  }
  return {
    problems,
    async close() {
      await inbox?.stop();
      await control?.close();
    },
  };
}
