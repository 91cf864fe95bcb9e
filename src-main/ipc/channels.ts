/**
 * The IPC channel and event names, `domain:verb`. This file has no dependencies so the preload
 * (bundled into a sandboxed script) can build its API from it without pulling in zod.
 */
export const CHANNELS = [
  'app:info',
  'app:emergencyStop',
  'batch:list',
  'batch:get',
  'batch:preview',
  'batch:create',
  'batch:approve',
  'batch:unapprove',
  'batch:reject',
  'batch:run',
  'batch:dryRun',
  'batch:stop',
  'batch:output',
  'policy:classify',
  'autonomy:status',
  'autonomy:begin',
  'autonomy:confirm',
  'autonomy:disable',
  'settings:get',
  'settings:update',
  'settings:checkPatterns',
  'audit:tail',
  'audit:verify',
  'audit:status',
  'audit:takeKey',
  'audit:forgetKey',
  'rules:list',
  'rules:propose',
  'rules:add',
  'rules:remove',
] as const;

export type Channel = (typeof CHANNELS)[number];

export const EVENTS = ['batch:summary', 'batch:delta', 'entry:output', 'autonomy:changed', 'audit:appended', 'app:emergencyStopped', 'rules:changed'] as const;

export type EventName = (typeof EVENTS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** `batch:dryRun` → `batchDryRun`: the preload's function names. */
export function functionName(channel: Channel): string {
  return channel.replace(/:(\w)/, (_, c: string) => c.toUpperCase());
}
