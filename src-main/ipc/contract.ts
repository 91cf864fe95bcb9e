import type { AuditRecord, AuditVerification } from '../core/audit/index.js';
import type { AutonomyStatus } from '../core/autonomy/autonomy.js';
import type { Batch, DryRunReport, EmergencyStopReport, RecentOutput } from '../core/batch/index.js';
import type { BatchListQuery, BatchPage, BatchSummary } from '../core/batch/summary.js';
import type { PreviewResult } from '../core/intake/pastePreview.js';
import type { Classification } from '../core/policy/types.js';
import type { CheckedPatterns } from '../core/policy/patterns.js';
import type { Settings } from '../core/settings/schema.js';
import type { BatchDelta, BatchFields, EntryDelta } from './batchDeltas.js';
import type { PolicyFileProblem, Project, RuleProposal, UserRule } from '../core/rules/index.js';
import type { Channel, EventName } from './channels.js';
import type { Requests } from './schemas.js';

/**
 * The one IPC contract: request types come from the zod schemas, response and event types are
 * declared here once. Main, preload and renderer all derive from this file.
 */
export interface AppInfo {
  version: string;
  mode: 'desktop' | 'browser';
  platform: string;
  dataDir: string;
  /** Default working directory for new batches. */
  homeDir: string;
  /** Problems found at start (invalid settings set aside, unreadable batch files). */
  problems: string[];
  /** The sandbox entries run in; without one nothing runs unattended (autonomy is refused). */
  sandbox: { available: boolean; description: string; fix: string | null };
}

export type AuditTailItem = { ok: true; record: AuditRecord } | { ok: false; reason: 'MALFORMED' | 'TORN'; text: string };

export interface Responses {
  'app:info': AppInfo;
  'app:emergencyStop': EmergencyStopReport;
  'batch:list': BatchPage;
  'batch:get': Batch;
  'batch:preview': PreviewResult;
  'batch:create': Batch;
  'batch:approve': Batch;
  'batch:unapprove': Batch;
  'batch:reject': Batch;
  'batch:run': Batch;
  'batch:dryRun': DryRunReport;
  'batch:stop': Batch;
  'batch:output': RecentOutput;
  'policy:classify': Classification;
  'autonomy:status': AutonomyStatus;
  'autonomy:begin': { token: string; expiresAt: string };
  'autonomy:confirm': AutonomyStatus;
  'autonomy:disable': AutonomyStatus;
  'settings:get': Settings;
  'settings:update': Settings;
  'settings:checkPatterns': Pick<CheckedPatterns, 'errors' | 'warnings'>;
  'audit:tail': AuditTailItem[];
  'audit:verify': AuditVerification & { setAside?: SetAsideSegment };
  'audit:status': AuditStatus;
  'audit:takeKey': { keyId: string; verificationKey: string };
  'audit:forgetKey': { forgotten: boolean };
  'rules:list': RuleList;
  'rules:propose': RuleProposalView;
  'rules:add': RuleView;
  'rules:remove': RuleView;
}

/** A rule as Settings and the card show it. */
export interface RuleView extends UserRule {
  /** The words as typed: `npm run test`. */
  text: string;
  /** `for ~/code/app` or `everywhere`. */
  where: string;
}

export interface RuleList {
  path: string;
  rules: RuleView[];
  problem: PolicyFileProblem | null;
}

/** What "Always allow commands like this" offers for one entry. */
export interface RuleProposalView {
  proposal: RuleProposal;
  /** The project the entry runs in (`display` is `~/code/app`). */
  project: Project & { display: string };
  command: string;
}

/** A segment that failed verification and was moved aside: its name and its last records (for marking the bad one). */
export interface SetAsideSegment {
  file: string;
  items: AuditTailItem[];
}

/** What the header and the Audit screen show about the trail without verifying it. */
export interface AuditStatus {
  /** Set when opening the trail found it tampered (or missing) and set it aside: shown until Leash restarts. */
  startProblem: string | null;
  /** The key the trail is sealed with now; null when sealing is off. */
  sealingKeyId: string | null;
  /** The verification key still waits on this machine for a person to take it. */
  keyOnMachine: boolean;
}

export interface EntryOutputEvent {
  batchId: string;
  entryId: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface Events {
  /** A batch was created or changed: its new summary. */
  'batch:summary': BatchSummary;
  /** The same change for a window showing the batch: its fields and the entries that changed. */
  'batch:delta': BatchDelta;
  'entry:output': EntryOutputEvent;
  'autonomy:changed': AutonomyStatus;
  'audit:appended': AuditRecord;
  'app:emergencyStopped': EmergencyStopReport;
  'rules:changed': RuleList;
}

export interface IpcError {
  code: string;
  message: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export type Request<C extends Channel> = Requests[C];
export type Response<C extends Channel> = Responses[C];

/** The domain types the renderer shows, re-exported so it never imports core (even for types). */
export type { AuditRecord, AuditVerification, AutonomyStatus, Batch, Classification, DryRunReport, EmergencyStopReport, PreviewResult, RecentOutput, Settings };
export type { BatchDelta, BatchFields, BatchListQuery, BatchPage, BatchSummary, EntryDelta };
export type { BatchEntry, BatchStatus, EntryStatus } from '../core/batch/index.js';
export type { Reason, Verdict } from '../core/policy/types.js';
export type { ChoosableProfile, EntrySandbox, SandboxProfile } from '../core/sandbox/profiles.js';

/** `batch:dryRun` → `batchDryRun`, as a type (see `functionName`). */
export type FunctionName<C extends Channel> = C extends `${infer Domain}:${infer Verb}` ? `${Domain}${Capitalize<Verb>}` : never;

/**
 * The API the renderer sees: one named function per channel, plus `on` for events. The desktop
 * preload exposes it as `window.leash`; browser mode builds the same shape over a WebSocket.
 */
export type LeashApi = { [C in Channel as FunctionName<C>]: (request: Request<C>) => Promise<IpcResult<Response<C>>> } & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};
