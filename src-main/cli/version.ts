import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './packageRoot.js';

/** The version in package.json, for `app:info` and the MCP handshake. */
export function packageVersion(): string {
  const root = packageRoot();
  if (root === undefined) return '0.0.0';
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
