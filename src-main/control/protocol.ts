import * as z from 'zod';
import { commandTextSchema } from '../core/batch/input.js';

/**
 * The local control channel between a running Leash (desktop app or `leash serve`) and agent
 * bridges such as `leash mcp`. JSON Lines over a Unix socket (a named pipe on Windows) in the
 * data directory. The first line must authenticate with the per-install secret; after that an
 * agent may only propose, read and classify. Nothing on this channel can approve, run, change
 * settings or read the audit. An agent reads back only the batches its own session proposed,
 * unless the person allows more (`agentsReadAllBatches`).
 */
export const MAX_LINE_BYTES = 1024 * 1024;

export const authSchema = z.object({ auth: z.string().min(16).max(200) }).strict();

const id = z.union([z.number().int(), z.string().max(64)]);
/** The random value a bridge (`leash mcp`) makes at start: batches it proposes are readable by it alone. */
const session = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/);

const handedEntrySchema = z
  .object({
    command: commandTextSchema,
    cwd: z.string().max(4096).optional(),
    timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
  })
  .strict();

export const controlRequestSchema = z.discriminatedUnion('method', [
  z
    .object({
      id,
      method: z.literal('propose'),
      params: z
        .object({
          /** The commands, all run in `cwd`; or `entries`, each with its own cwd and timeout. */
          commands: z.array(commandTextSchema).min(1).max(10).optional(),
          entries: z.array(handedEntrySchema).min(1).max(10).optional(),
          // Relative and missing directories are refused by the batch service (CWD_NOT_FOUND).
          cwd: z.string().max(4096).optional(),
          reason: z.string().max(2000).optional(),
          client: z.string().regex(/^[\w.@/-]{1,64}$/).default('agent'),
          /** `cli`: a batch `leash run` handed over (source `cli`); else an agent's (`mcp:<client>`). */
          origin: z.enum(['agent', 'cli']).default('agent'),
          stopOnFailure: z.boolean().optional(),
          /** Keep the request open and report progress until the batch ends. */
          wait: z.boolean().default(true),
          session: session.optional(),
        })
        .strict()
        .refine((p) => (p.commands === undefined) !== (p.entries === undefined), 'give either "commands" or "entries"'),
    })
    .strict(),
  z.object({ id, method: z.literal('get'), params: z.object({ batchId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/), session: session.optional() }).strict() }).strict(),
  z.object({ id, method: z.literal('wait'), params: z.object({ batchId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/), session: session.optional() }).strict() }).strict(),
  z.object({ id, method: z.literal('classify'), params: z.object({ command: z.string().max(100_000) }).strict() }).strict(),
  z.object({ id, method: z.literal('hello'), params: z.object({}).strict() }).strict(),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;

/** What an agent learns about a batch: verdicts, statuses, exit codes and bounded output tails. */
export interface AgentEntryView {
  index: number;
  command: string;
  verdict: 'allow' | 'ask' | 'deny';
  reasons: { code: string; message: string }[];
  status: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  stdoutTail: string;
  stderrTail: string;
  outputTruncated: boolean;
  note: string | null;
  /** The sandbox it runs (or ran) in, e.g. `read-only, network off`; null for a blocked entry. */
  sandbox: string | null;
  /** Why the sandbox made it fail, in words, when its error output says so. */
  sandboxHint: string | null;
}

export interface AgentBatchView {
  batchId: string;
  status: string;
  source: string;
  approvedBy: string | null;
  note: string | null;
  /** What the person said the agent should do instead, when they rejected the batch with a message. */
  rejectionMessage: string | null;
  /** The short id of the batch this approved batch waits behind in the run queue; null otherwise. */
  queuedBehind: string | null;
  entries: AgentEntryView[];
}

export interface ControlProgress {
  status: string;
  done: number;
  total: number;
  message: string;
}

export type ControlReply =
  | { id: number | string | null; result: unknown }
  | { id: number | string | null; error: { code: string; message: string } }
  | { id: number | string; progress: ControlProgress };
