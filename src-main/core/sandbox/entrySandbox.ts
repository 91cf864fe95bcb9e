import { approvedInAdvance } from '../rules/approvedInAdvance.js';
import type { Classification } from '../policy/types.js';
import { gitSafeConfigLines, runsAllowedGit } from './gitSafety.js';
import { packageInstallDirectories, packageManagersOf } from './packageInstalls.js';
import type { ChoosableProfile, EntrySandbox } from './profiles.js';
import { findWorkspaceRoot } from './workspaceRoot.js';

/** What a person chose at approval for the entries they approve (the CLI's `--sandbox`, `--network`). */
export interface SandboxChoice {
  profile: ChoosableProfile;
  /** Network for workspace entries; read-only never has it, full access always does. */
  network: boolean;
}

/** The choice when a person says nothing: writes in the project, no network. */
export const DEFAULT_SANDBOX_CHOICE: SandboxChoice = { profile: 'workspace', network: false };

export interface SandboxContext {
  /** False when no sandbox works on this machine; every entry is then `unsandboxed`. */
  available: boolean;
  /** Why none works (shown with every unsandboxed entry). */
  unavailableReason: string | null;
  home: string;
  env: NodeJS.ProcessEnv;
  statePaths: readonly string[];
  credentialPaths: readonly string[];
}

/**
 * Chooses the profile of one entry:
 * - an entry the policy allowed runs **read-only**, whoever approved it: the allow is a claim
 *   that it only reads, and the kernel holds it to that claim; a package install the default
 *   allowlist admits gets **package-install** instead (network, writes where it installs);
 * - an entry a person approved (verdict `ask`) gets the person's choice: **workspace** by
 *   default (network only if they turned it on), **read-only**, or **full** access;
 * - with no working sandbox, everything is **unsandboxed**, and says so.
 * Git on the policy's allow also gets git's safe configuration (see gitSafety.ts).
 */
export function chooseEntrySandbox(
  entry: { classification: Classification; cwd: string },
  choice: SandboxChoice,
  context: SandboxContext,
): EntrySandbox {
  const { classification } = entry;
  const gitConfig = runsAllowedGit(classification) ? gitSafeConfigLines() : [];
  const base = { gitConfig, problem: null, workspace: null };
  if (!context.available) {
    return { ...base, profile: 'unsandboxed', network: true, writable: [], reason: `no sandbox works on this machine: ${context.unavailableReason ?? 'unknown reason'}` };
  }
  // A person's rule (or allow pattern) is approval given in advance, not a claim that the
  // command only reads: it gets the approved-entry profile, with the network only if the rule says.
  const grant = approvedInAdvance(classification);
  if (grant) {
    const chosen = chooseEntrySandbox({ ...entry, classification: { ...classification, verdict: 'ask' } }, { profile: 'workspace', network: grant.network }, context);
    return chosen.profile === 'workspace' ? { ...chosen, reason: chosen.reason.replace(/^approved by a person/, 'allowed by your rule (approval given in advance)') } : chosen;
  }
  if (classification.verdict === 'allow') {
    const managers = packageManagersOf(classification);
    if (managers.length > 0) {
      return {
        ...base,
        profile: 'package-install',
        network: true,
        writable: packageInstallDirectories(managers, context.home, context.env),
        reason: `the policy allowed a package install (${managers.join(', ')}): it may use the network and write only where ${managers.length === 1 ? 'that package manager installs' : 'those package managers install'}`,
      };
    }
    return { ...base, profile: 'read-only', network: false, writable: [], reason: 'the policy allowed it as read-only, so the sandbox lets it only read' };
  }
  if (choice.profile === 'read-only') {
    return { ...base, profile: 'read-only', network: false, writable: [], reason: 'a person chose read-only for this batch' };
  }
  if (choice.profile === 'full') {
    return { ...base, profile: 'full', network: true, writable: ['/'], reason: 'a person chose full access for this batch' };
  }
  const root = findWorkspaceRoot(entry.cwd, context);
  if (!root.ok) {
    return {
      ...base,
      profile: 'workspace',
      network: choice.network,
      writable: [],
      reason: 'approved by a person: writes only inside the project',
      problem: `no safe workspace: ${root.message}; run it from a project directory, or choose read-only or full access`,
    };
  }
  return {
    ...base,
    profile: 'workspace',
    network: choice.network,
    writable: [root.root],
    workspace: root.root,
    reason: `approved by a person: writes only inside the ${root.how} ${root.root}${choice.network ? ', network turned on at approval' : ', no network'}`,
  };
}
