import type { ChildMessage, HostMessage } from './protocol.js';

/**
 * The child's end of the host channel. Without a host (the child started by hand, or a second
 * instance the test does not watch) messages are dropped and requests fail, so the stand-in
 * still boots and can be driven by its exit code and output alone.
 */
type Listener = (message: HostMessage) => void;

const listeners = new Set<Listener>();
const pending = new Map<number, (value: unknown) => void>();
let nextRequest = 1;
let lastSend: Promise<void> = Promise.resolve();

export const connected = typeof process.send === 'function';

if (connected) {
  process.on('message', (message: HostMessage) => {
    if (message.kind === 'dialog-answer') {
      pending.get(message.requestId)?.(message.value);
      pending.delete(message.requestId);
      return;
    }
    for (const listener of listeners) listener(message);
  });
  // The channel must not keep the process alive: like Electron, only the app decides when to end.
  process.channel?.unref();
}

/** Sends a message to the host, in order. Values that JSON cannot carry are dropped by JSON. */
export function send(message: ChildMessage): void {
  if (!connected) return;
  const safe = JSON.parse(JSON.stringify(message, (_key, value: unknown) => (typeof value === 'function' ? undefined : value))) as ChildMessage;
  lastSend = new Promise((resolve) => process.send!(safe, undefined, {}, () => resolve()));
}

/** Records a stand-in API call in the host's journal. */
export function journal(target: string, method: string, ...args: unknown[]): void {
  send({ kind: 'call', target, method, args });
}

export function onHostMessage(listener: Listener): void {
  listeners.add(listener);
}

/** Asks the host (a dialog a person answers); without a host the answer is `fallback`. */
export function ask<T>(method: string, options: unknown, fallback: T): Promise<T> {
  if (!connected) return Promise.resolve(fallback);
  const requestId = nextRequest++;
  const answer = new Promise<T>((resolve) => pending.set(requestId, resolve as (value: unknown) => void));
  send({ kind: 'dialog', requestId, method, options });
  return answer;
}

/** Resolves once every message sent so far has left the process. */
export function flush(): Promise<void> {
  return lastSend;
}
