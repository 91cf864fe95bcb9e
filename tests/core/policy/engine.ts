import { createPolicyEngine, type PolicyEngine, type PolicySettings } from '../../../src-main/core/policy/index.js';

let engine: Promise<PolicyEngine> | undefined;

/** One engine per test file: loading the grammar is the slow part. */
export function sharedEngine(): Promise<PolicyEngine> {
  engine ??= createPolicyEngine();
  return engine;
}

export async function classify(command: string, settings?: PolicySettings) {
  return (await sharedEngine()).classify({ tool: 'shell', command }, settings);
}

export async function codes(command: string, settings?: PolicySettings): Promise<string[]> {
  return (await classify(command, settings)).reasons.map((r) => r.code);
}
