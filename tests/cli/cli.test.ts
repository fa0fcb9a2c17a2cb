import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/src/commands/index.ts';
import { runCli } from '../helpers/cli.ts';

const EXPECTED = [
  'archs',
  'train',
  'eval',
  'quantize',
  'publish',
  'models',
  'promote',
  'rollback',
  'serve',
  'classify',
  'retrain',
  'demo',
  'preprocess',
];

describe('resnet-edge CLI', () => {
  it('lists every subcommand in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of EXPECTED) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
  });

  it('exits 2 on an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it.each(commands.map((c) => c.name))('%s has --help and refuses unknown flags by name', async (name) => {
    const help = await runCli([name, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: resnet-edge ${name}`);
    const bad = await runCli([name, '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--no-such-flag');
  });

  it('--json failures are one JSON document on stdout with a stable code', async () => {
    const r = await runCli(['preprocess', '/no/such/image.png', '--json']);
    expect(r.code).not.toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(typeof doc.error.code).toBe('string');
    expect(typeof doc.error.message).toBe('string');
  });
});
