import { mkdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * A directory for sandbox tests' projects and data directories that is NOT under /tmp: every
 * sandboxed entry gets a private, empty /tmp, so a project there would vanish from its commands.
 * The checkout's `test-results/`, unless the checkout itself lives under /tmp (a CI clone), then
 * /var/tmp. Created if missing.
 */
export function sandboxTestRoot(): string {
  const inCheckout = join(process.cwd(), 'test-results');
  const root = `${inCheckout}${sep}`.startsWith(`/tmp${sep}`) ? '/var/tmp/leash-sandbox-tests' : inCheckout;
  mkdirSync(root, { recursive: true });
  return root;
}
