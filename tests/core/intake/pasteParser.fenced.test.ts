import { describe, expect, it } from 'vitest';
import { extractToolCalls, type ExtractResult } from '../../../src-main/core/intake/index.js';
import { F, call, failed, found, lines } from './calls.js';

const fenced = (line: number, command: string) => call('fenced', line, command);

describe('fenced code blocks in AI replies', () => {
  it.each<[string, string, ExtractResult]>([
    [
      'a Claude-style reply: prose around ```bash blocks',
      lines(
        "I'll help you set up the project. First, install the dependencies:",
        '',
        `${F}bash`,
        'npm install',
        F,
        '',
        'Then create the config file and start the dev server (it watches `src/`):',
        '',
        `${F}bash`,
        'cp .env.example .env',
        'npm run dev',
        F,
        '',
        "Let me know if you run into any issues! I'd also suggest `npm test`.",
      ),
      found([fenced(4, 'npm install'), fenced(10, 'cp .env.example .env'), fenced(11, 'npm run dev')]),
    ],
    [
      'a ChatGPT-style numbered answer with ```sh, ```shell and ```zsh blocks',
      lines(
        "Here's a quick way to free disk space on macOS:",
        '',
        '1. **Check usage**',
        `${F}sh`,
        'df -h',
        F,
        '2. **Clear caches** (safe to delete):',
        `${F}shell`,
        'rm -rf ~/Library/Caches/*',
        F,
        '3. **Empty the trash:**',
        `${F}zsh`,
        'rm -rf ~/.Trash/*',
        F,
      ),
      found([fenced(5, 'df -h'), fenced(9, 'rm -rf ~/Library/Caches/*'), fenced(13, 'rm -rf ~/.Trash/*')]),
    ],
    [
      'each command of a block is its own entry, multi-line constructs stay whole',
      lines(
        'Run this script:',
        `${F}bash`,
        '#!/bin/bash',
        'set -e',
        '',
        '# create the config',
        "cat > config.yml <<'EOF'",
        'name: demo',
        '# not a comment: part of the file',
        'EOF',
        'if [ ! -d node_modules ]; then',
        '  npm ci',
        'fi',
        'docker build \\',
        '  -t demo .',
        F,
      ),
      found([
        fenced(4, 'set -e'),
        fenced(7, "cat > config.yml <<'EOF'\nname: demo\n# not a comment: part of the file\nEOF"),
        fenced(11, 'if [ ! -d node_modules ]; then\n  npm ci\nfi'),
        fenced(14, 'docker build \\\n  -t demo .'),
      ]),
    ],
    [
      'tilde fences and info strings with more than a language',
      lines('~~~bash', 'ls', '~~~', `${F}{.bash}`, 'pwd', F, `${F}bash title="setup.sh"`, 'whoami', F, `${F}BASH`, 'date', F, `${F}bash:run.sh`, 'id', F),
      found([fenced(2, 'ls'), fenced(5, 'pwd'), fenced(8, 'whoami'), fenced(11, 'date'), fenced(14, 'id')]),
    ],
    [
      'fences indented inside a list item lose the list indentation',
      lines('1. Install:', '   ```bash', '   npm install', '   cat <<EOF > .npmrc', '   save-exact=true', '   EOF', '   ```', '2. Test:', '    ```bash', '    npm test', '    ```'),
      found([fenced(3, 'npm install'), fenced(4, 'cat <<EOF > .npmrc\nsave-exact=true\nEOF'), fenced(10, 'npm test')]),
    ],
    [
      'a ````bash block whose here-document writes a Markdown file with ``` fences',
      lines(
        'This writes the README:',
        '````bash',
        "cat > README.md <<'EOF'",
        '# Demo',
        `${F}bash`,
        'npm start',
        F,
        'EOF',
        'git add README.md',
        '````',
      ),
      found([fenced(3, "cat > README.md <<'EOF'\n# Demo\n```bash\nnpm start\n```\nEOF"), fenced(9, 'git add README.md')]),
    ],
    [
      'a ```bash example inside a ````markdown block is documentation, not a command',
      lines('Add this to your README:', '````markdown', '## Install', `${F}bash`, 'npm install my-lib', F, '````', 'Then commit it:', `${F}bash`, 'git commit -am "docs"', F),
      found([fenced(10, 'git commit -am "docs"')]),
    ],
    [
      'JSON inside a shell block is part of a command, not a tool call',
      lines(`${F}bash`, `curl -X POST -d '{"tool":"shell","command":"rm -rf /"}' localhost:8080`, 'echo {"command": "x"}', F),
      found([fenced(2, `curl -X POST -d '{"tool":"shell","command":"rm -rf /"}' localhost:8080`), fenced(3, 'echo {"command": "x"}')]),
    ],
    [
      'output blocks in other languages are ignored when there are shell blocks',
      lines(`${F}bash`, 'python3 app.py', F, 'You should see:', `${F}text`, 'Serving on :8000', F, `${F}python`, 'print("hi")', F, F, 'plain output', F),
      found([fenced(2, 'python3 app.py')]),
    ],
    [
      'an unclosed block runs to the end of the text',
      lines('Run:', `${F}bash`, 'ls', 'pwd'),
      found([fenced(3, 'ls'), fenced(4, 'pwd')], ['line 2: the ```bash block is never closed; it runs to the end of the text']),
    ],
    [
      'Windows line breaks are line breaks',
      ['Run:', `${F}bash`, 'ls -la', 'cat <<EOF', 'x', 'EOF', F, ''].join('\r\n'),
      found([fenced(3, 'ls -la'), fenced(4, 'cat <<EOF\nx\nEOF')]),
    ],
  ])('%s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'commands after `$ ` prompts are taken, output is dropped',
      lines(
        `${F}console`,
        '$ node --version',
        'v20.11.0',
        '$ npm ls --depth=0',
        'demo@1.0.0 /app',
        '└── express@4.18.2',
        '$',
        '$ # just a comment',
        F,
      ),
      found([fenced(2, 'node --version'), fenced(4, 'npm ls --depth=0')]),
    ],
    [
      'continuation lines with the `> ` prompt belong to the command',
      lines(`${F}console`, '$ for i in 1 2; do', '>   echo "$i"', '> done', '1', '2', '$ cat <<EOF', '> hello', '> EOF', 'hello', F),
      found([fenced(2, 'for i in 1 2; do\n  echo "$i"\ndone'), fenced(7, 'cat <<EOF\nhello\nEOF')]),
    ],
    [
      'zsh `% `, `(venv) $ ` and `user@host:dir$ ` prompts',
      lines(`${F}console`, '% brew --version', 'Homebrew 4.2.0', '(venv) $ pip install -r requirements.txt', 'dev@box:~/app$ make', F),
      found([fenced(2, 'brew --version'), fenced(4, 'pip install -r requirements.txt'), fenced(5, 'make')]),
    ],
    [
      'shell-session and terminal blocks are transcripts too',
      lines(`${F}shell-session`, '$ uname -a', 'Linux box 6.1.0', F, `${F}terminal`, '$ id -u', '1000', F),
      found([fenced(2, 'uname -a'), fenced(6, 'id -u')]),
    ],
    [
      'a console block without prompts is read as commands, with a note',
      lines(`${F}console`, 'ls -la', 'pwd', F),
      found([fenced(2, 'ls -la'), fenced(3, 'pwd')], ['line 1: the ```console block has no `$ ` prompts; every line was read as a command']),
    ],
  ])('console transcripts: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'a block without a language is read as shell when nothing else is there',
      lines('To fix it, run:', F, 'npm cache clean --force', 'npm install', F),
      found([fenced(3, 'npm cache clean --force'), fenced(4, 'npm install')], ['line 2: the code block has no language; its lines were read as shell commands']),
    ],
    [
      'a block without a language is ignored next to ```bash blocks',
      lines(`${F}bash`, 'npm test', F, 'Output:', F, '3 passing', F),
      found([fenced(2, 'npm test')]),
    ],
    [
      'code blocks in other languages only',
      lines('Use this:', `${F}python`, 'import os', 'os.system("ls")', F, `${F}yaml`, 'a: 1', F),
      failed('NOTHING_FOUND', 'found code blocks (python, yaml) but no shell block (```bash, ```sh, ```console) and no tool call'),
    ],
    [
      'shell blocks holding only comments',
      lines(`${F}bash`, '# nothing to do here', '', F),
      failed('NOTHING_FOUND', 'the shell code blocks hold no commands, only comments or blank lines'),
    ],
    [
      'a console block holding only output',
      lines(`${F}console`, '$', 'nothing here', F),
      failed('NOTHING_FOUND', 'the shell code blocks hold no commands, only comments or blank lines'),
    ],
  ])('%s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });
});
