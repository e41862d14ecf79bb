import { parseArgs } from 'node:util';
import { type CommandName, isCommandName } from './usage.js';

export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'run'; readonly command: CommandName }
  | { readonly kind: 'error'; readonly message: string; readonly command?: CommandName };

/** Splits `clima <command> [options]`; anything unknown is an error for the usage message. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommandName(topic))
      return { kind: 'error', message: `unknown command "${topic}"` };
    return { kind: 'help', command: topic };
  }
  if (!isCommandName(first)) return { kind: 'error', message: `unknown command "${first}"` };
  try {
    const { values } = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values.help ? { kind: 'help', command: first } : { kind: 'run', command: first };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message, command: first };
  }
}
