/**
 * Tool names that mean "run this in a shell", across agent frameworks. Only these tools' commands
 * are taken: other tools can carry a `command` field that is not a shell command (Anthropic's
 * text editor tool has `"command": "view"`).
 */
const SHELL_TOOL_NAMES = new Set([
  'shell',
  'bash',
  'sh',
  'zsh',
  'execute_shell',
  'run_shell',
  'shell_exec',
  'exec_shell',
  'shell_command',
  'execute_command',
  'run_command',
  'exec_command',
  'command',
  'terminal',
  'run_terminal',
  'run_terminal_cmd',
  'run_terminal_command',
  'run_in_terminal',
  'execute_bash',
  'run_bash',
  'bash_tool',
  'bash_code_execution',
  'local_shell',
  'exec',
  'execute',
]);

/**
 * True when a tool name means a shell. Case, `-` versus `_`, and a namespace prefix
 * (`functions.shell`, `mcp__server__bash`, `container/exec`) do not matter.
 */
export function isShellToolName(name: string): boolean {
  const normalized = name.trim().toLowerCase().replace(/[- ]/g, '_');
  const last = normalized.split(/\.|\/|:|__/).pop() ?? '';
  return SHELL_TOOL_NAMES.has(normalized) || SHELL_TOOL_NAMES.has(last);
}
