// edge/wrangler.toml read by wrangler itself: every environment the deploy guide names binds the bucket, runs
// the retraining cron, rate-limits feedback and names its Batch job; the local one works without AWS.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { REPO } from './worker.ts';

const read = (env?: string) =>
  unstable_readConfig({ config: join(REPO, 'edge', 'wrangler.toml'), ...(env ? { env } : {}) });

describe.each(['staging', 'production'])('env.%s', (name) => {
  const config = read(name);
  it('binds MODELS to its own bucket and runs the retraining cron', () => {
    expect(config.r2_buckets).toEqual([
      { binding: 'MODELS', bucket_name: name === 'production' ? 'resnet-edge-models' : `resnet-edge-models-${name}` },
    ]);
    expect(config.triggers.crons?.length).toBe(1);
    expect(config.compatibility_date).toBe('2025-09-01');
  });
  it('rate-limits feedback with a Workers binding and names the Batch job', () => {
    expect(config.ratelimits?.map((r: { name: string }) => r.name)).toEqual(['FEEDBACK_LIMITER']);
    const vars = config.vars as Record<string, string>;
    for (const key of ['MODEL_NAME', 'BATCH_JOB_QUEUE', 'BATCH_JOB_DEFINITION', 'AWS_REGION', 'RETRAIN_MIN_FEEDBACK'])
      expect(vars[key], key).toBeTruthy();
    expect(Number(vars.MAX_UPLOAD_BYTES)).toBe(10 * 1024 * 1024);
  });
  it('keeps secrets out of the file', () => {
    const vars = config.vars as Record<string, string>;
    for (const secret of ['ADMIN_TOKEN', 'FEEDBACK_SALT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      expect(vars[secret]).toBeUndefined();
  });
});

it('the local configuration (what `resnet-edge serve` runs) has the bucket and no Batch job', () => {
  const config = read();
  expect(config.r2_buckets.map((b: { binding: string }) => b.binding)).toEqual(['MODELS']);
  expect((config.vars as Record<string, string>).BATCH_JOB_QUEUE).toBeUndefined();
});
