import { quote } from 'shell-quote';
import { isShellToolName } from './shellToolNames.js';
import type { CallOrigin, Finding } from './types.js';

/**
 * Reads tool calls out of a parsed JSON value: generic `{"tool":"shell","command":"ls"}` objects,
 * OpenAI chat `tool_calls` and Responses-API items, Anthropic `tool_use` blocks, and the
 * envelopes that carry them (`choices`, `content`, `output`, `message`, plain arrays). Anything else is not
 * a tool call and yields nothing; only the envelopes above are searched, never arbitrary keys.
 */

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that name the tool with certainty; `name` alone is weaker (tasks and packages have names). */
const TOOL_NAME_KEYS = ['tool', 'tool_name', 'toolName', 'function', 'recipient_name'] as const;
const ARGUMENT_KEYS = ['args', 'arguments', 'input', 'parameters', 'params'] as const;
const NAME_DISPLAY_LIMIT = 60;

/** A tool *definition* carries a JSON schema where a call carries arguments. */
function isSchema(value: unknown): boolean {
  return isObject(value) && ('properties' in value || '$schema' in value || value.type === 'object');
}

type Extracted = { ok: true; command: string } | { ok: false; problem: string };

function commandFrom(args: JsonObject): Extracted {
  const raw = 'command' in args ? args.command : args.cmd;
  if (raw === undefined || raw === null) return { ok: false, problem: 'has no command' };
  if (typeof raw === 'string') {
    // Emptiness is judged on ordinary whitespace only: an invisible character is content the policy must see.
    return /^[ \t\r\n]*$/.test(raw) ? { ok: false, problem: 'has an empty command' } : { ok: true, command: raw };
  }
  if (Array.isArray(raw) && raw.every((word) => typeof word === 'string')) {
    // An argv array: quoting each word keeps the words the AI meant, spaces and all.
    return raw.length === 0 ? { ok: false, problem: 'has an empty command' } : { ok: true, command: quote(raw) };
  }
  return { ok: false, problem: 'has a command that is not text' };
}

/** OpenAI sends arguments as a JSON string; some providers send the object itself. */
function argumentsFrom(raw: unknown): { ok: true; args: JsonObject } | { ok: false; problem: string } {
  if (isObject(raw)) return { ok: true, args: raw };
  if (raw === undefined || raw === null) return { ok: false, problem: 'has no command' };
  if (typeof raw !== 'string') return { ok: false, problem: 'has arguments that are not a JSON object' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, problem: 'has arguments that are not valid JSON' };
  }
  return isObject(parsed) ? { ok: true, args: parsed } : { ok: false, problem: 'has arguments that are not a JSON object' };
}

function describe(name: unknown): string {
  if (typeof name !== 'string' || name === '') return 'tool call';
  const shown = name.length > NAME_DISPLAY_LIMIT ? `${name.slice(0, NAME_DISPLAY_LIMIT)}…` : name;
  return `tool call \`${shown}\``;
}

class ToolCallReader {
  readonly findings: Finding[] = [];

  constructor(private readonly offsets: Map<object, number>) {}

