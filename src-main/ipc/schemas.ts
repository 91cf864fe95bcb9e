import * as z from 'zod';
import { AUTONOMY_DURATIONS } from '../core/autonomy/duration.js';
import { MAX_SEARCH_CHARS } from '../core/batch/listing.js';
import { MAX_REJECTION_MESSAGE_CHARS } from '../core/batch/rejection.js';
import { MAX_PAGE_SIZE } from '../core/batch/summary.js';
import { BATCH_STATUSES } from '../core/batch/types.js';
import { CHOOSABLE_PROFILES } from '../core/sandbox/profiles.js';
import { settingsSchema } from '../core/settings/schema.js';
import type { Channel } from './channels.js';

/**
 * Request schemas, one per channel. Every payload from a renderer (or a browser-mode socket) is
 * parsed with these before anything else happens; unknown keys are refused. The renderer sends
 * ids to act on batches, never command text to run: main runs only the text it stored at
 * creation.
 */
const id = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'not a valid id');
/**
 * Reading channels take a whole id or a unique prefix of one (main resolves it, or answers
 * BATCH_ID_AMBIGUOUS / BATCH_ID_TOO_SHORT); actions take whole ids, which is all the UI sends.
 */
const idOrPrefix = id;
const empty = z.object({}).strict();
/** A payload bound well above the real limit, so an over-long message gets REJECTION_MESSAGE_TOO_LONG from main. */
const MAX_REJECTION_MESSAGE_PAYLOAD = MAX_REJECTION_MESSAGE_CHARS * 8;

/**
 * The settings a person may change from the UI. Autonomy changes only through the token flow;
 * the audit path, the shell and the inbox folder only in the settings file (they take effect on
 * the next start).
 */
export const settingsPatchSchema = settingsSchema
  .omit({ autonomy: true, auditPath: true, shell: true, inbox: true })
  .partial()
  .strict();

export const requestSchemas = {
  'app:info': empty,
  'app:emergencyStop': empty,
  'batch:list': z
    .object({
      // Plain text, matched as a substring (never a pattern): no NUL, which separates fields in main.
      search: z.string().max(MAX_SEARCH_CHARS).refine((text) => !text.includes('\u0000'), 'may not contain NUL characters').optional(),
      status: z.array(z.enum(BATCH_STATUSES)).max(BATCH_STATUSES.length).optional(),
      before: z.string().max(400).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    })
    .strict(),
  'batch:get': z.object({ id: idOrPrefix }).strict(),
  'batch:preview': z.object({ text: z.string().max(1_000_000, 'the pasted text is larger than 1 MB'), cwd: z.string().max(4096).optional() }).strict(),
  'batch:create': z
    .object({
      entries: z.array(z.object({ command: z.string().max(100_000) }).strict()).max(100),
      cwd: z.string().max(4096).optional(),
      reason: z.string().max(2000).optional(),
    })
    .strict(),
  'batch:approve': z
    .object({
      id,
      entryIds: z.array(id).max(10).optional(),
      /** The sandbox of the entries a person approves (allowed entries always run read-only). */
      sandbox: z.enum(CHOOSABLE_PROFILES).optional(),
      /** Network for workspace entries; ignored for read-only (never) and full access (always). */
      network: z.boolean().optional(),
      /** Approve & run: queued to run in the same step (see BatchService.approve). */
      run: z.boolean().optional(),
    })
    .strict(),
  'batch:unapprove': z.object({ id }).strict(),
  'batch:reject': z
    .object({
      id,
      /** Leash's note on the batch (why it was rejected); a person's words for the agent go in `message`. */
      reason: z.string().max(500).optional(),
      /**
       * What the person tells the agent to do instead. Main trims and checks it (length in
       * characters, no control characters) with stable codes; this bound only caps the payload.
       */
      message: z.string().max(MAX_REJECTION_MESSAGE_PAYLOAD, `the message for the agent is far longer than ${MAX_REJECTION_MESSAGE_CHARS} characters`).optional(),
    })
    .strict(),
  'batch:run': z.object({ id }).strict(),
  'batch:dryRun': z.object({ id, sandbox: z.enum(CHOOSABLE_PROFILES).optional(), network: z.boolean().optional() }).strict(),
  'batch:stop': z.object({ id }).strict(),
  'batch:output': z.object({ id: idOrPrefix, entryId: id }).strict(),
  'policy:classify': z.object({ command: z.string().max(100_000), cwd: z.string().max(4096).optional() }).strict(),
  'autonomy:status': empty,
  'autonomy:begin': empty,
  // The duration is part of the choice: no default here, the dialog always says which it is.
  'autonomy:confirm': z.object({ token: z.string().max(200), duration: z.enum(AUTONOMY_DURATIONS, { error: `the duration must be one of ${AUTONOMY_DURATIONS.join(', ')}` }) }).strict(),
  'autonomy:disable': empty,
  'settings:get': empty,
  'settings:update': z.object({ patch: settingsPatchSchema }).strict(),
  'settings:checkPatterns': z.object({ patterns: z.array(z.string().max(1000)).max(200) }).strict(),
  'audit:tail': z.object({ limit: z.number().int().min(1).max(1000).optional(), batchId: idOrPrefix.optional() }).strict(),
  'audit:verify': empty,
  'audit:status': empty,
  'audit:takeKey': empty,
  'audit:forgetKey': empty,
  'rules:list': empty,
  // The card names the entry; main reads its command and directory from what it stored.
  'rules:propose': z.object({ batchId: id, entryId: id }).strict(),
  'rules:add': z
    .object({
      decision: z.enum(['allow', 'ask', 'deny']),
      words: z.array(z.string().max(200)).min(1).max(16),
      scope: z.enum(['project', 'everywhere']),
      lifetime: z.enum(['saved', 'session']).optional(),
      network: z.boolean().optional(),
      // Where the project is found: the entry the rule was made from, or a directory typed in Settings.
      from: z.object({ batchId: id, entryId: id }).strict().optional(),
      cwd: z.string().max(4096).optional(),
    })
    .strict(),
  'rules:remove': z.object({ id: z.string().regex(/^r-[0-9a-f]{12}$/, 'not a rule id') }).strict(),
} satisfies Record<Channel, z.ZodType>;

export type Requests = { [C in Channel]: z.infer<(typeof requestSchemas)[C]> };
