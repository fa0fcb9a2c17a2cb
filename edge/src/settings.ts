// The worker's vars (edge/wrangler.toml [vars] and its secrets) arrive as strings; one zod schema, EnvSchema,
// turns them into typed Settings with the default written beside each. A malformed var is a deployment error:
// every route answers a JSON 500 that names it, rather than the worker quietly running on a default the operator
// did not choose. Bindings (R2, rate limiter) are typed in env.ts; this file needs no Workers types.
import { z } from 'zod';
import { ApiError } from './errors.ts';
import { parseAllowedOrigins, type AllowedOrigins } from './origins.ts';

/** An unset or blank var takes its default; anything else must be a number ≥ min. */
const count = (name: string, fallback: number, min = 0) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      if (Number.isFinite(n) && n >= min) return n;
      ctx.addIssue({ code: 'custom', message: `${name}: expected a number ≥ ${min}, got '${raw}'` });
      return z.NEVER;
    });

const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? fallback : raw.trim()));

const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()));

const origins = z
  .string()
  .optional()
  .transform((raw, ctx): AllowedOrigins => {
    try {
      return parseAllowedOrigins(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const EnvSchema = z.object({
  /** Model served when a request names none. */
  MODEL_NAME: text('fashion-mnist'),
  /** Re-read the pointer at most this often (seconds). */
  RECHECK_SECONDS: count('RECHECK_SECONDS', 30),
  MAX_UPLOAD_BYTES: count('MAX_UPLOAD_BYTES', 10 * 1024 * 1024),
  /** Pixel cap below the manifest's; JPEG and PNG decode at the model's size, so 50 MP fits a 128 MB isolate. */
  MAX_PIXELS: count('MAX_PIXELS', 50_000_000),
  /**
   * PNGs decode at full size (no DCT scaling), so their work is bounded by their inflated image data instead:
   * 16 MiB holds a 2560×1600 RGBA screenshot and decodes in tens of ms (BENCHMARKS.md, hostile uploads).
   */
  MAX_PNG_BYTES: count('MAX_PNG_BYTES', 16 * 1024 * 1024),
  /** Pages of other origins that may read answers and send feedback: comma-separated origins, or '*'. */
  ALLOWED_ORIGINS: origins,
  /** Secret (`wrangler secret put ADMIN_TOKEN`); admin routes answer 401 while it is unset. */
  ADMIN_TOKEN: optionalText,
  /** Per-isolate limit when FEEDBACK_LIMITER is not bound (requests per client per minute). */
  FEEDBACK_PER_MINUTE: count('FEEDBACK_PER_MINUTE', 10),
  /** Secret salt for hashing client addresses in feedback records. */
  FEEDBACK_SALT: optionalText,
  /** Cron: submit a retraining job once this many new feedback images arrived since the last one. */
  RETRAIN_MIN_FEEDBACK: count('RETRAIN_MIN_FEEDBACK', 100, 1),
  /** Cron: AWS Batch job queue and job definition (names or ARNs) and region. */
  BATCH_JOB_QUEUE: optionalText,
  BATCH_JOB_DEFINITION: optionalText,
  AWS_REGION: text('us-east-1'),
  /** Cron: Batch endpoint override (tests point it at a local server; unset = the regional AWS endpoint). */
  BATCH_ENDPOINT: optionalText,
  /** Secrets: credentials of an IAM user allowed batch:SubmitJob on that queue and definition only. */
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
});

/** The vars as the runtime hands them over. */
export type Vars = Partial<Record<keyof typeof EnvSchema.shape, string>>;

export interface Settings {
  modelName: string;
  recheckMs: number;
  maxUploadBytes: number;
  maxPixels: number;
  maxPngBytes: number;
  feedbackPerMinute: number;
  /** Empty: only the worker's own pages (and non-browser clients). */
  allowedOrigins: AllowedOrigins;
  adminToken: string | undefined;
  feedbackSalt: string | undefined;
  retrainMinFeedback: number;
  batch: {
    queue?: string;
    definition?: string;
    region: string;
    endpoint?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
  };
}

// The env object is the same for every request an isolate serves: parse it once.
const parsed = new WeakMap<Vars, Settings>();

export function settingsOf(env: Vars): Settings {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = EnvSchema.safeParse(env);
  if (!result.success) throw new ApiError(500, 'misconfigured', result.error.issues.map((i) => i.message).join('; '));
  const v = result.data;
  const settings: Settings = {
    modelName: v.MODEL_NAME,
    recheckMs: v.RECHECK_SECONDS * 1000,
    maxUploadBytes: v.MAX_UPLOAD_BYTES,
    maxPixels: v.MAX_PIXELS,
    maxPngBytes: v.MAX_PNG_BYTES,
    feedbackPerMinute: v.FEEDBACK_PER_MINUTE,
    allowedOrigins: v.ALLOWED_ORIGINS,
    adminToken: v.ADMIN_TOKEN,
    feedbackSalt: v.FEEDBACK_SALT,
    retrainMinFeedback: v.RETRAIN_MIN_FEEDBACK,
    batch: {
      queue: v.BATCH_JOB_QUEUE,
      definition: v.BATCH_JOB_DEFINITION,
      region: v.AWS_REGION,
      endpoint: v.BATCH_ENDPOINT,
      accessKeyId: v.AWS_ACCESS_KEY_ID,
      secretAccessKey: v.AWS_SECRET_ACCESS_KEY,
    },
  };
  parsed.set(env, settings);
  return settings;
}
