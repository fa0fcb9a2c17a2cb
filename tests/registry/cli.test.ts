import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.ts';
import { makeModelDir } from './helpers.ts';

describe('registry commands', () => {
  it('publish, models, promote and rollback with --json against local R2', async () => {
    const store = `r2-local:${mkdtempSync(join(tmpdir(), 'resnet-edge-cli-r2-'))}`;
    const v1 = makeModelDir('1.0.0', { name: 'cli-model' });
    const v2 = makeModelDir('1.1.0', { name: 'cli-model' });
    const p1 = await runCli(['publish', v1.dir, '--store', store, '--json']);
    expect(p1.code, p1.stderr).toBe(0);
    expect(json(p1)).toMatchObject({ name: 'cli-model', version: '1.0.0', promoted: true });
    const p2 = await runCli(['publish', v2.dir, '--store', store, '--no-promote', '--json']);
    expect(json(p2)).toMatchObject({ version: '1.1.0', promoted: false });

    const listed = json(await runCli(['models', '--store', store, '--json']));
    expect(listed.models[0]).toMatchObject({ name: 'cli-model', current: '1.0.0' });
    expect(listed.models[0].versions).toHaveLength(2);

    expect(json(await runCli(['promote', 'cli-model', '1.1.0', '--store', store, '--json']))).toMatchObject({
      version: '1.1.0',
    });
    expect(json(await runCli(['rollback', 'cli-model', '--store', store, '--json']))).toMatchObject({
      version: '1.0.0',
    });

    const human = await runCli(['models', '--store', store]);
    expect(human.stdout).toMatch(/\* 1\.0\.0/);
  });

  it('errors carry codes and exit 1; bad store URLs and missing args are refused', async () => {
    const store = `r2-local:${mkdtempSync(join(tmpdir(), 'resnet-edge-cli-r2-'))}`;
    const missing = await runCli(['publish', '/no/such/dir', '--store', store, '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing).error.code).toBe('invalid_model_dir');
    const rb = await runCli(['rollback', 'nothing', '--store', store, '--json']);
    expect(json(rb).error.code).toBe('model_not_found');
    const bad = await runCli(['models', '--store', 'ftp://x', '--json']);
    expect(json(bad).error.code).toBe('bad_store_url');
    expect((await runCli(['promote', 'only-name'])).code).toBe(2);
  });
});
