import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CommandName, commandSpec, isCommandName } from './usage.js';

/** A command to run, with the options and positional arguments its spec declares. */
export interface RunLine {
  readonly kind: 'run';
  readonly command: CommandName;
  /** Options given, by name without dashes: `true` for a flag, the text for a value. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  /** Positional arguments, by the names the spec gives them (e.g. `FILE`). */
  readonly args: Readonly<Record<string, string>>;
}

export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | RunLine
  | { readonly kind: 'error'; readonly message: string; readonly command?: CommandName };

/**
 * Splits `clima <command> [options] [arguments]`, where a command may be two words
 * (`backup verify`). Each command accepts only the options and arguments its spec in `usage.ts`
 * declares; anything else is an error for the usage message.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first !== 'help' || rest.length === 0) return { kind: 'help' };
    const topic = rest.join(' ');
    return isCommandName(topic)
      ? { kind: 'help', command: topic }
      : { kind: 'error', message: `unknown command "${topic}"` };
  }
  const [command, args] = splitCommand(first, rest);
  if (command === undefined) return { kind: 'error', message: `unknown command "${first}"` };
  const spec = commandSpec(command);
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options ?? {})) options[name] = { type: option.type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    // Node's text for an unknown option goes on about positionals starting with '-'.
    const { code, message } = error as NodeJS.ErrnoException;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    return { kind: 'error', message: unknown ? `unknown option "${unknown}"` : message, command };
  }
  const { help, ...values } = parsed.values;
  if (help) return { kind: 'help', command };
  const names = spec.positionals ?? [];
  const missing = names[parsed.positionals.length];
  if (missing !== undefined) return { kind: 'error', message: `missing ${missing}`, command };
  const extra = parsed.positionals[names.length];
  if (extra !== undefined) return { kind: 'error', message: `unexpected argument "${extra}"`, command };
  const named = Object.fromEntries(names.map((name, i) => [name, parsed.positionals[i] ?? '']));
  return { kind: 'run', command, options: values, args: named };
}

/** The command named by one word, or by two (`backup verify`), and the arguments after it. */
function splitCommand(first: string, rest: readonly string[]): [CommandName | undefined, string[]] {
  const [second, ...after] = rest;
  const twoWords = `${first} ${second}`;
  if (second !== undefined && isCommandName(twoWords)) return [twoWords, after];
  return isCommandName(first) ? [first, [...rest]] : [undefined, []];
}
