import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflight, summarize } from '../../infra/src/deploy.ts';
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
    expect(() => preflight({ CDK_DEFAULT_ACCOUNT: '1', CLOUDFLARE_ACCOUNT_ID: 'x', CLOUDFLARE_API_TOKEN: 't' })).not.toThrow();
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
