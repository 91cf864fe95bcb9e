import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { homedir } from 'node:os';
import type { Leash } from '../core/leash.js';
import { isTerminal, type Batch } from '../core/batch/index.js';
import { resolveBatchId } from '../core/batch/shortId.js';
import { createAuthFailureRecorder, type AuthFailureRecorder } from './authFailures.js';
import { loadBatchOwners, type BatchOwners } from './batchOwners.js';
import { controlSecretPath, controlSocketPath } from './paths.js';
import { MAX_LINE_BYTES, authSchema, controlRequestSchema, type ControlReply, type ControlRequest } from './protocol.js';
import { agentView, progressOf } from './view.js';

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

const AUTH_TIMEOUT_MS = 5000;
/** Progress while a batch waits for a person keeps agents' tool calls from timing out. */
const HEARTBEAT_MS = 10_000;

/** Reads the per-install secret, creating it (owner-only) on first use. */
export async function ensureControlSecret(dataDir: string): Promise<string> {
  const path = controlSecretPath(dataDir);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing.length >= 32) {
      await chmod(path, 0o600);
      return existing;
    }
  } catch {
    // Missing: create it below.
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return secret;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** True when something answers on the socket (another Leash owns it). */
function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Serves agents' bridges on the control socket. Agents may propose batches (which wait for a
 * person, or for autonomy, like any other), read them, wait for them and classify commands.
 */
export async function startControlServer(leash: Leash): Promise<ControlServer> {
  const secret = await ensureControlSecret(leash.dataDir);
  const path = controlSocketPath(leash.dataDir);
  if (process.platform !== 'win32') {
    if (await isListening(path)) throw Object.assign(new Error(`another Leash is serving ${path}`), { code: 'CONTROL_IN_USE' });
    await rm(path, { force: true });
  }
  const sockets = new Set<Socket>();
  const authFailures = createAuthFailureRecorder({ append: (event) => leash.audit.appendNoWait(event) });
  const owners = await loadBatchOwners(leash.dataDir);
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, { leash, secret, authFailures, owners });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  if (process.platform !== 'win32') await chmod(path, 0o600);
  return {
    path,
    async close() {
      authFailures.flush();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (process.platform !== 'win32') await rm(path, { force: true });
    },
  };
}

interface ConnectionContext {
  leash: Leash;
  secret: string;
  authFailures: AuthFailureRecorder;
  owners: BatchOwners;
}

