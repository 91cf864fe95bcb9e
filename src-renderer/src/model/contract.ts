/**
 * The renderer's names for the contract's types. Every alias is derived from the one IPC
 * contract (`src-main/ipc/contract.ts`), never retyped, so a change in main shows up here as a
 * type error. The renderer may not import `src-main/core` itself (lint-enforced).
 */
import type { Events, Request, Response } from '../../../src-main/ipc/contract';

export type { AppInfo, AuditTailItem, EntryOutputEvent, IpcError } from '../../../src-main/ipc/contract';

export type Batch = Response<'batch:get'>;
export type BatchPage = Response<'batch:list'>;
export type BatchSummary = BatchPage['items'][number];
export type BatchListQuery = Request<'batch:list'>;
export type BatchDelta = Events['batch:delta'];
export type EntryDelta = BatchDelta['entries'][number];
export type BatchEntry = Batch['entries'][number];
export type BatchStatus = Batch['status'];
export type EntryStatus = BatchEntry['status'];
export type Classification = BatchEntry['classification'];
export type Verdict = Classification['verdict'];
export type Reason = Classification['reasons'][number];
export type CapturedStream = NonNullable<BatchEntry['stdout']>;

export type DryRunReport = Response<'batch:dryRun'>;
export type DryRunEntry = DryRunReport['entries'][number];
export type EmergencyStopReport = Response<'app:emergencyStop'>;

export type PreviewResult = Response<'batch:preview'>;
export type PreviewSuccess = Extract<PreviewResult, { ok: true }>;
export type EntryMode = keyof PreviewSuccess['modes'];
export type PreviewPlan = PreviewSuccess['modes'][EntryMode];
export type PreviewEntry = PreviewPlan['entries'][number];
export type LineMark = PreviewSuccess['marks'][number];

export type AutonomyStatus = Response<'autonomy:status'>;
export type AutonomyDuration = Request<'autonomy:confirm'>['duration'];
export type AutonomyChallenge = Response<'autonomy:begin'>;

export type Settings = Response<'settings:get'>;
export type SettingsPatch = Request<'settings:update'>['patch'];
export type PatternCheck = Response<'settings:checkPatterns'>;
export type PatternProblem = PatternCheck['errors'][number] | PatternCheck['warnings'][number];

export type AuditRecord = Events['audit:appended'];
export type AuditVerification = Response<'audit:verify'>;
export type AuditFirstBad = Extract<AuditVerification, { ok: false }>['firstBad'];
export type AuditStatus = Response<'audit:status'>;

export type RuleList = Response<'rules:list'>;
export type RuleView = RuleList['rules'][number];
export type RuleProposalView = Response<'rules:propose'>;
export type NewRuleRequest = Request<'rules:add'>;
export type PolicyFileProblemView = NonNullable<RuleList['problem']>;
export type ProposedRule = Extract<RuleProposalView['proposal'], { ok: true }>['rules'][number];
export type EntrySandbox = NonNullable<BatchEntry['sandbox']>;
export type SandboxProfile = EntrySandbox['profile'];
export type ChoosableProfile = NonNullable<Request<'batch:approve'>['sandbox']>;
