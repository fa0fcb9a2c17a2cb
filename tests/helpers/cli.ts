// Runs the real CLI entry in-process and captures what it prints, for tests of commands.
import { main } from '../../cli/src/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

export function json<T = any>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}
