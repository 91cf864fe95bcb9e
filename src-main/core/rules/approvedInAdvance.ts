import type { Classification } from '../policy/types.js';

/**
 * What a person's approval in advance grants an entry the policy allowed: present when any of
 * its commands was allowed by a rule or an allow pattern rather than found to only read. Such an
 * entry runs under the approved-entry (workspace) sandbox, never read-only's claim and never
 * without a sandbox under autonomy. It may use the network only when every rule that allowed a
 * command of it says so (`user:<id>:network`); a pattern never grants the network.
 */
export function approvedInAdvance(classification: Classification): { network: boolean } | undefined {
  if (classification.verdict !== 'allow') return undefined;
  const granted = classification.reasons.filter((r) => r.code === 'ALLOWED_BY_RULE' || r.code === 'ALLOWED_BY_PATTERN');
  if (granted.length === 0) return undefined;
  return { network: granted.every((r) => r.code === 'ALLOWED_BY_RULE' && r.rule?.endsWith(':network') === true) };
}
