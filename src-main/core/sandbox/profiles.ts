/**
 * The sandbox profiles an entry runs under, and what each one lets a command do. The profile is
 * chosen per entry (see `entrySandbox.ts`), stored with it, shown before approval and audited in
 * ENTRY_STARTED, so what a person approves is what the kernel enforces.
 */

export const SANDBOX_PROFILES = ['read-only', 'package-install', 'workspace', 'full', 'unsandboxed'] as const;
export type SandboxProfile = (typeof SANDBOX_PROFILES)[number];

/** The profiles a person (or `leash run --sandbox`) may choose for the entries they approve. */
export const CHOOSABLE_PROFILES = ['read-only', 'workspace', 'full'] as const;
export type ChoosableProfile = (typeof CHOOSABLE_PROFILES)[number];

/** What an entry gets, decided before it runs and recorded with it. */
export interface EntrySandbox {
  profile: SandboxProfile;
  /** Whether the command can reach the network; false means its own empty network namespace. */
  network: boolean;
  /** Absolute directories the command may write, besides a private `/tmp` (none for read-only). */
  writable: string[];
  /** The project root writes are confined to (workspace profile), else null. */
  workspace: string | null;
  /** Why the entry gets this profile, in words (shown in the entry's details and dry run). */
  reason: string;
  /**
   * Git configuration Leash forces through the environment (`core.fsmonitor=false`, …) because
   * the entry runs git on the policy's allow; empty when none is forced.
   */
  gitConfig: string[];
  /** Set when the profile cannot be applied as chosen (e.g. a workspace root that would expose Leash's data). */
  problem: string | null;
}

/** A short word or two for badges and CLI columns. */
export const PROFILE_LABEL: Record<SandboxProfile, string> = {
  'read-only': 'read-only',
  'package-install': 'package install',
  workspace: 'workspace',
  full: 'full access',
  unsandboxed: 'unsandboxed',
};

/** One sentence per profile: what the operating system lets a command under it do. */
export const PROFILE_SUMMARY: Record<SandboxProfile, string> = {
  'read-only': 'reads files; cannot write anything but a private /tmp, has no network, cannot see credentials or Leash’s data',
  'package-install': 'network on; writes only where the package manager installs; credentials and Leash’s data hidden',
  workspace: 'writes only inside the project and a private /tmp; credentials and Leash’s data hidden',
  full: 'full access to your files and the network (chosen explicitly); only Leash’s own data stays hidden',
  unsandboxed: 'no sandbox is available here: the command runs with all your permissions',
};

/** A one-line description of a recorded sandbox, e.g. `workspace (/home/me/project), network off`. */
export function describeSandbox(sandbox: EntrySandbox): string {
  const where = sandbox.profile === 'workspace' && sandbox.workspace ? ` (${sandbox.workspace})` : '';
  const network = sandbox.profile === 'unsandboxed' ? '' : `, network ${sandbox.network ? 'on' : 'off'}`;
  return `${PROFILE_LABEL[sandbox.profile]}${where}${network}`;
}

export function isChoosableProfile(value: unknown): value is ChoosableProfile {
  return typeof value === 'string' && (CHOOSABLE_PROFILES as readonly string[]).includes(value);
}
