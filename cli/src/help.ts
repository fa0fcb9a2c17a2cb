import type { CommandEntry, NamedCommand } from './command.ts';

const GLOBAL_FLAGS: [string, string][] = [
  ['--help, -h', 'show help for this command'],
  ['--json', 'print one JSON document on stdout (logs stay on stderr)'],
];

export function commandHelp(command: NamedCommand): string {
  const lines = [`Usage: resnet-edge ${command.usage}`, '', command.summary];
  if (command.details) lines.push('', command.details.trim());
  if (command.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of command.positionals) lines.push(row(p.name, p.description + (p.required ? '' : ' (optional)')));
  }
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(command.options)) {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const dflt = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(row(spec.short ? `${flag}, -${spec.short}` : flag, spec.description + dflt));
  }
  for (const [flag, text] of GLOBAL_FLAGS) {
    if (flag === '--json' && command.reports === false) continue;
    lines.push(row(flag, text));
  }
  return lines.join('\n') + '\n';
}

export function topHelp(commands: readonly CommandEntry[], version: string): string {
  const lines = [
    `resnet-edge ${version} — train ResNets, quantize them to int8, publish them, serve them at the edge.`,
    '',
    'Usage: resnet-edge <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => row(c.name, c.summary)),
    '',
    "Run `resnet-edge <command> --help` for a command's options. Exit codes: 0 ok, 1 failure, 2 bad usage.",
  ];
  return lines.join('\n') + '\n';
}

function row(left: string, right: string): string {
  return `  ${left.padEnd(28)} ${right}`;
}
