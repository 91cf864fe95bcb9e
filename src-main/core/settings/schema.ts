import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { AUTONOMY_DURATIONS, isTimed } from '../autonomy/duration.js';
import { checkPatterns } from '../policy/patterns.js';

/** Hard cap on entries per batch, enforced in core whatever the settings say. */
export const HARD_MAX_BATCH_SIZE = 10;

const allowPatterns = z.array(z.string()).max(200).superRefine((patterns, ctx) => {
  for (const error of checkPatterns(patterns).errors) {
    ctx.addIssue({ code: 'custom', path: [error.index], message: `${error.code}: ${error.message}` });
  }
});

/**
 * The settings schema shared by the desktop app (electron-store), the CLI and browser mode
 * (conf): one file, one shape. Every field has a default so a partial file is valid.
 */
export const settingsSchema = z.object({
  autonomy: z
    .object({
      enabled: z.boolean().default(false),
      /** SHA-256 of the confirmation token; the token itself is never stored. */
      tokenHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
      /** Short public identifier of the token, recorded as `autonomy:<fingerprint>`. */
      fingerprint: z.string().regex(/^[0-9a-f]{8,16}$/).nullable().default(null),
      /** How long it lasts (core/autonomy/duration.ts); absent on a file from before durations: until switched off. */
      duration: z.enum(AUTONOMY_DURATIONS).optional(),
      /** When a timed duration ends (ISO 8601 UTC); present exactly when the duration is timed. */
      endsAt: z.iso.datetime().optional(),
    })
    .strict()
    .superRefine((autonomy, ctx) => {
      const timed = autonomy.duration !== undefined && isTimed(autonomy.duration);
      if (timed && autonomy.endsAt === undefined) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a ${autonomy.duration} autonomy needs the time it ends` });
      if (!timed && autonomy.endsAt !== undefined) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'only a timed autonomy (15m, 1h) has an end time' });
    })
    .default({ enabled: false, tokenHash: null, fingerprint: null }),
  maxBatchSize: z.number().int().min(1).max(HARD_MAX_BATCH_SIZE).default(HARD_MAX_BATCH_SIZE),
  allowPatterns: allowPatterns.default([]),
  defaultTimeoutMs: z.number().int().min(100).max(86_400_000).default(60_000),
  stopOnFailure: z.boolean().default(true),
  autonomyRateLimitPerMinute: z.number().int().min(1).max(60).default(6),
  /** Audit log location; null means `audit.jsonl` in the data directory. */
  auditPath: z.string().min(1).nullable().default(null),
  /**
   * Rotate the audit log into a sealed segment (`audit.000001.jsonl`, …) once it holds this many
   * MB; null: never (one file). Off by default: tools that read `audit.jsonl` alone then see the
   * whole trail, and opening costs the same at any size (it resumes from the checkpoint), so
   * size alone is no reason to split. Turn it on to back up or move old segments as whole,
   * never-changing files.
   */
  auditRotateAfterMB: z.number().int().min(1).max(1_048_576).nullable().default(null),
  /**
   * Move finished batches older than this many days out of the list into the archive
   * (`batches.archive/`, still readable with `leash batches --archived`); null: never.
   */
  archiveBatchesAfterDays: z.number().int().min(1).max(36_500).nullable().default(null),
  shell: z.string().min(1).default('/bin/bash'),
  /** Let agents read back every batch (`get_batch`), not only those their session proposed. */
  agentsReadAllBatches: z.boolean().default(false),
  /** Secret-looking environment variables that commands may still see, by exact name. */
  allowedSecretEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
  /** The signed-command inbox (src-main/core/inbox): a watched folder, off by default. */
  inbox: z
    .object({
      enabled: z.boolean().default(false),
      /** Absolute path of the inbox folder; null until a person chooses one. */
      dir: z.string().min(1).refine(isAbsolute, 'the inbox folder must be an absolute path').nullable().default(null),
      /** Commit and push results when the folder is a git repository. */
      publish: z.boolean().default(false),
      /** Directories `applyPatch` commands may change, by the name a command gives as `target` (`MAIN`). */
      targets: z
        .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a target name is a letter then letters, digits, _ or -'), z.string().min(1).refine(isAbsolute, 'a target must be an absolute path'))
        .refine((targets) => Object.keys(targets).length <= 32, 'at most 32 targets')
        .default({}),
      /** Whether patches may delete files (the plan: "deny file deletions unless explicitly allowed"). */
      allowDeletions: z.boolean().default(false),
    })
    .strict()
    .default({ enabled: false, dir: null, publish: false, targets: {}, allowDeletions: false }),
}).strict();

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

export interface SettingsProblem {
  code: 'SETTINGS_INVALID';
  message: string;
}

/** Describes zod issues as one line a person can act on: `allowPatterns.2: PATTERN_INVALID: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function parseSettings(value: unknown): { ok: true; value: Settings } | { ok: false; error: SettingsProblem } {
  const result = settingsSchema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: { code: 'SETTINGS_INVALID', message: describeIssues(result.error) } };
}
