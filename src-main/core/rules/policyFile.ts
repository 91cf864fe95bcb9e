import { isAbsolute, normalize } from 'node:path';
import * as z from 'zod';
import { readPolicyText, writeFileAtomically } from './jsonFile.js';
import { MAX_RULE_WORDS, allowRefusal, wordsProblem } from './ruleWords.js';
import { RuleError, type RuleErrorCode, type UserRule } from './types.js';

/**
 * `policy.json` in Leash's data directory: the person's saved rules.
 *
 * ```json
 * { "version": 1,
 *   "rules": [{ "id": "r-0123456789ab", "decision": "allow", "words": ["npm", "run", "test"],
 *               "scope": { "kind": "project", "root": "/home/ann/code/app" },
 *               "network": false, "addedAt": "2026-12-03T10:00:00.000Z", "example": "npm run test" }] }
 * ```
 *
 * A file that cannot be used (not JSON, invalid, a newer version) is never rewritten: Leash
 * reports it with a stable code, refuses to add or remove rules until a person fixes it, and
 * meanwhile asks about every command (its deny rules cannot be honoured, so nothing is allowed).
 */

export const POLICY_FILE_VERSION = 1;
export const MAX_RULES = 500;
export const POLICY_FILE_NAME = 'policy.json';

export const ruleIdSchema = z.string().regex(/^r-[0-9a-f]{12}$/, 'a rule id is `r-` and 12 hex digits');

export const ruleWordsSchema = z
  .array(z.string())
  .min(1, 'a rule names at least the program')
  .max(MAX_RULE_WORDS)
  .superRefine((words, ctx) => {
    const problem = wordsProblem(words);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everywhere') }).strict(),
  z
    .object({
      kind: z.literal('project'),
      root: z
        .string()
        .max(4096)
        .refine((root) => isAbsolute(root) && normalize(root) === root, 'a project root is an absolute, normalized path'),
    })
    .strict(),
]);

const savedRuleSchema = z
  .object({
    id: ruleIdSchema,
    decision: z.enum(['allow', 'ask', 'deny']),
    words: ruleWordsSchema,
    scope: scopeSchema,
    network: z.boolean().default(false),
    addedAt: z.iso.datetime(),
    example: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    // A file edited by hand is held to what the UI would allow: no rule for a shell or `sudo`.
    const refusal = rule.decision === 'allow' ? allowRefusal(rule.words) : undefined;
    if (refusal) ctx.addIssue({ code: 'custom', path: ['words'], message: `RULE_REFUSED: ${refusal}` });
    if (rule.decision !== 'allow' && rule.network) ctx.addIssue({ code: 'custom', path: ['network'], message: 'only an allow rule can grant the network' });
  });

const policyFileSchema = z
  .object({ version: z.literal(POLICY_FILE_VERSION), rules: z.array(savedRuleSchema).max(MAX_RULES) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `the id ${rule.id} is used twice` });
      seen.add(rule.id);
    });
  });

export type PolicyFileRead =
  | { ok: true; rules: UserRule[]; signature: string }
  | { ok: false; error: { code: RuleErrorCode; message: string }; signature: string };

function failure(code: RuleErrorCode, message: string, signature: string): PolicyFileRead {
  return { ok: false, error: { code, message }, signature };
}

/** Reads and validates the policy file; a missing file is an empty policy. Never throws. */
export function readPolicyFile(path: string): PolicyFileRead {
  const read = readPolicyText(path);
  if (!read.ok) {
    if (read.missing) return { ok: true, rules: [], signature: read.signature };
    return failure('POLICY_FILE_UNREADABLE', `cannot read the policy file ${path}: ${read.reason}`, read.signature);
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (error) {
    return failure('POLICY_FILE_NOT_JSON', `the policy file ${path} is not valid JSON: ${(error as Error).message}`, read.signature);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > POLICY_FILE_VERSION) {
    return failure('POLICY_VERSION_UNSUPPORTED', `the policy file ${path} has version ${version}, written by a newer Leash; this one reads version ${POLICY_FILE_VERSION}`, read.signature);
  }
  const parsed = policyFileSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    return failure('POLICY_FILE_INVALID', `the policy file ${path} is invalid: ${detail}`, read.signature);
  }
  const rules = parsed.data.rules.map((rule): UserRule => ({ ...rule, lifetime: 'saved', ...(rule.example === undefined ? {} : { example: rule.example }) }));
  return { ok: true, rules, signature: read.signature };
}

/** Writes the saved rules (session rules never reach the file). */
export function writePolicyFile(path: string, rules: readonly UserRule[]): void {
  const saved = rules
    .filter((rule) => rule.lifetime === 'saved')
    .map(({ lifetime: _lifetime, ...rule }) => rule);
  const text = `${JSON.stringify({ version: POLICY_FILE_VERSION, rules: saved }, null, 2)}\n`;
  try {
    writeFileAtomically(path, text);
  } catch (error) {
    throw new RuleError('POLICY_FILE_WRITE_FAILED', `cannot write the policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
