import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuditError, forgetPendingKey, readAuditTail, readPendingKey, verifyAudit, type AuditRecord } from '../core/audit/index.js';
import { previewPaste } from '../core/intake/pastePreview.js';
import type { Leash } from '../core/leash.js';
import { checkPatterns } from '../core/policy/patterns.js';
import type { SandboxChoice } from '../core/sandbox/entrySandbox.js';
import type { ChoosableProfile } from '../core/sandbox/profiles.js';
import { describeSupport, type SandboxSupport } from '../core/sandbox/support.js';
import { CHANNELS, isChannel, type Channel } from './channels.js';
import type { AppInfo, IpcError, IpcResult, Request, Response } from './contract.js';
import { describeProblem } from './errors.js';
import { createRuleHandlers } from './ruleHandlers.js';
import { requestSchemas } from './schemas.js';

export type Handlers = { [C in Channel]: (request: Request<C>) => Promise<Response<C>> };

export interface HandlerContext {
  leash: Leash;
  mode: AppInfo['mode'];
  version: string;
}

/** Network goes with the profile: read-only never has it, full access always does. */
/**
 * No directory means the home directory (the form's default); anything else is checked by core
 * like every other door's: a relative or missing one is CWD_NOT_FOUND, never replaced.
 */
function batchDirectory(cwd: string | undefined): string {
  return cwd === undefined || cwd.trim() === '' ? homedir() : cwd;
}

function sandboxChoice(profile: ChoosableProfile, network: boolean): SandboxChoice {
  return { profile, network: profile === 'full' || (profile === 'workspace' && network) };
}

function sandboxInfo(support: SandboxSupport): AppInfo['sandbox'] {
  if (support.ok) return { available: true, description: describeSupport(support), fix: null };
  return { available: false, description: support.message, fix: support.fix };
}

/** Reads enough of the tail to filter by batch and still return `limit` records. */
const AUDIT_SCAN_LINES = 5000;
/** What the Audit screen's table shows at most (the renderer asks for 500). */
const AUDIT_TABLE_LIMIT = 500;

/**
 * The handler table, independent of the transport: Electron registers it on ipcMain, browser
 * mode serves it over a WebSocket. Handlers receive validated requests only (see `dispatch`).
 */
