import { describe, expect, it } from 'vitest';
import { judgeRootLine } from '../../../src-main/core/intake/consoleTranscript.js';
import { extractToolCalls, readPaste, type LineMark, type PasteReading } from '../../../src-main/core/intake/index.js';
import { F, lines } from './calls.js';

type Reading = Extract<PasteReading, { ok: true }>;

function read(text: string): Reading {
  const reading = readPaste(text);
  if (!reading.ok) throw new Error(`${reading.error.code}: ${reading.error.message}`);
  return reading;
}

const commands = (text: string): string[] => read(text).calls.map((call) => call.command);
const scripts = (text: string): string[] => read(text).blocks.map((block) => block.script.command);
const marks = (text: string): Array<[number, LineMark['kind'], string | undefined]> =>
  read(text).blocks.flatMap((block) => block.marks.map((mark): [number, LineMark['kind'], string | undefined] => [mark.line, mark.kind, mark.removed]));

describe('prompts in pasted shell blocks', () => {
  it('removes `$ ` prompts in a ```bash block and shows each one removed', () => {
    const answer = lines('Run these in your checkout:', '', `${F}bash`, '$ cd ~/code/app', '$ git status', F, '', 'That shows what changed.');
    expect(commands(answer)).toEqual(['cd ~/code/app', 'git status']);
    expect(scripts(answer)).toEqual(['cd ~/code/app\ngit status']);
    expect(marks(answer)).toEqual([[4, 'prompt', '$ '], [5, 'prompt', '$ ']]);
  });

  it('drops the output that follows a prompted command, and shows it dropped', () => {
    const transcript = lines(`${F}console`, 'dev@box:~/app$ git status', 'On branch main', "Your branch is up to date with 'origin/main'.", '', 'dev@box:~/app$ npm test', '> app@1.0.0 test', F);
    expect(commands(transcript)).toEqual(['git status', 'npm test']);
    expect(marks(transcript)).toEqual([
      [2, 'prompt', 'dev@box:~/app$ '],
      [3, 'output', undefined],
      [4, 'output', undefined],
      [5, 'output', undefined],
      [6, 'prompt', 'dev@box:~/app$ '],
      [7, 'output', undefined],
    ]);
  });

  it('keeps a here-document body intact even when its lines start with `$ ` or `> `', () => {
    const block = lines(`${F}bash`, '$ cat > notes.md <<"EOF"', '$ this line is text, not a prompt', '> a quoted line', 'EOF', '$ wc -l notes.md', F);
    expect(commands(block)).toEqual(['cat > notes.md <<"EOF"\n$ this line is text, not a prompt\n> a quoted line\nEOF', 'wc -l notes.md']);
    expect(marks(block)).toEqual([[2, 'prompt', '$ '], [6, 'prompt', '$ ']]);
  });

  it('removes `> ` continuation prompts when every continued line of a transcript command carries one', () => {
    const transcript = lines(`${F}console`, '$ cat <<EOF | tr a-z A-Z', '> hello', '> EOF', 'HELLO', '$ echo done', F);
    expect(commands(transcript)).toEqual(['cat <<EOF | tr a-z A-Z\nhello\nEOF', 'echo done']);
    expect(marks(transcript)).toContainEqual([3, 'prompt', '> ']);
  });

  it('keeps line continuations of a prompted command together', () => {
    expect(commands(lines(`${F}sh`, '$ docker run --rm \\', '    -v "$PWD":/src \\', '    alpine ls /src', '$ docker ps', F))).toEqual([
      'docker run --rm \\\n    -v "$PWD":/src \\\n    alpine ls /src',
      'docker ps',
    ]);
  });

  it('reads a root session transcript: `# ` prompts are removed, output dropped, sentences stay comments', () => {
    const transcript = lines(`${F}console`, '# Install the web server', '# apt-get install -y nginx', 'Reading package lists... Done', '# systemctl restart nginx', F);
    expect(commands(transcript)).toEqual(['apt-get install -y nginx', 'systemctl restart nginx']);
    expect(scripts(transcript)).toEqual(['# Install the web server\napt-get install -y nginx\nsystemctl restart nginx']);
    expect(marks(transcript)).toEqual([[3, 'prompt', '# '], [4, 'output', undefined], [5, 'prompt', '# ']]);
  });

  it('next to `$ ` prompts, keeps an unclear `# ` line as a comment and says so', () => {
    const transcript = lines(`${F}console`, '$ sudo -i', '# systemctl restart nginx', '# cat /etc/nginx/nginx.conf', '# restart it again later', F);
    expect(commands(transcript)).toEqual(['sudo -i', 'cat /etc/nginx/nginx.conf']);
    expect(marks(transcript)).toEqual([[2, 'prompt', '$ '], [3, 'uncertain-comment', undefined], [4, 'prompt', '# ']]);
  });

  it('leaves `# ` comments alone in a ```bash block without prompts', () => {
    const script = lines(`${F}bash`, '# cat /etc/hosts', 'ls', F);
    expect(commands(script)).toEqual(['ls']);
    expect(scripts(script)).toEqual(['# cat /etc/hosts\nls']);
    expect(marks(script)).toEqual([]);
  });

  it('removes prompts from typed lines and drops the output pasted with them', () => {
    expect(commands(lines('$ git log --oneline -2', 'abc123 Fix the build', 'def456 Add tests', '$ git status --short'))).toEqual(['git log --oneline -2', 'git status --short']);
  });

  it('reads Windows line endings, tabs and non-ASCII text in a transcript', () => {
    const text = ['```console', '$ cd "~/Téléchargements/日本"', '$ ls\t-la', 'total 0', '```', ''].join('\r\n');
    expect(commands(text)).toEqual(['cd "~/Téléchargements/日本"', 'ls\t-la']);
    expect(scripts(text)).toEqual(['cd "~/Téléchargements/日本"\nls\t-la']);
  });

  it('does not take PowerShell prompts, and says why', () => {
    const result = extractToolCalls(lines(`${F}sh`, 'PS C:\\Users\\dev> dir', F));
    expect(result).toEqual({
      ok: true,
      calls: [{ command: 'PS C:\\Users\\dev> dir', origin: 'fenced', line: 2 }],
      notes: ['line 2: this looks like a PowerShell prompt; Leash runs commands with bash, so the line was kept as written'],
    });
  });

  it('gives every line of a block script the pasted line it came from', () => {
    const reading = read(lines('Steps:', `${F}bash`, '$ cd app', 'ignored output', '', '$ cat <<EOF', '> x', '> EOF', F));
    expect(reading.blocks[0]?.script).toEqual({ command: 'cd app\ncat <<EOF\nx\nEOF', lines: [3, 6, 7, 8] });
    expect(reading.calls.map((call) => [call.block, call.lines])).toEqual([[0, [3]], [0, [6, 7, 8]]]);
  });
});

describe('telling a root prompt from a comment', () => {
  it.each<[string, boolean, ReturnType<typeof judgeRootLine>]>([
    ['apt-get install -y nginx', false, 'root'],
    ['cat /etc/shadow', false, 'root'],
    ['./configure --prefix=/usr', false, 'root'],
    ['echo $PATH', false, 'root'],
    ['systemctl restart nginx', true, 'root'],
    ['systemctl restart nginx', false, 'uncertain'],
    ['Install the dependencies', true, 'comment'],
    ['install the dependencies', true, 'comment'],
    ['cd into the build directory', true, 'comment'],
    ['done.', true, 'comment'],
    ['TODO fix this', true, 'comment'],
  ])('`# %s` (root session: %s) is %s', (text, rootSession, expected) => {
    expect(judgeRootLine(text, rootSession)).toBe(expected);
  });
});
