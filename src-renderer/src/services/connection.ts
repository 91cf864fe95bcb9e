import { api, isBrowserMode } from './ipc';
import type { ConnectionState } from './socketApi';

export type { ConnectionState } from './socketApi';

/**
 * Browser mode's connection state. The socket API has `onConnection`; the desktop preload has
 * none because IPC cannot drop (its state is always `connected`). Returns an unsubscribe.
 */
export function onConnectionChange(listener: (state: ConnectionState) => void): () => void {
  const socket = api as Partial<{ onConnection(listener: (state: ConnectionState) => void): () => void }>;
  if (!isBrowserMode || typeof socket.onConnection !== 'function') return () => undefined;
  return socket.onConnection(listener);
}

/** The state right now: `connected` on the desktop, the socket's own in browser mode. */
export function currentConnectionState(): ConnectionState {
  const socket = api as Partial<{ connectionState(): ConnectionState }>;
  if (!isBrowserMode) return 'connected';
  return typeof socket.connectionState === 'function' ? socket.connectionState() : 'connecting';
}