export function createHandlers({ leash, mode, version }: HandlerContext): Handlers {
  const { batches, settings } = leash;
  const auditPath = leash.audit.path;
  return {
    'app:info': async () => ({
      version,
      mode,
      platform: process.platform,
      dataDir: leash.dataDir,
      homeDir: homedir(),
      problems: leash.problems,
      sandbox: sandboxInfo(leash.sandbox.support),
    }),
    'app:emergencyStop': () => batches.emergencyStop(),
    'batch:list': async (query) => batches.list(query),
    'batch:get': async ({ id }) => batches.get(id),
    // With the person's rules for the batch's directory: the preview shows the verdicts the batch gets.
    'batch:preview': async ({ text, cwd }) => {
      const current = settings.get();
      const { userRules } = leash.rules.policyFor(batchDirectory(cwd), current);
      return previewPaste(text, { engine: leash.engine, parser: await leash.bashParser() }, { ...current, userRules });
    },
    'batch:create': async ({ entries, cwd, reason }) => {
      return batches.create({ entries, cwd: batchDirectory(cwd), reason, source: 'paste' });
    },
    'batch:approve': ({ id, entryIds, sandbox = 'workspace', network = false, run = false }) =>
      batches.approve(id, { entryIds, by: 'manual', sandbox: sandboxChoice(sandbox, network), run }),
    'batch:unapprove': ({ id }) => batches.unapprove(id),
    'batch:reject': ({ id, reason, message }) => batches.reject(id, reason, { message }),
    'batch:run': ({ id }) => batches.run(id),
    'batch:dryRun': ({ id, sandbox, network = false }) => batches.dryRun(id, sandbox ? sandboxChoice(sandbox, network) : undefined),
    'batch:stop': ({ id }) => batches.stop(id),
    'batch:output': async ({ id, entryId }) => batches.recentOutput(batches.resolveId(id), entryId),
    'policy:classify': async ({ command, cwd }) => leash.engine.classify({ tool: 'shell', command }, leash.rules.policyFor(batchDirectory(cwd), settings.get())),
    'autonomy:status': async () => batches.autonomy.status(),
    'autonomy:begin': async () => batches.autonomy.begin(),
    'autonomy:confirm': async ({ token, duration }) => {
      const result = await batches.autonomy.confirm(token, { duration });
      if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
      return result.value;
    },
    'autonomy:disable': () => batches.autonomy.disable('turned off by a person'),
    'settings:get': async () => settings.get(),
    'settings:update': async ({ patch }) => {
      const before = settings.get();
      const after = settings.update(patch);
      const changed = Object.keys(patch).filter((key) => JSON.stringify(before[key as keyof typeof before]) !== JSON.stringify(after[key as keyof typeof after]));
      if (changed.length > 0) await leash.audit.append({ event: 'SETTINGS_CHANGED', details: { changed } });
      return after;
    },
    'settings:checkPatterns': async ({ patterns }) => {
      const { errors, warnings } = checkPatterns(patterns);
      return { errors, warnings };
    },
    'audit:tail': async ({ limit = 200, batchId: given }) => {
      const batchId = given === undefined ? undefined : auditBatchId(given, batches.resolveId);
      const items = await readAuditTail(auditPath, batchId ? AUDIT_SCAN_LINES : limit);
      const filtered = batchId ? items.filter((item) => item.ok && item.record.batchId === batchId) : items;
      return filtered.slice(-limit);
    },
    // The full check, streaming: it reads the whole trail without holding up anything else.
    // A failure other than a torn last line (a write caught half way) sets the segment aside:
    // nothing more is appended to a chain that failed verification (FORMAT.md, "Segments").
    // The table that goes with a failure is the failing segment's end, read before it is moved.
    'audit:verify': async () => {
      const result = await verifyAudit(auditPath, { history: { batchesDir: join(leash.dataDir, 'batches') } });
      if (result.ok || result.firstBad.reason === 'TORN' || leash.audit.head.seq === 0) return result;
      const items = await readAuditTail(auditPath, AUDIT_TABLE_LIMIT).catch(() => []);
      const recovery = await leash.audit.quarantine(result.firstBad, result.records);
      const file = recovery?.details?.quarantinedAs;
      return typeof file === 'string' ? { ...result, setAside: { file, items } } : result;
    },
    'audit:status': async () => {
      const pending = await readPendingKey(auditPath);
      const sealing = leash.audit.sealing;
      return { startProblem: startProblemOf(leash.audit.recovery), sealingKeyId: sealing?.keyId ?? null, keyOnMachine: pending !== undefined && pending.keyId === sealing?.keyId };
    },
    'audit:takeKey': async () => {
      const pending = await readPendingKey(auditPath);
      if (!pending) throw new AuditError('AUDIT_KEY_TAKEN', 'the verification key is no longer on this machine: it was already taken. `leash audit setup-keys --new` (with Leash closed) makes a new one.');
      return { keyId: pending.keyId, verificationKey: pending.printed };
    },
    'audit:forgetKey': async () => ({ forgotten: await forgetPendingKey(auditPath) }),
    ...createRuleHandlers(leash),
  };
}

/**
 * The batch an audit filter names: a known batch by its id or a unique prefix; an id Leash no
 * longer holds (its records outlive it) is taken as given. Ambiguous or too short is refused.
 */
function auditBatchId(given: string, resolve: (idOrPrefix: string) => string): string {
  try {
    return resolve(given);
  } catch (error) {
    if ((error as { code?: string }).code === 'BATCH_NOT_FOUND') return given;
    throw error;
  }
}

/** A quarantine at open (tampered or missing trail) as one sentence; crash repairs are not problems. */
function startProblemOf(recovery: AuditRecord | undefined): string | null {
  const reason = recovery?.details?.firstBadReason;
  if (typeof reason !== 'string') return null;
  return recovery?.reason ?? `the audit trail failed verification (${reason}) when Leash started`;
}

/**
 * Validates and runs one request. Unknown channels and malformed payloads are refused before
 * any handler runs; every failure comes back as `{ ok: false, error: { code, message } }`.
 */
export async function dispatch(handlers: Handlers, channel: unknown, payload: unknown): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) {
    // Never String(channel): a JSON object like {"toString": 1} makes that throw.
    const named = typeof channel === 'string' ? channel.slice(0, 80) : `(a ${channel === null ? 'null' : typeof channel}, not a channel name)`;
    return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `no such channel: ${named}` } };
  }
  const parsed = requestSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    return { ok: false, error: { code: 'INVALID_PAYLOAD', message: `${channel}: ${detail}` } };
  }
  try {
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    const problem: IpcError = describeProblem(error);
    return { ok: false, error: problem };
  }
}

export { CHANNELS };
