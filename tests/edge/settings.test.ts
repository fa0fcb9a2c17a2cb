// The worker's vars go through one schema (edge/src/settings.ts): defaults where unset, a JSON 500 naming the var
// where malformed — never a silent fallback to a value the operator did not choose.
import { describe, expect, it } from 'vitest';
import { settingsOf, type Vars } from '../../edge/src/settings.ts';

const env = (vars: Record<string, string>) => ({ ...vars }) as Vars;

describe('settingsOf', () => {
  it('gives every var its documented default when unset or blank', () => {
    const s = settingsOf(env({ MAX_PIXELS: '  ' }));
    expect(s).toMatchObject({
      modelName: 'fashion-mnist',
      recheckMs: 30_000,
      maxUploadBytes: 10 * 1024 * 1024,
      maxPixels: 50_000_000,
      feedbackPerMinute: 10,
      allowedOrigins: [],
      adminToken: undefined,
      retrainMinFeedback: 100,
      batch: { region: 'us-east-1' },
    });
  });

  it('reads the vars it is given', () => {
    const s = settingsOf(
      env({
        MODEL_NAME: 'shoes',
        RECHECK_SECONDS: '1.5',
        MAX_UPLOAD_BYTES: '2048',
        ALLOWED_ORIGINS: '*',
        BATCH_JOB_QUEUE: 'q',
        AWS_REGION: 'eu-west-1',
      }),
    );
    expect(s).toMatchObject({
      modelName: 'shoes',
      recheckMs: 1500,
      maxUploadBytes: 2048,
      allowedOrigins: '*',
      batch: { queue: 'q', region: 'eu-west-1' },
    });
  });

  it.each([
    ['MAX_UPLOAD_BYTES', 'ten', "MAX_UPLOAD_BYTES: expected a number ≥ 0, got 'ten'"],
    ['RECHECK_SECONDS', '-1', "RECHECK_SECONDS: expected a number ≥ 0, got '-1'"],
    ['RETRAIN_MIN_FEEDBACK', '0', "RETRAIN_MIN_FEEDBACK: expected a number ≥ 1, got '0'"],
    ['ALLOWED_ORIGINS', 'app.example.com', "ALLOWED_ORIGINS: 'app.example.com' is not an origin"],
  ])('refuses %s=%s with a misconfigured error naming it', (name, value, message) => {
    expect(() => settingsOf(env({ [name]: value }))).toThrow(
      expect.objectContaining({ status: 500, code: 'misconfigured', message: expect.stringContaining(message) }),
    );
  });

  it('names every malformed var at once', () => {
    expect(() => settingsOf(env({ MAX_PIXELS: 'lots', FEEDBACK_PER_MINUTE: 'x' }))).toThrow(
      /MAX_PIXELS.*FEEDBACK_PER_MINUTE/,
    );
  });
});
