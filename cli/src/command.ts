// The contract every subcommand implements. main.ts owns parsing, --help, --json and exit codes,
// so a command only declares its flags and returns a result.

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** Shown in --help as `--flag VALUE`. */
  valueName?: string;
  default?: string | boolean;
  multiple?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CommandIO {
  /** Human progress and logs. Always stderr, so stdout stays one JSON document under --json. */
  log(message: string): void;
  /** True when stderr is a terminal: progress bars instead of plain log lines. */
  isTTY: boolean;
  json: boolean;
  /** Fires on Ctrl-C; long-running commands (serve, demo) listen to it to shut down cleanly. */
  signal: AbortSignal;
  /** performance.now() when the command started (0: the process start), for commands that report their phases. */
  startedAt?: number;
}

/** What `resnet-edge --help` needs of a command, and how to get the rest: its module is imported only to run it. */
export interface CommandEntry {
  name: string;
  summary: string;
  // The table holds commands of every result type; each one's R is checked where the module defines it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  load(): Promise<Command<any>>;
}

/** A command's module: its flags and its work. The name and summary live in the command table. */
export interface Command<R = unknown> {
  /** One line after `resnet-edge `, e.g. `preprocess IMAGE --spec SPEC.json`. */
  usage: string;
  /** Extra paragraphs for --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  positionals?: PositionalSpec[];
  /** False for commands that only act (serve); they reject --json. */
  reports?: boolean;
  run(args: ParsedArgs, io: CommandIO): Promise<R>;
  /** Human rendering of the result; defaults to pretty JSON. */
  render?(result: R): string;
}

/** Bad usage: exit code 2. The message names the flag or value at fault. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure with a stable machine-readable code: exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A loaded command, as main.ts and --help see it. */
export type NamedCommand<R = unknown> = Command<R> & Pick<CommandEntry, 'name' | 'summary'>;

export function defineCommand<R>(command: Command<R>): Command<R> {
  return command;
}
