import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { flush, journal, onHostMessage, send } from './wire.js';

/** An Electron-style event: `preventDefault` is all the app's listeners use. */
export interface StandInEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  [key: string]: unknown;
}

export function standInEvent(extra: Record<string, unknown> = {}): StandInEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

/** What `app.quit()` needs from the open windows; filled in by windows.ts. */
export interface QuitParticipant {
  /** Emits `close`; false if a listener prevented it (the quit is then cancelled). */
  closeForQuit(): boolean;
}
export const openWindows = new Set<QuitParticipant>();

const packaged = process.env.LEASH_STANDIN_PACKAGED === '1';
// `electron .` sets process.defaultApp; a packaged app does not. process.type marks the main process.
Object.assign(process, { type: 'browser', ...(packaged ? {} : { defaultApp: true }) });

function findAppPath(): string {
  let dir = dirname(resolve(process.argv[1] ?? '.'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const appPath = findAppPath();
const manifest = JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8')) as { name: string; productName?: string; version: string };

const home = process.env.HOME || homedir();
const paths = new Map<string, string>([
  ['home', home],
  ['appData', process.env.XDG_CONFIG_HOME || join(home, '.config')],
  ['temp', tmpdir()],
  ['exe', process.execPath],
]);
paths.set('userData', join(paths.get('appData')!, manifest.productName ?? manifest.name));

// Like Electron, the process lives until the app quits or exits, not until the loop is empty.
const keepAlive = setInterval(() => undefined, 1 << 30);
let ready = false;
let quitting = false;
let handOff: Promise<void> = Promise.resolve();
const cleanups: Array<() => void> = [];

function switchValue(name: string): string | undefined {
  for (const argument of process.argv.slice(2)) {
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(argument);
    if (match?.[1] === name) return match[2] ?? '';
  }
  return undefined;
}

async function end(code: number): Promise<void> {
  journal('app', 'exit', code);
  send({ kind: 'exit', code });
  for (const cleanup of cleanups) cleanup();
  await handOff;
  await flush();
  clearInterval(keepAlive);
  process.exit(code);
}

class StandInApp extends EventEmitter {
  readonly isPackaged = packaged;
  readonly commandLine = {
    hasSwitch: (name: string): boolean => switchValue(name) !== undefined,
    getSwitchValue: (name: string): string => switchValue(name) ?? '',
    appendSwitch: (name: string, value?: string): void => journal('app.commandLine', 'appendSwitch', name, value),
    appendArgument: (value: string): void => journal('app.commandLine', 'appendArgument', value),
  };
  getPath(name: string): string {
    const path = paths.get(name);
    if (!path) throw new Error(`Failed to get '${name}' path`);
    return path;
  }
  setPath(name: string, path: string): void {
    // Electron refuses a relative path with this exception, at the call.
    if (!isAbsolute(path)) throw new Error('Path must be absolute');
    paths.set(name, path);
    journal('app', 'setPath', name, path);
  }
  getAppPath(): string {
    return appPath;
  }
  getVersion(): string {
    return manifest.version;
  }
  getName(): string {
    return manifest.productName ?? manifest.name;
  }
  isReady(): boolean {
    return ready;
  }
  whenReady(): Promise<void> {
    return ready ? Promise.resolve() : new Promise((resolve) => this.once('ready', () => resolve()));
  }
  setAppUserModelId(id: string): void {
    journal('app', 'setAppUserModelId', id);
  }
  disableHardwareAcceleration(): void {
    journal('app', 'disableHardwareAcceleration');
  }
  focus(): void {
    journal('app', 'focus');
  }
  /** A lock file holding the pid, plus a socket through which a second instance hands over its argv. */
  requestSingleInstanceLock(): boolean {
    const dir = this.getPath('userData');
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'SingletonLock');
    const socket = join(dir, 'SingletonSocket');
    const holder = readHolder(lock);
    if (holder !== undefined && holder !== process.pid && alive(holder)) {
      journal('app', 'requestSingleInstanceLock', false);
      handOff = handArgvTo(socket);
      return false;
    }
    rmSync(socket, { force: true });
    writeFileSync(lock, String(process.pid));
    const server = createServer((connection) => {
      let text = '';
      connection.on('data', (chunk: Buffer) => (text += chunk.toString()));
      connection.on('end', () => {
        const { argv, cwd } = JSON.parse(text) as { argv: string[]; cwd: string };
        this.emit('second-instance', standInEvent(), argv, cwd);
      });
    });
    server.listen(socket);
    server.unref();
    cleanups.push(() => {
      server.close();
      if (readHolder(lock) === process.pid) rmSync(lock, { force: true });
    });
    journal('app', 'requestSingleInstanceLock', true);
    return true;
  }
  /** before-quit (preventable), each window's close (preventable), will-quit (preventable), quit, exit. */
  quit(): void {
    journal('app', 'quit');
    if (quitting) return;
    const beforeQuit = standInEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    quitting = true;
    for (const window of [...openWindows]) {
      if (!window.closeForQuit()) {
        quitting = false;
        return;
      }
    }
    const willQuit = standInEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      quitting = false;
      return;
    }
    this.emit('quit', standInEvent(), 0);
    void end(0);
  }
  exit(code = 0): void {
    quitting = true;
    void end(code);
  }
  get quitting(): boolean {
    return quitting;
  }
}

function readHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function handArgvTo(socket: string): Promise<void> {
  return new Promise((done) => {
    const connection = createConnection(socket, () => connection.end(JSON.stringify({ argv: process.argv, cwd: process.cwd() })));
    connection.on('close', () => done());
    connection.on('error', () => done());
  });
}

export const app = new StandInApp();

onHostMessage((message) => {
  if (message.kind === 'os-quit') app.quit();
});

// Electron emits `ready` once the main script has run its first turn.
setImmediate(() => {
  ready = true;
  send({ kind: 'ready', pid: process.pid });
  app.emit('ready', standInEvent(), {});
});
