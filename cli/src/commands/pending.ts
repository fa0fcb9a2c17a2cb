// Subcommands whose implementation has not landed yet. Each names the issue that builds it and
// fails with exit 1, so nobody mistakes a placeholder for a working command.
import { CommandError, defineCommand, type Command, type OptionSpec } from '../command.ts';

export function pendingCommand(name: string, summary: string, issue: number, options: Record<string, OptionSpec> = {}): Command {
  return defineCommand({
    name,
    summary: `${summary} [not built yet: issue #${issue}]`,
    usage: `${name} [options]`,
    options,
    async run() {
      throw new CommandError('not_implemented', `'${name}' is not built yet (issue #${issue})`);
    },
  });
}
