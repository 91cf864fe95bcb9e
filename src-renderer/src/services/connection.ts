import { api, isBrowserMode } from './ipc';

/**
 * Browser mode's connection state. The socket API has `onConnection`; the desktop preload has
 * none because IPC cannot drop. Returns an unsubscribe.
 */
export function onConnectionChange(listener: (connected: boolean) => void): () => void {
  const socket = api as Partial<{ onConnection(listener: (connected: boolean) => void): () => void }>;
  if (!isBrowserMode || typeof socket.onConnection !== 'function') return () => undefined;
  return socket.onConnection(listener);
}
