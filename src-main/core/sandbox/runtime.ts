import { bubblewrapArgs, mountFence } from './bubblewrap.js';
import { chooseEntrySandbox, type SandboxChoice, type SandboxContext } from './entrySandbox.js';
import { linkedStateFile } from './linkedState.js';
import { entryMountPlan } from './mountPlan.js';
import type { EntrySandbox } from './profiles.js';
import { credentialPaths, leashStatePaths, type LeashStateLocations } from './protectedPaths.js';
import { seatbeltArgs, seatbeltPolicy } from './seatbelt.js';
import { describeSupport, type SandboxSupport } from './support.js';
import { workspaceProblem } from './workspaceRoot.js';

/** The program that wraps `shell -c command`: run `file ...args shell -c command`. */
export interface SandboxWrapper {
  file: string;
  args: string[];
}

export type WrapResult =
  | {
      ok: true;
      wrapper: SandboxWrapper | null;
      /**
       * Under bubblewrap, what every mount of the wrapper refers to on the host now (see
       * `mountFence`): a sandbox set up ahead with this wrapper is as strong as a fresh one only
       * while a fresh `wrap` gives the same wrapper and the same fence. Null without bubblewrap.
       */
      fence: string[] | null;
    }
  | { ok: false; code: 'SANDBOX_UNAVAILABLE' | 'SANDBOX_REFUSED'; message: string };

/** Everything the batch service needs from the sandbox: choosing profiles, and wrapping entries in them. */
export interface SandboxRuntime {
  readonly support: SandboxSupport;
  /** True when entries can be sandboxed here (autonomy needs it). */
  readonly available: boolean;
  context(): SandboxContext;
  choose(entry: Parameters<typeof chooseEntrySandbox>[0], choice: SandboxChoice): EntrySandbox;
  /**
   * How to start an entry under its recorded sandbox. Fails closed: an entry recorded with a
   * sandbox never runs without one (the sandbox broke since), nor with a recorded problem.
   */
  wrap(sandbox: EntrySandbox, cwd: string): WrapResult;
}

export interface SandboxRuntimeOptions {
  support: SandboxSupport;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Where Leash's state is, read each time (settings may move the audit or the inbox). */
  state(): LeashStateLocations;
}

export function createSandboxRuntime(options: SandboxRuntimeOptions): SandboxRuntime {
  const { support } = options;
  // Pure functions of the runtime's home and environment, which never change: computed once.
  // Whether each path exists is still looked at for every entry (bubblewrapArgs).
  const credentials = credentialPaths(options.home, options.env);
  const unavailableReason = support.ok ? null : describeSupport(support);
  const context = (): SandboxContext => ({
    available: support.ok,
    unavailableReason,
    home: options.home,
    env: options.env,
    statePaths: leashStatePaths(options.state()),
    credentialPaths: [...credentials],
  });
  return {
    support,
    available: support.ok,
    context,
    choose: (entry, choice) => chooseEntrySandbox(entry, choice, context()),
    wrap(sandbox, cwd) {
      if (sandbox.problem !== null) return { ok: false, code: 'SANDBOX_REFUSED', message: sandbox.problem };
      if (sandbox.profile === 'unsandboxed') return { ok: true, wrapper: null, fence: null };
      if (!support.ok) return { ok: false, code: 'SANDBOX_UNAVAILABLE', message: `this entry was approved to run ${sandbox.profile} but no sandbox works now: ${describeSupport(support)}` };
      const current = context();
      // Checked again now: the files may have changed since the entry was approved.
      if (sandbox.profile === 'workspace' && sandbox.workspace !== null) {
        const problem = workspaceProblem(sandbox.workspace, current);
        if (problem !== null) return { ok: false, code: 'SANDBOX_REFUSED', message: `no safe workspace: ${problem}` };
      }
      if (sandbox.writable.length > 0) {
        const linked = linkedStateFile(current.statePaths);
        if (linked !== null) {
          return { ok: false, code: 'SANDBOX_REFUSED', message: `${linked} (Leash’s own data) has a second name (a hard link) somewhere; a command could change it through that name, so nothing that may write runs until the extra link is removed` };
        }
      }
      if (support.kind === 'bubblewrap') {
        const plan = entryMountPlan(sandbox, cwd, current);
        const covered: string[] = [];
        const args = bubblewrapArgs(plan, { covered: (path) => covered.push(path) });
        return { ok: true, wrapper: { file: support.executable, args }, fence: mountFence(plan, covered) };
      }
      return { ok: true, wrapper: { file: support.executable, args: seatbeltArgs(seatbeltPolicy(sandbox, current)) }, fence: null };
    },
  };
}
