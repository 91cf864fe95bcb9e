import { describe, expect, it } from 'vitest';
import { debugSwitches, launchMode } from '../../src-main/electron/launchMode.js';

const packaged = (args: string[], env: NodeJS.ProcessEnv = { LEASH_HOME: '/data' }) => launchMode({ argv: ['/opt/Leash/leash-desktop', ...args], defaultApp: false, packaged: true, env });
const development = (args: string[], env: NodeJS.ProcessEnv = { LEASH_HOME: '/data' }) => launchMode({ argv: ['/usr/bin/electron', '.', ...args], defaultApp: true, packaged: false, env });

describe('the launch mode', () => {
  it('is the desktop app with no arguments, in the data directory', () => {
    expect(packaged([])).toEqual({ kind: 'desktop', dataDir: '/data' });
    expect(development([])).toEqual({ kind: 'desktop', dataDir: '/data' });
  });

  it('hands everything after `cli` to the CLI, also under `electron .`', () => {
    expect(packaged(['cli', 'mcp'])).toEqual({ kind: 'cli', args: ['mcp'] });
    expect(development(['cli', 'classify', 'ls -la'])).toEqual({ kind: 'cli', args: ['classify', 'ls -la'] });
    // Only the first argument decides: a file named cli elsewhere is not a command.
    expect(packaged(['--foo', 'cli'])).toMatchObject({ kind: 'desktop' });
  });

  it.each(['--remote-debugging-port=9222', '--remote-debugging-port', '-remote-debugging-port=1', '--remote-debugging-pipe', '--inspect', '--inspect=9229', '--inspect-brk', '--INSPECT-BRK=0', '--inspect-port=1', '--js-flags=--allow-natives-syntax', '--remote-allow-origins=*'])(
    'refuses %s when packaged, in desktop and CLI mode alike',
    (flag) => {
      expect(packaged([flag])).toMatchObject({ kind: 'refuse', code: 'DEBUG_SWITCH_REFUSED' });
      expect(packaged(['cli', 'mcp', flag])).toMatchObject({ kind: 'refuse', code: 'DEBUG_SWITCH_REFUSED' });
    },
  );

  it('leaves debugging switches to development, and reads no switch after a bare --', () => {
    expect(development(['--inspect'])).toMatchObject({ kind: 'desktop' });
    expect(debugSwitches(['cli', 'classify', '--', '--inspect'])).toEqual([]);
    expect(debugSwitches(['cli', 'classify', 'node --inspect app.js'])).toEqual([]);
    expect(debugSwitches(['--inspector-like-name', '--debugger'])).toEqual([]);
  });

  it('refuses a relative LEASH_HOME with a message that says what to do', () => {
    const mode = packaged([], { LEASH_HOME: 'data' });
    expect(mode).toMatchObject({ kind: 'refuse', code: 'LEASH_HOME_RELATIVE' });
    expect(mode.kind === 'refuse' && mode.message).toContain('LEASH_HOME must be an absolute path, but it is "data"');
    expect(packaged([], { LEASH_HOME: '', HOME: '/home/a', XDG_CONFIG_HOME: '/home/a/.config' })).toMatchObject({ kind: 'desktop', dataDir: '/home/a/.config/Leash' });
  });
});
