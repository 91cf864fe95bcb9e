/**
 * What the person reads when Leash cannot open its data (the dialog before the app quits). The
 * common case is AUDIT_LOCKED: another Leash process (`leash serve`, `leash run`, a desktop
 * instance with another profile) is the audit trail's one writer, and it is named.
 */
export function describeStartFailure(error: unknown, dataDir: string): { title: string; content: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'AUDIT_LOCKED') {
    const details = (error as { details?: { pid?: unknown; hostname?: unknown } }).details ?? {};
    const holder = typeof details.pid === 'number' ? `process ${details.pid}${typeof details.hostname === 'string' ? ` on ${details.hostname}` : ''}` : 'another process';
    return {
      title: 'Leash is already running',
      content:
        `The audit trail in ${dataDir} is open for writing by ${holder}, probably \`leash serve\` or \`leash run\`. ` +
        `Only one Leash process may write it at a time. Stop that process, then start Leash again.\n\n${message}`,
    };
  }
  return {
    title: 'Leash cannot start',
    content: `Leash could not open its data in ${dataDir}${typeof code === 'string' ? ` (${code})` : ''}.\n\n${message}`,
  };
}
