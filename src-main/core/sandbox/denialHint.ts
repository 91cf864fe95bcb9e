import type { EntrySandbox } from './profiles.js';

/** How tools report a write the sandbox refused: EROFS under bubblewrap, EPERM under Seatbelt. */
const WRITE_DENIED = /read-only file system|EROFS|operation not permitted|EPERM/i;
/** How tools report a connection the sandbox's empty network namespace refused. */
const NETWORK_DENIED = /network is unreachable|ENETUNREACH|could not resolve host|temporary failure in name resolution|name or service not known|no address associated|getaddrinfo|EAI_AGAIN|ENOTFOUND|could not resolve|unable to resolve|connection refused/i;

export interface DenialContext {
  /** Leash's state and the credential locations the entry could not see. */
  hidden: readonly string[];
}

/**
 * A sentence for a person when a command failed because the sandbox stopped it, or null when
 * nothing suggests that. Read from the end of standard error of a failed entry; the wording
 * says what the sandbox allows, so the person knows what to change (approve it with the
 * network on, choose full access, run it from the project).
 */
export function explainSandboxDenial(sandbox: EntrySandbox | null | undefined, stderr: string, context: DenialContext): string | null {
  if (!sandbox || sandbox.profile === 'unsandboxed' || sandbox.profile === 'full' || stderr === '') {
    if (sandbox?.profile === 'full') return hiddenHint(stderr, context);
    return null;
  }
  const hidden = hiddenHint(stderr, context);
  if (hidden) return hidden;
  if (WRITE_DENIED.test(stderr)) {
    if (sandbox.profile === 'read-only') return 'the sandbox kept this command from writing: it ran read-only (only a private /tmp is writable)';
    if (sandbox.profile === 'workspace' && sandbox.workspace) return `the sandbox kept this command from writing outside ${sandbox.workspace}`;
    return `the sandbox kept this command from writing outside ${sandbox.writable.join(', ') || 'a private /tmp'}`;
  }
  if (!sandbox.network && NETWORK_DENIED.test(stderr)) {
    return sandbox.profile === 'workspace'
      ? 'the sandbox kept this command off the network (turn the network on when you approve the batch)'
      : 'the sandbox kept this command off the network';
  }
  return null;
}

function hiddenHint(stderr: string, context: DenialContext): string | null {
  const path = context.hidden.find((candidate) => stderr.includes(candidate));
  return path ? `the sandbox hides ${path} from commands (credentials and Leash’s own data)` : null;
}
