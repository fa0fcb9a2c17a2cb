// Entry point: pick the subcommand, parse its flags strictly, run it, print the result, map errors to exit codes.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CommandError, UsageError, type CommandIO, type NamedCommand, type ParsedArgs } from './command.ts';
import { commandHelp, topHelp } from './help.ts';
import { commands } from './commands/index.ts';
import { installWasmModules } from './wasm-modules.ts';

const VERSION = '0.1.0';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface MainStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** performance.now() when the command started; default: when main() was called. */
  startedAt?: number;
}

const processStreams: MainStreams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
  // The bin's own process: its start-up (Node, tsx, imports) is part of what a user waits for.
  startedAt: 0,
};

export async function main(argv: string[], streams: MainStreams = processStreams): Promise<number> {
  const startedAt = streams.startedAt ?? performance.now();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    streams.stdout(topHelp(commands, VERSION));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    streams.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    streams.stderr(`resnet-edge: unknown command '${name}'. Run \`resnet-edge --help\` for the list.\n`);
    return EXIT_USAGE;
  }
  const command: NamedCommand = { ...(await entry.load()), name: entry.name, summary: entry.summary };
  const json = rest.includes('--json');
  let args: ParsedArgs;
  try {
    args = parse(command, rest);
  } catch (err) {
    return fail(err, command, json, streams);
  }
  if (args.values.help) {
    streams.stdout(commandHelp(command));
    return EXIT_OK;
  }
  installWasmModules();
  // SIGTERM/SIGHUP too (systemd, docker stop, a closed terminal): long-running commands such as `serve`
  // must stop their wrangler child instead of orphaning it.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
  const io: CommandIO = {
    log: (m) => streams.stderr(m.endsWith('\n') ? m : `${m}\n`),
    isTTY: streams.isTTY && !json,
    json,
    signal: abort.signal,
    startedAt,
  };
  try {
    const result = await command.run(args, io);
    if (command.reports !== false) {
      if (json) streams.stdout(JSON.stringify(result, null, 2) + '\n');
      else if (command.render) streams.stdout(ensureNewline(command.render(result)));
      else if (result !== undefined) streams.stdout(JSON.stringify(result, null, 2) + '\n');
    }
    return EXIT_OK;
  } catch (err) {
    return fail(err, command, json, streams);
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function parse(command: NamedCommand, argv: string[]): ParsedArgs {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  if (command.reports !== false) options.json = { type: 'boolean' };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err, command));
  }
  const values = { ...parsed.values } as ParsedArgs['values'];
  for (const [name, spec] of Object.entries(command.options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  if (!values.help) checkPositionals(command, parsed.positionals);
  return { values, positionals: parsed.positionals };
}

function checkPositionals(command: NamedCommand, positionals: string[]): void {
  const specs = command.positionals ?? [];
  const required = specs.filter((p) => p.required).length;
  const variadic = specs.some((p) => p.variadic);
  if (positionals.length < required) {
    throw new UsageError(`missing argument ${specs[positionals.length]?.name ?? ''}`.trim());
  }
  if (!variadic && positionals.length > specs.length) {
    throw new UsageError(`unexpected argument '${positionals[specs.length]}'`);
  }
}

function describeParseError(err: unknown, command: NamedCommand): string {
  const message = err instanceof Error ? err.message : String(err);
  // Node's messages name the flag already; keep the first sentence and point at --help.
  const first = message.split('. ')[0]!.replace(/^Unknown option/, 'unknown option');
  return `${first} (see \`resnet-edge ${command.name} --help\`)`;
}

function fail(err: unknown, command: NamedCommand, json: boolean, streams: MainStreams): number {
  const usage = err instanceof UsageError;
  const code = usage ? 'bad_usage' : errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (json) streams.stdout(JSON.stringify({ error: { code, message } }, null, 2) + '\n');
  streams.stderr(`resnet-edge ${command.name}: ${message}${code && !usage ? ` [${code}]` : ''}\n`);
  if (
    !usage &&
    !(err instanceof CommandError) &&
    !hasCode(err) &&
    err instanceof Error &&
    process.env.RESNET_EDGE_DEBUG
  ) {
    streams.stderr(`${err.stack}\n`);
  }
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}

function hasCode(err: unknown): err is { code: string } {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';
}

function errorCode(err: unknown): string {
  return hasCode(err) ? err.code : 'internal_error';
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
