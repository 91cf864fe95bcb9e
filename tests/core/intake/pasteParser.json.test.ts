import { describe, expect, it } from 'vitest';
import { extractToolCalls, type ExtractResult } from '../../../src-main/core/intake/index.js';
import { F, call, failed, found, lines } from './calls.js';

const json = (line: number, command: string) => call('json', line, command);
const openai = (line: number, command: string) => call('openai', line, command);
const anthropic = (line: number, command: string) => call('anthropic', line, command);
const one = (value: unknown): string => JSON.stringify(value);
const args = (value: unknown): string => JSON.stringify(value);

describe('JSON tool calls', () => {
  it('pasted AI text with three tool calls becomes a batch, in order', () => {
    const text = lines(
      "I'll check your setup with three quick commands:",
      '',
      '{"tool": "execute_shell", "command": "which git"}',
      'This lists your home directory:',
      '{"tool": "execute_shell", "command": "ls ~/"}',
      'And this shows your shell configuration:',
      '{"tool": "execute_shell", "command": "cat ~/.zshrc"}',
    );
    expect(extractToolCalls(text)).toEqual(found([json(3, 'which git'), json(5, 'ls ~/'), json(7, 'cat ~/.zshrc')]));
  });

  it.each<[string, string, ExtractResult]>([
    ['a tool and a command', '{"tool":"execute_shell","command":"ls"}', found([json(1, 'ls')])],
    ['`cmd` instead of `command`', '{"tool":"shell","cmd":"pwd"}', found([json(1, 'pwd')])],
    ['a command without a tool name', '{"command":"git status"}', found([json(1, 'git status')])],
    ['a named command is still a command', '{"name":"build","command":"make"}', found([json(1, 'make')])],
    ...['shell', 'bash', 'run_shell', 'execute_command', 'run_command', 'terminal', 'Run-Command', 'functions.shell', 'mcp__box__bash'].map(
      (tool): [string, string, ExtractResult] => [`the tool name \`${tool}\``, one({ tool, command: 'ls' }), found([json(1, 'ls')])],
    ),
    ...(['args', 'arguments', 'input', 'parameters', 'params'] as const).map((key): [string, string, ExtractResult] => [
      `the command inside \`${key}\``,
      one({ tool: 'bash', [key]: { command: 'uptime', timeout: 30 } }),
      found([json(1, 'uptime')]),
    ]),
    ['`tool_name` and `parameters` with `cmd`', one({ tool_name: 'run_shell', parameters: { cmd: 'df -h' } }), found([json(1, 'df -h')])],
    ['a `name` with `arguments` as a JSON string', one({ name: 'shell', arguments: args({ command: 'ls -la' }) }), found([json(1, 'ls -la')])],
    ['a LangChain-style call', one({ name: 'terminal', args: { command: 'free -m' }, id: 'call_1', type: 'tool_call' }), found([json(1, 'free -m')])],
    ['an argv array is joined with shell quoting', one({ tool: 'shell', command: ['grep', '-rn', 'TODO: fix', "it's", '$HOME', 'a|b'] }), found([json(1, `grep -rn 'TODO: fix' "it's" \\$HOME a\\|b`)])],
    ['a bash -lc argv (Codex style)', one({ command: ['bash', '-lc', 'npm test && npm run lint'] }), found([json(1, "bash -lc 'npm test && npm run lint'")])],
    ['escapes are decoded, nothing else changes', '{"command": "printf \'%s\\\\n\' \\"a\\tb\\" \\u00e9  "}', found([json(1, 'printf \'%s\\n\' "a\tb" é  ')])],
    ['a multi-line command in one string', one({ command: 'cat <<EOF > x\nhello\nEOF\n' }), found([json(1, 'cat <<EOF > x\nhello\nEOF\n')])],
  ])('generic: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'an array of calls, each at its own line',
      lines('[', '  {"tool": "bash", "command": "npm ci"},', '  {"tool": "bash", "command": "npm test"},', '  {"tool": "bash", "command": "npm test"}', ']'),
      found([json(2, 'npm ci'), json(3, 'npm test'), json(4, 'npm test')]),
    ],
    [
      'several objects on one line of prose',
      'Run {"tool":"bash","command":"make"} and then {"tool":"bash","command":"make install"}.',
      found([json(1, 'make'), json(1, 'make install')]),
    ],
    [
      'a ```json block is read once',
      lines('Tool call:', `${F}json`, '{', '  "tool": "shell",', '  "command": "ls -la"', '}', F),
      found([json(3, 'ls -la')]),
    ],
    [
      'JSON in a block without a language, nested in a sentence or code',
      lines(F, 'const call = {"tool": "bash", "command": "id"};', F, 'or {"function": "shell", "cmd": "whoami"}'),
      found([json(2, 'id'), json(4, 'whoami')]),
    ],
    [
      'a call inside a JSON value that failed to parse as a whole',
      'wrapper {"note": oops, "call": {"tool": "bash", "command": "date"}}',
      found([json(1, 'date')]),
    ],
    [
      'tool calls, JSON and ```bash blocks mixed, in order of appearance',
      lines(
        'First:',
        '{"tool": "bash", "command": "git fetch"}',
        `${F}bash`,
        'git status',
        F,
        `${F}json`,
        '[{"tool": "bash", "command": "git log -1"}]',
        F,
      ),
      found([json(2, 'git fetch'), call('fenced', 4, 'git status'), json(7, 'git log -1')]),
    ],
    [
      'JSON without a tool call next to a ```bash block',
      lines('Config: {"name": "x", "version": 2} and [1, 2, 3]', `${F}bash`, 'npm start', F, `${F}json`, '{"scripts": {"start": "node ."}}', F),
      found([call('fenced', 3, 'npm start')]),
    ],
    [
      'tool definitions are not calls',
      lines(
        '{"type": "function", "function": {"name": "shell", "description": "Run a command", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}}}',
        '{"name": "bash", "description": "Run bash", "input_schema": {"type": "object"}}',
        '{"name": "shell", "parameters": {"type": "object", "properties": {}}}',
        `${F}bash`,
        'ls',
        F,
      ),
      found([call('fenced', 5, 'ls')]),
    ],
  ])('in text: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'a chat completion message with tool_calls',
      JSON.stringify(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'shell', arguments: args({ command: 'ls -la' }) } },
            { id: 'call_2', type: 'function', function: { name: 'shell', arguments: args({ command: 'cat package.json' }) } },
          ],
        },
        null,
        2,
      ),
      found([openai(5, 'ls -la'), openai(13, 'cat package.json')]),
    ],
    [
      'a bare list of tool_call objects',
      `[{"id":"a","type":"function","function":{"name":"run_command","arguments":"{\\"command\\":\\"pwd\\"}"}}]`,
      found([openai(1, 'pwd')]),
    ],
    [
      'a whole chat completion response',
      one({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'bash', arguments: args({ cmd: 'uname -a' }) } }] }, finish_reason: 'tool_calls' }],
      }),
      found([openai(1, 'uname -a')]),
    ],
    [
      'arguments given as an object',
      one({ tool_calls: [{ function: { name: 'shell', arguments: { command: 'env' } } }] }),
      found([openai(1, 'env')]),
    ],
    [
      'a Responses API function_call item',
      one({ type: 'function_call', call_id: 'c1', name: 'shell', arguments: args({ command: ['ls', '-la', 'My Documents'] }) }),
      found([openai(1, "ls -la 'My Documents'")]),
    ],
    [
      'a Responses API response with reasoning and calls in `output`',
      lines(
        '{"output": [',
        '  {"type": "reasoning", "summary": []},',
        '  {"type": "function_call", "name": "exec_command", "arguments": "{\\"cmd\\": \\"git diff\\"}"},',
        '  {"type": "local_shell_call", "action": {"type": "exec", "command": ["npm", "test"]}},',
        '  {"type": "message", "content": [{"type": "output_text", "text": "done"}]}',
        ']}',
      ),
      found([openai(3, 'git diff'), openai(4, 'npm test')]),
    ],
    [
      'a Responses API shell_call with several commands',
      one({ type: 'shell_call', call_id: 'c2', action: { commands: ['npm ci', 'npm test'], timeout_ms: 60000 } }),
      found([openai(1, 'npm ci'), openai(1, 'npm test')]),
    ],
  ])('OpenAI: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    ['a tool_use block', one({ type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'ls src' } }), found([anthropic(1, 'ls src')])],
    [
      'a message with text and tool_use blocks',
      JSON.stringify(
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          content: [
            { type: 'text', text: "I'll look at the tests first. {\"command\": \"not this\"}" },
            { type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'npm test -- --reporter=dot' } },
            { type: 'tool_use', id: 'toolu_2', name: 'bash', input: { command: 'git log --oneline -5', restart: false } },
          ],
          stop_reason: 'tool_use',
        },
        null,
        2,
      ),
      found([anthropic(10, 'npm test -- --reporter=dot'), anthropic(18, 'git log --oneline -5')]),
    ],
    [
      'other tools in the same message are skipped with a note',
      one({
        role: 'assistant',
        content: [
          { type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'view', path: '/repo/a.ts' } },
          { type: 'tool_use', name: 'bash', input: { command: 'cat /repo/a.ts' } },
        ],
      }),
      found([anthropic(1, 'cat /repo/a.ts')], ['line 1: tool call `str_replace_based_edit_tool` is not a shell tool; skipped']),
    ],
    [
      'Claude Code transcript lines, one JSON object per line',
      lines(
        one({ type: 'user', message: { role: 'user', content: 'run the tests' } }),
        one({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'npm test', description: 'Run tests' } }] } }),
        one({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'git diff --stat' } }] } }),
      ),
      found([anthropic(2, 'npm test'), anthropic(3, 'git diff --stat')]),
    ],
    [
      'a code execution server tool',
      one({ type: 'server_tool_use', name: 'bash_code_execution', input: { command: 'python3 --version' } }),
      found([anthropic(1, 'python3 --version')]),
    ],
  ])('Anthropic: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'a call without a command among good ones',
      lines('{"tool": "shell", "command": "ls"}', '{"tool": "shell"}', '{"tool": "shell", "args": {"timeout": 5}}', '{"tool": "shell", "command": "pwd"}'),
      found([json(1, 'ls'), json(4, 'pwd')], ['line 2: tool call `shell` has no command', 'line 3: tool call `shell` has no command']),
    ],
    [
      'empty, blank and non-text commands',
      lines('{"command": "ls"}', '{"command": ""}', '{"tool": "bash", "command": "  \\n"}', '{"command": 42}', '{"command": ["ls", 1]}', '{"command": []}'),
      found(
        [json(1, 'ls')],
        [
          'line 2: tool call has an empty command',
          'line 3: tool call `bash` has an empty command',
          'line 4: tool call has a command that is not text',
          'line 5: tool call has a command that is not text',
          'line 6: tool call has an empty command',
        ],
      ),
    ],
    [
      'arguments that are not valid JSON, or not an object',
      lines(
        '{"type": "function", "function": {"name": "shell", "arguments": "{\\"command\\": \\"ls"}}',
        '{"type": "function", "function": {"name": "shell", "arguments": "[\\"ls\\"]"}}',
        '{"type": "function", "function": {"name": "shell", "arguments": 7}}',
        '{"type": "function_call", "name": "", "arguments": "{}"}',
        '{"tool_calls": [{"id": "x"}, "nonsense"]}',
        '{"tool": "read_file", "path": "/etc/hosts"}',
        '{"command": "whoami"}',
      ),
      found(
        [json(7, 'whoami')],
        [
          'line 1: tool call `shell` has arguments that are not valid JSON',
          'line 2: tool call `shell` has arguments that are not a JSON object',
          'line 3: tool call `shell` has arguments that are not a JSON object',
          'line 4: tool call has no tool name',
          'line 5: tool call is not an object',
          'line 5: tool call has no function name or arguments',
          'line 6: tool call `read_file` is not a shell tool; skipped',
        ],
      ),
    ],
    [
      'a broken tool call next to a good one',
      lines('{"tool": "shell", "command": "ls",}', `${F}bash`, 'pwd', F),
      found([call('fenced', 3, 'pwd')], ['line 1: this looks like a tool call, but it is not valid JSON (expected a property name in double quotes on line 1)']),
    ],
    [
      'a truncated tool_calls list still yields its complete calls',
      lines('{"tool_calls": [', '  {"type": "function", "function": {"name": "shell", "arguments": "{\\"command\\":\\"ls\\"}"}},', '  {"type": "function", "function": {"name": "sh'),
      found([openai(2, 'ls')]),
    ],
  ])('unusable calls: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['a call without a command', '{"tool": "execute_shell"}', 'line 1: tool call `execute_shell` has no command'],
    [
      'only calls to other tools',
      lines('{"type": "tool_use", "name": "web_search", "input": {"query": "x"}}', '{"type": "tool_use", "name": "computer", "input": {"action": "screenshot"}}'),
      'line 1: tool call `web_search` is not a shell tool; skipped; line 2: tool call `computer` is not a shell tool; skipped',
    ],
    ['a trailing comma', '{"tool": "shell", "command": "ls",}', 'line 1: this looks like a tool call, but it is not valid JSON (expected a property name in double quotes on line 1)'],
    ['a Python dict', "{'tool': 'shell', 'command': 'ls'}", 'line 1: this looks like a tool call, but it is not valid JSON (expected a property name in double quotes on line 1)'],
    [
      'a raw line break inside a string',
      lines('{"command": "echo one', 'echo two"}'),
      'line 1: this looks like a tool call, but it is never closed',
    ],
    ['a paste cut off in the middle', '{"tool": "shell", "command": "ls -la', 'line 1: this looks like a tool call, but it is never closed'],
    [
      'many bad calls',
      lines('{"tool": "bash"}', '{"tool": "bash"}', '{"tool": "bash"}', '{"tool": "bash"}', '{"tool": "bash"}'),
      'line 1: tool call `bash` has no command; line 2: tool call `bash` has no command; line 3: tool call `bash` has no command (and 2 more)',
    ],
  ])('when every tool call is unusable (%s), the result is INVALID_TOOL_CALL', (_name, text, detail) => {
    expect(extractToolCalls(text)).toEqual(failed('INVALID_TOOL_CALL', `no tool call could be used: ${detail}`));
  });

  it.each<[string, string, ExtractResult]>([
    [
      'JSON quoted as a shell argument is part of the command',
      lines(`curl -X POST -H 'Content-Type: application/json' -d '{"tool":"shell","command":"rm -rf /"}' localhost:3000`, 'ls'),
      found([call('lines', 1, `curl -X POST -H 'Content-Type: application/json' -d '{"tool":"shell","command":"rm -rf /"}' localhost:3000`), call('lines', 2, 'ls')]),
    ],
    ['JSON with no tool call in it', lines('{', '  "name": "x",', '  "version": "1.0.0"', '}'), failed('NOTHING_FOUND', 'the JSON holds no tool call; a shell tool call looks like {"tool":"shell","command":"ls"}')],
    ['a command nested under an unknown key', one({ result: { command: 'rm -rf ~' } }), failed('NOTHING_FOUND', 'the JSON holds no tool call; a shell tool call looks like {"tool":"shell","command":"ls"}')],
    ['an empty tool_calls list', one({ role: 'assistant', content: 'Done.', tool_calls: [] }), failed('NOTHING_FOUND', 'the JSON holds no tool call; a shell tool call looks like {"tool":"shell","command":"ls"}')],
    ['an Anthropic reply with text only', one({ type: 'message', content: [{ type: 'text', text: 'All done.' }] }), failed('NOTHING_FOUND', 'the JSON holds no tool call; a shell tool call looks like {"tool":"shell","command":"ls"}')],
    [
      'JSON-only lines between commands are skipped with a note',
      lines('ls', '{"status": "ok"}', '[1, 2]', 'pwd'),
      found([call('lines', 1, 'ls'), call('lines', 4, 'pwd')], ['line 2: skipped: JSON without a tool call']),
    ],
    [
      'broken JSON in the middle of a command line is part of the command',
      lines(`python3 -c 'print({"cmd": 1,})'`, 'echo {"command": "x"'),
      found([call('lines', 1, `python3 -c 'print({"cmd": 1,})'`), call('lines', 2, 'echo {"command": "x"')]),
    ],
  ])('not tool calls: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });
});
