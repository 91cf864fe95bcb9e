import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/index.js';
import { makeTempDir, readLines, SAMPLE_EVENTS, writeLines, writeLog } from '../core/audit/auditFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
/** The default audit file: `audit.jsonl` in LEASH_HOME. */
let defaultLog: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  defaultLog = join(dir, 'home', 'audit.jsonl');
  await mkdir(join(dir, 'home'));
});
afterEach(() => cleanup());

async function leash(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const collect = (stream: PassThrough, into: string[]): void => void stream.on('data', (chunk: Buffer) => into.push(chunk.toString('utf8')));
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  collect(stdout, out);
  collect(stderr, err);
  const code = await main(argv, { stdin: Readable.from([]), stdout, stderr, env: { LEASH_HOME: join(dir, 'home') }, cwd: dir });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function hashOfLine(line: string | undefined): string {
  return (JSON.parse(line as string) as { hash: string }).hash;
}

describe('leash audit verify', () => {
  it('prints "intact" with the count and full head hash and exits 0 for the default log', async () => {
    await writeLog(defaultLog);
    const head = hashOfLine((await readLines(defaultLog))[5]);
    expect(await leash('audit', 'verify')).toEqual({ code: 0, stdout: `intact: 6 records, head ${head}\nseals: none (this trail is not sealed; any Leash process seals it from its next start)\n`, stderr: '' });
  });

  it('accepts the file as an argument relative to the working directory, or with --audit', async () => {
    await writeLog(join(dir, 'other.jsonl'), SAMPLE_EVENTS.slice(0, 1));
    expect((await leash('audit', 'verify', 'other.jsonl')).stdout).toMatch(/^intact: 1 record, head [0-9a-f]{64}\nseals: none/);
    expect((await leash('audit', 'verify', '--audit', join(dir, 'other.jsonl'))).code).toBe(0);
  });

  it('names the first bad record and exits 1 when a record was edited', async () => {
    await writeLog(defaultLog);
    const lines = await readLines(defaultLog);
    lines[3] = (lines[3] as string).replace('echo hi', 'echo pwned');
    await writeLines(defaultLog, lines);
    const result = await leash('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^TAMPERED: record 4 \(line 4\): EDITED — content does not match its hash .*\n3 records verified before it\nseals: none/);
  });

  it('calls a torn tail damage rather than tampering, and still exits 1', async () => {
    await writeLog(defaultLog);
    await appendFile(defaultLog, '{"ev');
    const result = await leash('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^DAMAGED: line 7: TORN — the last line has no newline \(4 bytes/);
  });

  it('prints the verification as JSON with --json', async () => {
    await writeLog(defaultLog);
    const lines = await readLines(defaultLog);
    const intact = await leash('audit', 'verify', '--json');
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, records: 6, headSeq: 6, headHash: hashOfLine(lines[5]), checkpointLag: 0, sealing: { keys: [], verifyKey: 'not-given' } });
    await writeLines(defaultLog, lines.filter((_, i) => i !== 1));
    const tampered = await leash('audit', 'verify', '--json');
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, records: 1, firstBad: { seq: 3, line: 2, reason: 'DELETED' } });
  });

  it('exits 2 with AUDIT_NOT_FOUND when there is no log', async () => {
    expect(await leash('audit', 'verify')).toEqual({ code: 2, stdout: '', stderr: `leash audit: AUDIT_NOT_FOUND: no audit log at ${defaultLog}\n` });
    const json = await leash('audit', 'verify', 'missing.jsonl', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: 'AUDIT_NOT_FOUND', message: `no audit log at ${join(dir, 'missing.jsonl')}` } });
  });
});

describe('leash audit tail', () => {
  it('prints the last records as a table', async () => {
    await writeLog(defaultLog);
    const result = await leash('audit', 'tail', '-n', '3');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'SEQ  TIME                      EVENT           BATCH/ENTRY  DETAIL',
        '4    2025-01-02T03:04:08.678Z  ENTRY_STARTED   b1/e1        allow  $ "echo hi"',
        '5    2025-01-02T03:04:09.678Z  ENTRY_FINISHED  b1/e1        exit 0  12ms  stdout 3B',
        '6    2025-01-02T03:04:10.678Z  BATCH_FINISHED  b1           15ms',
        '',
      ].join('\n'),
    );
  });

  it('prints 20 records by default', async () => {
    await writeLog(defaultLog, Array.from({ length: 25 }, () => ({ event: 'APP_STARTED' as const })));
    const rows = (await leash('audit', 'tail')).stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(21);
    expect(rows[1]?.startsWith('6 ')).toBe(true);
  });

  it('prints records exactly as stored with --json', async () => {
    await writeLog(defaultLog);
    const lines = await readLines(defaultLog);
    expect((await leash('audit', 'tail', '--json', '-n', '2')).stdout).toBe(`${lines[4]}\n${lines[5]}\n`);
  });

  it('never prints terminal escapes or bidi controls from a command raw', async () => {
    await writeLog(defaultLog, [{ event: 'COMMAND_BLOCKED', command: 'echo \x1b[2J\u202egnp.exe', verdict: 'deny', reason: 'two\nlines' }]);
    for (const args of [[], ['--json']]) {
      const { stdout } = await leash('audit', 'tail', ...args);
      expect(stdout).not.toContain('\x1b');
      expect(stdout).not.toContain('\u202e');
      expect(stdout.trimEnd().split('\n').length).toBe(args.length === 0 ? 2 : 1);
    }
    expect((await leash('audit', 'tail')).stdout).toContain(String.raw`$ "echo \u001b[2J\u{202E}gnp.exe"`);
  });

  it('says so when the log is empty', async () => {
    await writeLog(defaultLog, []);
    expect((await leash('audit', 'tail')).stdout).toBe('(no records)\n');
  });
});

describe('leash audit usage', () => {
  it.each([
    [['audit'], 'Usage:'],
    [['audit', 'shred'], 'unknown subcommand "shred"'],
    [['audit', 'tail', '-n', 'ten'], '-n needs a whole number'],
    [['audit', 'verify', 'a.jsonl', '--audit', 'b.jsonl'], 'either as FILE or as --audit FILE'],
    [['audit', 'verify', '--frobnicate'], 'unknown option --frobnicate'],
  ])('exits 2 for %j', async (argv, message) => {
    const result = await leash(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('is listed in the top-level help', async () => {
    expect((await leash('--help')).stdout).toMatch(/^ {2}audit +verify the audit trail/m);
  });
});
