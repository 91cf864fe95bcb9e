import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';

/** Where every sandboxed entry gets a private, empty tmpfs (src-main/core/sandbox/mountPlan.ts). */
const PRIVATE_TMPFS = ['/tmp', '/var/tmp', '/dev/shm'];

/**
 * A directory for sandbox tests' projects and data directories that is NOT under a private tmpfs:
 * every sandboxed entry gets an empty /tmp, /var/tmp and /dev/shm, so a home or project there
 * would vanish from its commands (or be writable when the test expects it read-only). The
 * checkout's `test-results/`, unless the checkout itself lives under one of those (a CI clone in
 * /tmp), then `/var/lib/leash-sandbox-tests` for root (CI; reachable by the tests that drop to
 * an unprivileged user, which root's home is not) or `~/.cache/leash-sandbox-tests`. Created if missing.
 */
export function sandboxTestRoot(): string {
  const inCheckout = join(process.cwd(), 'test-results');
  const underTmpfs = PRIVATE_TMPFS.some((dir) => `${inCheckout}${sep}`.startsWith(`${dir}${sep}`));
  const outside = process.getuid?.() === 0 ? '/var/lib/leash-sandbox-tests' : join(homedir(), '.cache', 'leash-sandbox-tests');
  const root = underTmpfs ? outside : inCheckout;
  mkdirSync(root, { recursive: true });
  return root;
}
