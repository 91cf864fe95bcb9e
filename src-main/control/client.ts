import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { controlSecretPath, controlSocketPath } from './paths.js';
import type { ControlProgress, ControlRequest } from './protocol.js';

export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ControlClient {
  request(method: ControlRequest['method'], params: Record<string, unknown>, onProgress?: (progress: ControlProgress) => void): Promise<unknown>;
  close(): void;
}

const NOT_RUNNING =
  'Leash is not running. Start the Leash desktop app or `npx leash serve` on this machine (same user, same data directory), then try again.';

/** Connects to the running Leash that owns `dataDir` and authenticates with its secret. */
export async function connectControl(dataDir: string): Promise<ControlClient> {
  let secret: string;
  try {
    secret = (await readFile(controlSecretPath(dataDir), 'utf8')).trim();
  } catch {
    throw new ControlError('LEASH_NOT_RUNNING', NOT_RUNNING);
  }
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = createConnection(controlSocketPath(dataDir));
    s.once('connect', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      reject(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(error.code ?? '') ? new ControlError('LEASH_NOT_RUNNING', NOT_RUNNING) : new ControlError('CONTROL_FAILED', `cannot reach Leash: ${error.message}`));
    });
  });
  socket.setEncoding('utf8');
  const waiting = new Map<number | string | null, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (p: ControlProgress) => void }>();
  let buffer = '';
  let nextId = 1;
  let closedError: ControlError | undefined;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
      const reply = JSON.parse(buffer.slice(0, newline)) as { id: number | string | null; result?: unknown; error?: { code: string; message: string }; progress?: ControlProgress };
      buffer = buffer.slice(newline + 1);
      const pending = waiting.get(reply.id);
      if (!pending) continue;
      if (reply.progress) {
        pending.progress?.(reply.progress);
        continue;
      }
      waiting.delete(reply.id);
      if (reply.error) pending.reject(new ControlError(reply.error.code, reply.error.message));
      else pending.resolve(reply.result);
    }
  });
  socket.on('close', () => {
    closedError = new ControlError('LEASH_STOPPED', 'Leash closed the connection (it was stopped or restarted)');
    for (const [, pending] of waiting) pending.reject(closedError);
    waiting.clear();
  });
  socket.on('error', () => undefined);

  const exchange = (id: number | string | null, line: string, progress?: (p: ControlProgress) => void): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closedError) return reject(closedError);
      waiting.set(id, { resolve, reject, progress });
      socket.write(`${line}\n`);
    });

  await exchange(null, JSON.stringify({ auth: secret }));
  return {
    request(method, params, onProgress) {
      const id = nextId++;
      return exchange(id, JSON.stringify({ id, method, params }), onProgress);
    },
    close: () => socket.end(),
  };
}
