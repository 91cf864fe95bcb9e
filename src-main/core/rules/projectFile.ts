import { join } from 'node:path';
import * as z from 'zod';
import { readPolicyText } from './jsonFile.js';
import { POLICY_FILE_VERSION, ruleWordsSchema } from './policyFile.js';

/**
 * `.leash/policy.json` inside a project: rules the repository ships for everyone who works in
 * it. A repository is as untrusted as the agent working in it, so its file may only tighten:
 * `deny` and `ask` rules apply; an `allow` rule is ignored and reported. A file that cannot be
 * read makes every command in the project ask (its deny rules cannot be honoured otherwise).
 *
 * ```json
 * { "version": 1, "rules": [{ "decision": "deny", "words": ["npm", "publish"], "note": "releases go through CI" }] }
 * ```
 */

export const PROJECT_POLICY_PATH = join('.leash', 'policy.json');
const MAX_PROJECT_RULES = 200;

export interface ProjectRule {
  decision: 'ask' | 'deny';
  words: string[];
  note?: string;
}

export type ProjectPolicy =
  | { ok: true; rules: ProjectRule[]; ignored: string[] }
  | { ok: false; code: 'POLICY_FILE_UNREADABLE' | 'POLICY_FILE_NOT_JSON' | 'POLICY_FILE_INVALID' | 'POLICY_VERSION_UNSUPPORTED'; message: string };

const projectRuleSchema = z
  .object({ decision: z.enum(['allow', 'ask', 'deny']), words: ruleWordsSchema, note: z.string().max(500).optional() })
  .strict();

const projectFileSchema = z.object({ version: z.literal(POLICY_FILE_VERSION), rules: z.array(projectRuleSchema).max(MAX_PROJECT_RULES) }).strict();

const cache = new Map<string, { signature: string; policy: ProjectPolicy | undefined }>();

/** The project's tightening rules, or undefined when it has no such file. Cached by the file's signature. */
export function readProjectPolicy(root: string): ProjectPolicy | undefined {
  const path = join(root, PROJECT_POLICY_PATH);
  const read = readPolicyText(path);
  const cached = cache.get(path);
  if (cached && cached.signature === read.signature && !read.signature.startsWith('missing')) return cached.policy;
  const policy = parseProjectPolicy(path, read);
  if (cache.size > 64) cache.clear();
  cache.set(path, { signature: read.signature, policy });
  return policy;
}

function parseProjectPolicy(path: string, read: ReturnType<typeof readPolicyText>): ProjectPolicy | undefined {
  if (!read.ok) return read.missing ? undefined : { ok: false, code: 'POLICY_FILE_UNREADABLE', message: `the project's ${path} cannot be read: ${read.reason}` };
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (error) {
    return { ok: false, code: 'POLICY_FILE_NOT_JSON', message: `the project's ${path} is not valid JSON: ${(error as Error).message}` };
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > POLICY_FILE_VERSION) {
    return { ok: false, code: 'POLICY_VERSION_UNSUPPORTED', message: `the project's ${path} has version ${version}, written for a newer Leash` };
  }
  const parsed = projectFileSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    return { ok: false, code: 'POLICY_FILE_INVALID', message: `the project's ${path} is invalid: ${detail}` };
  }
  const rules: ProjectRule[] = [];
  const ignored: string[] = [];
  parsed.data.rules.forEach((rule, index) => {
    if (rule.decision === 'allow') {
      ignored.push(`rules.${index}: a project's file may only tighten; its allow rule \`${rule.words.join(' ')}\` is ignored`);
      return;
    }
    rules.push({ decision: rule.decision, words: rule.words, ...(rule.note === undefined ? {} : { note: rule.note }) });
  });
  return { ok: true, rules, ignored };
}