function serveConnection(socket: Socket, { leash, secret, authFailures, owners }: ConnectionContext): void {
  let authenticated = false;
  let buffer = '';
  const cleanups: (() => void)[] = [];
  const send = (reply: ControlReply): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  const timer = setTimeout(() => socket.destroy(), AUTH_TIMEOUT_MS);
  socket.setEncoding('utf8');
  socket.on('close', () => {
    clearTimeout(timer);
    for (const cleanup of cleanups) cleanup();
  });
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE_BYTES) {
      send({ id: null, error: { code: 'LINE_TOO_LONG', message: `lines are limited to ${MAX_LINE_BYTES} bytes` } });
      socket.destroy();
      return;
    }
    for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!authenticated) {
        const auth = safeJson(line);
        const parsed = authSchema.safeParse(auth);
        if (!parsed.success || !same(parsed.data.auth, secret)) {
          authFailures.failed();
          send({ id: null, error: { code: 'AUTH_FAILED', message: 'wrong control secret' } });
          socket.destroy();
          return;
        }
        authenticated = true;
        clearTimeout(timer);
        send({ id: null, result: { authenticated: true } });
        continue;
      }
      void handle(line);
    }
  });

  const handle = async (line: string): Promise<void> => {
    const json = safeJson(line);
    const requestId = (json as { id?: unknown } | undefined)?.id;
    const replyId = typeof requestId === 'number' || typeof requestId === 'string' ? requestId : null;
    const parsed = controlRequestSchema.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
      return send({ id: replyId, error: { code: 'INVALID_REQUEST', message: detail } });
    }
    try {
      const result = await respond(parsed.data, (progress) => send({ id: parsed.data.id, progress }));
      send({ id: parsed.data.id, result });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      send({ id: parsed.data.id, error: { code: typeof code === 'string' ? code : 'INTERNAL', message: (error as Error).message } });
    }
  };

  const lookup = (id: string): Batch | undefined => {
    try {
      return leash.batches.get(id);
    } catch {
      return undefined;
    }
  };

  /**
   * Waits for a batch to end, reporting progress on every change of it, and on every change of
   * the batch it is queued behind (that one starting is news to this agent too). Repeated
   * messages are dropped, except the heartbeat, which keeps agents' calls alive.
   */
  const waitFor = (batchId: string, onProgress: (p: ReturnType<typeof progressOf>) => void): Promise<Batch> =>
    new Promise((resolve) => {
      const first = leash.batches.get(batchId);
      if (isTerminal(first.status)) return resolve(first);
      let latest = first;
      let told = '';
      const report = (always: boolean): void => {
        const progress = progressOf(latest, lookup);
        if (!always && progress.message === told) return;
        told = progress.message;
        onProgress(progress);
      };
      report(true);
      const heartbeat = setInterval(() => report(true), HEARTBEAT_MS);
      const off = leash.batches.on((event) => {
        if (event.type !== 'batch-updated') return;
        if (event.batch.id !== batchId) {
          if (latest.status === 'approved' && event.batch.id === latest.queuedBehind) report(false);
          return;
        }
        latest = event.batch;
        if (isTerminal(latest.status)) {
          // No progress for the end: the result follows at once, and a late notification would
          // arrive after the agent's call has finished.
          stop();
          resolve(latest);
        } else {
          report(false);
        }
      });
      const stop = (): void => {
        clearInterval(heartbeat);
        off();
      };
      cleanups.push(stop);
    });

  /**
   * An agent reads only what its session proposed, unless the person allows more. The refusal is
   * the same whether the batch exists or not, so it tells nothing about other batches.
   */
  const readable = (batchId: string, session: string | undefined): string => {
    const all = leash.settings.get().agentsReadAllBatches;
    try {
      // A short id is resolved among the batches this agent may read, so neither a match nor an
      // ambiguity tells it anything about anyone else's batches.
      const id = all ? leash.batches.resolveId(batchId) : resolveBatchId(owners.readableBy(session, batchId), batchId);
      if (all || owners.owns(id, session)) return id;
    } catch (error) {
      if ((error as { code?: string }).code !== 'BATCH_NOT_FOUND') throw error;
    }
    throw Object.assign(new Error(`no batch ${batchId} proposed by this agent; an agent reads back only its own batches (a person can allow more in Settings: "Agents may read every batch")`), {
      code: 'BATCH_NOT_YOURS',
    });
  };

  const respond = async (request: ControlRequest, onProgress: (p: ReturnType<typeof progressOf>) => void): Promise<unknown> => {
    switch (request.method) {
      case 'classify':
        return leash.engine.classify({ tool: 'shell', command: request.params.command }, leash.settings.get());
      case 'get':
        return agentView(leash.batches.get(readable(request.params.batchId, request.params.session)));
      case 'wait':
        return agentView(await waitFor(readable(request.params.batchId, request.params.session), onProgress));
      case 'hello':
        return { dataDir: leash.dataDir, pid: process.pid };
      case 'propose': {
        const { commands, entries, cwd, reason, client, wait, origin, stopOnFailure, session } = request.params;
        const batch = await leash.batches.create({
          entries: entries ?? (commands ?? []).map((command) => ({ command })),
          cwd: cwd ?? homedir(),
          source: origin === 'cli' ? 'cli' : `mcp:${client}`,
          reason,
          stopOnFailure,
        });
        if (session) await owners.record(batch.id, session);
        return agentView(wait ? await waitFor(batch.id, onProgress) : batch);
      }
    }
  };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
