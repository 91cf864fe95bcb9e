import type { AuditEventInput } from '../audit/index.js';

/** Points in a command's life after which tests can stop the inbox, to simulate a crash there. */
export type InboxStep = 'inflight-recorded' | 'moved-to-accepted' | 'batch-created' | 'batch-recorded' | 'results-written' | 'integrity-written' | 'archived';

export interface InboxHooks {
  /** Called after each step; if it throws, that command stops there, as if the process had died. */
  afterStep?(step: InboxStep, commandId: string): void | Promise<void>;
}

/** Where the inbox records what it did: the audit writer, or anything with its `append`. */
export interface InboxAudit {
  append(event: AuditEventInput): Promise<unknown>;
}