  visit(value: unknown, at: number): void {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) this.visit(item, this.offsets.get(item) ?? at);
      return;
    }
    if (!isObject(value)) return;
    const envelopes = this.envelopes(value, at);
    if (!envelopes) this.single(value, at);
  }

  /** Visits the tool calls an envelope carries; false when the object is not an envelope. */
  private envelopes(value: JsonObject, at: number): boolean {
    const { tool_calls: toolCalls, choices, content, output, message } = value;
    if (Array.isArray(toolCalls)) {
      const listAt = this.offsetOf(toolCalls, at);
      for (const call of toolCalls) this.openAiCall(call, this.offsetOf(call, listAt));
    }
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        const message = isObject(choice) ? (choice.message ?? choice.delta) : undefined;
        if (isObject(message)) this.visit(message, this.offsetOf(message, at));
      }
    }
    // Anthropic content blocks and Responses-API output items; text blocks hold no command.
    for (const list of [content, output]) if (Array.isArray(list)) this.visit(list, this.offsetOf(list, at));
    // A wrapped message: Claude Code transcript lines, `message_start` stream events.
    if (isObject(message)) this.visit(message, this.offsetOf(message, at));
    return [toolCalls, choices, content, output].some(Array.isArray) || isObject(message);
  }

  private single(value: JsonObject, at: number): void {
    switch (value.type) {
      case 'tool_use':
      case 'server_tool_use':
        return this.named(value.name, value.input, 'anthropic', at);
      case 'function_call':
        return this.named(value.name, value.arguments, 'openai', at);
      case 'local_shell_call':
        return this.localShellCall(value.action, at);
      case 'shell_call':
        return this.shellCall(value.action, at);
    }
    if (isObject(value.function)) return this.openAiCall(value, at);
    this.generic(value, at);
  }

  private openAiCall(call: unknown, at: number): void {
    if (!isObject(call)) return this.unusable(at, 'tool call is not an object');
    const fn = call.function;
    if (!isObject(fn)) {
      // LangChain-style entries (`{"name":"shell","args":{…}}`) share the `tool_calls` key.
      const before = this.findings.length;
      this.single(call, at);
      if (this.findings.length === before) this.unusable(at, 'tool call has no function name or arguments');
      return;
    }
    if (fn.arguments === undefined && isSchema(fn.parameters)) return; // a tool definition, not a call
    this.named(fn.name, fn.arguments, 'openai', at);
  }

  private named(name: unknown, rawArguments: unknown, origin: CallOrigin, at: number): void {
    if (typeof name !== 'string' || name === '') return this.unusable(at, 'tool call has no tool name');
    if (!isShellToolName(name)) return this.unusable(at, `${describe(name)} is not a shell tool; skipped`);
    const args = argumentsFrom(rawArguments);
    if (!args.ok) return this.unusable(at, `${describe(name)} ${args.problem}`);
    this.take(commandFrom(args.args), describe(name), origin, at);
  }

  /** Responses API, `local_shell` tool: `{"action":{"type":"exec","command":["ls","-la"]}}`. */
  private localShellCall(action: unknown, at: number): void {
    if (!isObject(action)) return this.unusable(at, 'local_shell_call has no command');
    this.take(commandFrom(action), 'local_shell_call', 'openai', at);
  }

  /** Responses API, `shell` tool: one call may carry several commands. */
  private shellCall(action: unknown, at: number): void {
    const commands = isObject(action) ? action.commands : undefined;
    if (!Array.isArray(commands) || commands.length === 0) return this.unusable(at, 'shell_call has no commands');
    for (const command of commands) this.take(commandFrom({ command }), 'shell_call', 'openai', at);
  }

  private generic(value: JsonObject, at: number): void {
    const strongName = TOOL_NAME_KEYS.map((key) => value[key]).find((name) => typeof name === 'string');
    const name = strongName ?? (typeof value.name === 'string' ? value.name : undefined);
    const argumentKey = ARGUMENT_KEYS.find((key) => value[key] !== undefined && !isSchema(value[key]));
    const hasCommand = value.command !== undefined || value.cmd !== undefined;
    const looksLikeCall = hasCommand || strongName !== undefined || (name !== undefined && argumentKey !== undefined);
    if (!looksLikeCall) return;
    // A top-level command under a plain `name` is a named command (`{"name":"build","command":"make"}`).
    const nameDecides = strongName !== undefined || !hasCommand;
    if (name !== undefined && nameDecides && !isShellToolName(name)) {
      return this.unusable(at, `${describe(name)} is not a shell tool; skipped`);
    }
    const label = describe(strongName ?? (nameDecides ? name : undefined));
    if (hasCommand) return this.take(commandFrom(value), label, 'json', at);
    if (argumentKey === undefined) return this.unusable(at, `${label} has no command`);
    const args = argumentsFrom(value[argumentKey]);
    if (!args.ok) return this.unusable(at, `${label} ${args.problem}`);
    this.take(commandFrom(args.args), label, 'json', at);
  }

  private take(extracted: Extracted, label: string, origin: CallOrigin, at: number): void {
    if (extracted.ok) this.findings.push({ kind: 'call', offset: at, command: extracted.command, origin });
    else this.unusable(at, `${label} ${extracted.problem}`);
  }

  private unusable(at: number, message: string): void {
    this.findings.push({ kind: 'unusable', offset: at, message });
  }

  private offsetOf(value: unknown, fallback: number): number {
    return typeof value === 'object' && value !== null ? (this.offsets.get(value) ?? fallback) : fallback;
  }
}

/**
 * The tool calls in a parsed JSON value, each at the offset of its own object (from `offsets`,
 * falling back to `at`). Calls that cannot be used come back as `unusable` findings.
 */
export function readToolCalls(value: unknown, offsets: Map<object, number>, at: number): Finding[] {
  const reader = new ToolCallReader(offsets);
  reader.visit(value, offsets.get(value as object) ?? at);
  return reader.findings;
}
