import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import { memoryIO } from './memoryIO.js';

const run = promisify(execFile);

async function jsonl(input: string, extra: string[] = []) {
  const io = memoryIO(input);
  const code = await main(['classify', '--jsonl', ...extra], io);
  return { code, lines: io.output().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), errors: io.errors() };
}

describe('leash classify', () => {
  it('explains a verdict for a person and exits 0', async () => {
    const io = memoryIO();
    expect(await main(['classify', 'ls -la | grep x'], io)).toBe(0);
    expect(io.output()).toBe(
      'SAFE (allow)  score 100\n  $ ls -la | grep x\n' +
        '  - ALLOWED_COMMAND: `ls` is read-only, in the 1st command of a pipeline\n' +
        '  - ALLOWED_COMMAND: `grep` is read-only, in the 2nd command of a pipeline\n',
    );
  });

  it('exits 0 for a blocked command too, and shows the reason', async () => {
    const io = memoryIO();
    expect(await main(['classify', 'rm -rf ~/important'], io)).toBe(0);
    expect(io.output()).toMatch(/^BLOCKED \(deny\) {2}score 0\n.*\n {2}- RM_RECURSIVE_FORCE: blocked: `rm` with recursive and force flags/);
  });

  it('prints the whole result with --json, including the argv of every command it judged', async () => {
    const io = memoryIO();
    expect(await main(['classify', '--json', 'find . 2>/dev/null -delete | grep "a b"'], io)).toBe(0);
    const result = JSON.parse(io.output()) as { verdict: string; commands: unknown };
    expect(result.verdict).toBe('ask');
    expect(result.commands).toEqual([{ argv: ['find', '.', '-delete'] }, { argv: ['grep', 'a b'] }]);
  });

  it('answers every JSON line, even one with a 16,000-stage pipeline or 1,000 nested substitutions', async () => {
    const input = [
      JSON.stringify({ command: Array(16_000).fill('ls').join(' | ') }),
      JSON.stringify({ command: `${'$('.repeat(1000)}ls${')'.repeat(1000)}` }),
      JSON.stringify({ command: 'pwd' }),
    ].join('\n');
    const { lines } = await jsonl(`${input}\n`);
    expect(lines.map((l) => l.verdict)).toEqual(['allow', 'ask', 'allow']);
    expect(lines[1]?.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'NESTING_TOO_DEEP' })]));
  });

  it('shows invisible characters as visible escapes', async () => {
    const io = memoryIO();
    await main(['classify', 'echo hi\u200b'], io);
    expect(io.output()).toContain('$ echo hi\\u{200B}');
  });

  it('answers each JSON line in order, and keeps going past malformed ones', async () => {
    const input = [
      JSON.stringify({ command: 'ls' }),
      'not json',
      JSON.stringify({ command: 'rm -rf /' }),
      JSON.stringify({ cmd: 'ls' }),
      JSON.stringify({ command: 42 }),
      '',
      JSON.stringify({ command: 'echo "a\nb" && cat <<EOF\nx\nEOF\n', note: 'extra keys are ignored' }),
      JSON.stringify({ command: 'echo ünïcödé 🎉 \u202e' }),
    ].join('\n');
    const { code, lines } = await jsonl(`${input}\n`);
    expect(code).toBe(0);
    expect(lines.map((l) => (l.error ? (l.error as { code: string }).code : l.verdict))).toEqual([
      'allow', 'INVALID_JSON', 'deny', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_JSON', 'ask', 'ask',
    ]);
    expect(Object.keys(lines[0] ?? {})).toEqual(['verdict', 'score', 'reasons', 'commands']);
    expect(lines[0]?.commands).toEqual([{ argv: ['ls'] }]);
    expect(lines[2]).toMatchObject({ verdict: 'deny', score: 0, reasons: [{ code: 'RM_RECURSIVE_FORCE' }] });
  });

  it('accepts CRLF line ends and a last line without a newline', async () => {
    const { lines } = await jsonl('{"command":"ls"}\r\n{"command":"pwd"}');
    expect(lines.map((l) => l.verdict)).toEqual(['allow', 'allow']);
  });

  it('reports invalid UTF-8 on its line', async () => {
    const io = memoryIO(Buffer.concat([Buffer.from('{"command":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"command":"ls"}\n')]));
    await main(['classify', '--jsonl'], io);
    const lines = io.output().trim().split('\n').map((l) => JSON.parse(l) as { error?: { code: string }; verdict?: string });
    expect(lines.map((l) => l.error?.code ?? l.verdict)).toEqual(['INVALID_UTF8', 'allow']);
  });

  it('applies the allow patterns saved in the data directory when no --settings is given', async () => {
    const home = await mkdtemp(join(tmpdir(), 'leash-classify-home-'));
    await writeFile(join(home, 'config.json'), JSON.stringify({ allowPatterns: ['npm test'] }));
    const io = memoryIO('', { LEASH_HOME: home });
    expect(await main(['classify', 'npm', 'test'], io)).toBe(0);
    expect(io.output()).toMatch(/^SAFE \(allow\).*\n.*\n {2}- ALLOWED_BY_PATTERN/);
    // Read, never rewritten.
    expect(await readFile(join(home, 'config.json'), 'utf8')).toBe(JSON.stringify({ allowPatterns: ['npm test'] }));
  });

  it('applies the allow patterns of a settings file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-classify-'));
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify({ allowPatterns: ['npm test'] }));
    const { lines } = await jsonl('{"command":"npm test"}\n', ['--settings', file]);
    expect(lines[0]).toMatchObject({ verdict: 'allow', reasons: [{ code: 'ALLOWED_BY_PATTERN' }] });
  });

  it.each([
    ['{"allowPatterns": ["(bad"]}', /SETTINGS_INVALID: .*allowPatterns\.0: PATTERN_INVALID/],
    ['{not json', /SETTINGS_NOT_JSON/],
    ['{"maxBatchSize": 50}', /SETTINGS_INVALID: .*maxBatchSize/],
  ])('refuses a bad settings file %j with a clear error and exit 2', async (content, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'leash-classify-'));
    const file = join(dir, 'settings.json');
    await writeFile(file, content);
    const io = memoryIO();
    expect(await main(['classify', '--settings', file, 'ls'], io)).toBe(2);
    expect(io.errors()).toMatch(message);
  });

  it('reports a missing settings file', async () => {
    const io = memoryIO();
    expect(await main(['classify', '--settings', '/nonexistent/leash.json', 'ls'], io)).toBe(2);
    expect(io.errors()).toMatch(/SETTINGS_UNREADABLE: cannot read settings file \/nonexistent\/leash.json: ENOENT/);
  });

  it.each([[['classify']], [['classify', '--bogus', 'ls']], [['nonsense']]])('rejects bad usage %j with exit 2', async (argv) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.errors()).not.toBe('');
  });

  it('runs as the installed `leash` binary', async () => {
    const { stdout } = await run(process.execPath, ['bin/leash.js', 'classify', 'git status']);
    expect(stdout).toMatch(/^SAFE \(allow\)/);
    const child = execFile(process.execPath, ['bin/leash.js', 'classify', '--jsonl']);
    child.stdin?.end('{"command":"sudo ls"}\n');
    const out = await new Promise<string>((resolve) => {
      let text = '';
      child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', () => resolve(text));
    });
    const parsed = JSON.parse(out) as { verdict: string; reasons: { code: string }[] };
    expect(parsed.verdict).toBe('deny');
    expect(parsed.reasons[0]?.code).toBe('PRIVILEGE_ESCALATION');
  });
});
