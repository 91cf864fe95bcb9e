import type { Batch, BatchEntry, ChoosableProfile, EntrySandbox, SandboxProfile } from './contract';

/** What a person chose in the approval controls of a pending batch. */
export interface SandboxChoice {
  profile: ChoosableProfile;
  network: boolean;
}

export const DEFAULT_CHOICE: SandboxChoice = { profile: 'workspace', network: false };

export const PROFILE_LABEL: Record<SandboxProfile, string> = {
  'read-only': 'read-only',
  'package-install': 'package install',
  workspace: 'workspace',
  full: 'full access',
  unsandboxed: 'unsandboxed',
};

/** Colour by how much the command may do: green reads, blue installs, amber writes the project, red anything. */
export const PROFILE_TONE: Record<SandboxProfile, 'ok' | 'info' | 'warn' | 'danger'> = {
  'read-only': 'ok',
  'package-install': 'info',
  workspace: 'warn',
  full: 'danger',
  unsandboxed: 'danger',
};

export const PROFILE_MEANING: Record<SandboxProfile, string> = {
  'read-only': 'Reads files only: no writes (but a private /tmp), no network, credentials and Leash’s data hidden.',
  'package-install': 'A package install: network on, writes only where the package manager installs; credentials and Leash’s data hidden.',
  workspace: 'Writes only inside the project (and a private /tmp); credentials and Leash’s data hidden.',
  full: 'Full access to your files and the network, as you chose. Only Leash’s own data stays hidden.',
  unsandboxed: 'No sandbox works on this machine: the command runs with all your permissions.',
};

/**
 * The sandbox an entry will get. Before approval the person's choice applies to the entries the
 * policy did not allow (allowed ones always run read-only), so the badges follow the controls;
 * afterwards the entry shows what was fixed at approval.
 */
export function displayedSandbox(entry: BatchEntry, batch: Pick<Batch, 'status'>, choice: SandboxChoice): EntrySandbox | null {
  const sandbox = entry.sandbox;
  if (!sandbox || entry.classification.verdict === 'deny') return null;
  if (batch.status !== 'pending' || entry.classification.verdict !== 'ask' || sandbox.profile === 'unsandboxed') return sandbox;
  if (choice.profile === 'workspace') return { ...sandbox, network: choice.network };
  const network = choice.profile === 'full';
  return { ...sandbox, profile: choice.profile, network, writable: choice.profile === 'full' ? ['/'] : [], workspace: null, problem: null };
}

/** The badge's hover text: what the profile allows, why this entry got it, and anything forced or refused. */
export function sandboxTitle(sandbox: EntrySandbox): string {
  const lines = [PROFILE_MEANING[sandbox.profile], `Why: ${sandbox.reason}.`];
  if (sandbox.workspace) lines.push(`Writable: ${sandbox.workspace}`);
  if (sandbox.profile !== 'unsandboxed') lines.push(`Network: ${sandbox.network ? 'on' : 'off'}`);
  if (sandbox.gitConfig.length > 0) lines.push(`Git forced: ${sandbox.gitConfig.join(', ')}`);
  if (sandbox.problem) lines.push(`Cannot run: ${sandbox.problem}`);
  return lines.join('\n');
}
