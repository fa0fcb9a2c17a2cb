import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflight, summarize, workerEnv } from '../../infra/src/deploy.ts';
import { synthesize } from '../../infra/src/stack.ts';

describe('deploy script', () => {
  it('dry-run summary (synth half) counts resources and lists IAM statements', () => {
    const s = summarize(synthesize({}, mkdtempSync(join(tmpdir(), 'cdk-'))));
    expect(s.resources['AWS::Batch::JobDefinition']).toBe(1);
    expect(s.resources['AWS::Events::Rule']).toBe(1);
    expect(JSON.stringify(s.iamStatements)).toContain('s3:PutObject');
  }, 60_000);
  it('preflight names the missing credential', () => {
    expect(() => preflight({})).toThrow(/AWS/);
    expect(() => preflight({ CDK_DEFAULT_ACCOUNT: '1', CLOUDFLARE_ACCOUNT_ID: 'x' })).toThrow(/CLOUDFLARE_API_TOKEN/);
    expect(() =>
      preflight({ CDK_DEFAULT_ACCOUNT: '1', CLOUDFLARE_ACCOUNT_ID: 'x', CLOUDFLARE_API_TOKEN: 't' }),
    ).not.toThrow();
  });
  it('deploys the worker to production unless --env staging, and refuses other names', () => {
    expect(workerEnv(['--dry-run'])).toBe('production');
    expect(workerEnv(['--env', 'staging'])).toBe('staging');
    expect(() => workerEnv(['--env', 'prod'])).toThrow(/staging or production/);
  });
  it('reads the stack config from context given as JSON on the command line', () => {
    const prev = process.env.CDK_CONTEXT_JSON;
    process.env.CDK_CONTEXT_JSON = JSON.stringify({
      resnetEdge: JSON.stringify({ maxvCpus: 64, modelName: 'flowers' }),
    });
    try {
      const template = JSON.stringify(synthesize({}, mkdtempSync(join(tmpdir(), 'cdk-'))));
      expect(template).toContain('"MaxvCpus":64');
      expect(template).toContain('{"Name":"RESNET_EDGE_MODEL","Value":"flowers"}');
    } finally {
      if (prev === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = prev;
    }
  });
});

describe('worker bundle (wrangler deploy --dry-run, offline)', () => {
  it('bundles edge/ and stays under 1 MiB gzipped', async () => {
    const { bundleWorker } = await import('../../infra/src/deploy.ts');
    const w = bundleWorker(mkdtempSync(join(tmpdir(), 'worker-')));
    expect(w).toBeDefined();
    expect(w!.bytes).toBeGreaterThan(1000);
    expect(w!.gzipBytes).toBeLessThan(1024 * 1024);
  }, 60_000);
});
