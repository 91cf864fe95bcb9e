/**
 * The keyboard shortcuts, in one table: the help overlay lists it, buttons show their key from
 * it, and `matchShortcut` reads key events against it.
 */
export type ShortcutAction =
  | 'approveRun'
  | 'approveOnly'
  | 'unapprove'
  | 'run'
  | 'dryRun'
  | 'reject'
  | 'stop'
  | 'copySummary'
  | 'nextBatch'
  | 'previousBatch'
  | 'searchBatches'
  | 'newBatch'
  | 'showBatches'
  | 'showNew'
  | 'showSettings'
  | 'showAudit'
  | 'help'
  | 'emergencyStop';

export interface Shortcut {
  action: ShortcutAction;
  /** Keys as shown to people. */
  keys: string[];
  description: string;
  /** Where it works. */
  scope: 'everywhere' | 'batches';
}

export const EMERGENCY_KEYS = { mac: '⌘⇧.', other: 'Ctrl+Shift+.' };

export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

export const SHORTCUTS: Shortcut[] = [
  { action: 'emergencyStop', keys: [isMac() ? EMERGENCY_KEYS.mac : EMERGENCY_KEYS.other], description: 'Emergency stop (works even while typing)', scope: 'everywhere' },
  { action: 'approveRun', keys: ['A', 'Enter'], description: 'Approve & run: the ticked entries, or every entry that is not blocked; it waits in the queue while another batch runs', scope: 'batches' },
  { action: 'approveOnly', keys: ['Shift+A'], description: 'Approve only (run it later with R): the ticked entries, or every entry that is not blocked', scope: 'batches' },
  { action: 'unapprove', keys: ['U'], description: 'Un-approve: back to awaiting approval, before it runs', scope: 'batches' },
  { action: 'run', keys: ['R'], description: 'Run the approved batch', scope: 'batches' },
  { action: 'dryRun', keys: ['D'], description: 'Dry-run: check programs, directory and syntax', scope: 'batches' },
  { action: 'reject', keys: ['X'], description: 'Reject the batch, optionally telling the agent what to do instead (Ctrl+Enter sends)', scope: 'batches' },
  { action: 'stop', keys: ['S'], description: 'Stop: finish the running entry, skip the rest (cancels an approved or queued batch that has not started)', scope: 'batches' },
  { action: 'copySummary', keys: ['C'], description: 'Copy the results summary for the AI', scope: 'batches' },
  { action: 'nextBatch', keys: ['J', '↓'], description: 'Next batch', scope: 'batches' },
  { action: 'previousBatch', keys: ['K', '↑'], description: 'Previous batch', scope: 'batches' },
  { action: 'searchBatches', keys: ['/'], description: 'Search the batches (Esc clears, Enter or ↓ goes to the list)', scope: 'everywhere' },
  { action: 'newBatch', keys: ['N'], description: 'New batch', scope: 'everywhere' },
  { action: 'showBatches', keys: ['1'], description: 'Go to Batches', scope: 'everywhere' },
  { action: 'showNew', keys: ['2'], description: 'Go to New batch', scope: 'everywhere' },
  { action: 'showSettings', keys: ['3'], description: 'Go to Settings', scope: 'everywhere' },
  { action: 'showAudit', keys: ['4'], description: 'Go to Audit', scope: 'everywhere' },
  { action: 'help', keys: ['?'], description: 'Show or hide this list', scope: 'everywhere' },
];

export function keysFor(action: ShortcutAction): string {
  return SHORTCUTS.find((s) => s.action === action)?.keys[0] ?? '';
}

const PLAIN: Record<string, ShortcutAction> = {
  r: 'run',
  u: 'unapprove',
  d: 'dryRun',
  x: 'reject',
  s: 'stop',
  c: 'copySummary',
  j: 'nextBatch',
  ArrowDown: 'nextBatch',
  k: 'previousBatch',
  ArrowUp: 'previousBatch',
  n: 'newBatch',
  '1': 'showBatches',
  '2': 'showNew',
  '3': 'showSettings',
  '4': 'showAudit',
  '?': 'help',
  '/': 'searchBatches',
};

const NOT_TYPING = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Elements Enter already means something on (press, follow, toggle, open): Enter is theirs there. */
const ENTER_OWNERS = new Set(['BUTTON', 'A', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY', 'OPTION', 'LABEL']);
const ENTER_ROLES = new Set(['button', 'link', 'checkbox', 'radio', 'tab', 'option', 'menuitem', 'switch', 'row', 'gridcell', 'treeitem', 'listbox', 'combobox']);

/**
 * True when Enter on `target` belongs to it (a button, a link, a field, a list row, or anything
 * inside one), so it never also approves a batch.
 */
export function ownsEnter(target: EventTarget | null): boolean {
  let element = target && typeof (target as HTMLElement).tagName === 'string' ? (target as HTMLElement) : null;
  for (; element; element = element.parentElement) {
    if (element.isContentEditable || ENTER_OWNERS.has(element.tagName)) return true;
    const role = element.getAttribute('role');
    if (role && ENTER_ROLES.has(role)) return true;
    // A custom widget made focusable on purpose handles its own keys.
    if (element.hasAttribute('tabindex') && element.tabIndex >= 0) return true;
  }
  return false;
}

/** True when the key press belongs to a field the person is typing in. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable) return true;
  const tag = element.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TYPING.has((element as HTMLInputElement).type);
  return false;
}

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'target' | 'repeat'>;

/**
 * The action a key press asks for, or null. The emergency chord works everywhere; every other
 * shortcut is a single key and is ignored while typing, with Ctrl/Cmd/Alt held, or on key repeat
 * (except moving through the list).
 */
export function matchShortcut(event: KeyLike): ShortcutAction | null {
  if ((event.ctrlKey || event.metaKey) && event.shiftKey && (event.code === 'Period' || event.key === '.' || event.key === '>')) return 'emergencyStop';
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTypingTarget(event.target)) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === 'Enter') return event.shiftKey || event.repeat || ownsEnter(event.target) ? null : 'approveRun';
  const action = key === 'a' ? (event.shiftKey ? 'approveOnly' : 'approveRun') : (PLAIN[key] ?? null);
  if (event.repeat && action !== 'nextBatch' && action !== 'previousBatch') return null;
  return action;
}
