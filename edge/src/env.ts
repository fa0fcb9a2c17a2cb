// The worker's bindings, as declared in edge/wrangler.toml ([vars], [[r2_buckets]]) plus the ADMIN_TOKEN secret.
// Vars arrive as strings; `settingsOf` turns them into numbers once, with the defaults documented here.
import { parseAllowedOrigins, type AllowedOrigins } from './origins.ts';

export interface Env {
  MODELS: R2Bucket;
  /** Model served when a request names none. */
  MODEL_NAME?: string;
  /** Re-read the pointer at most this often (seconds). */
  RECHECK_SECONDS?: string;
  MAX_UPLOAD_BYTES?: string;
  /** Pixel cap below the manifest's: an RGB decode of 40 MP is 120 MB, more than a 128 MB isolate holds. */
  MAX_PIXELS?: string;
  /** Pages of other origins that may read answers and send feedback: comma-separated origins, or '*'. */
  ALLOWED_ORIGINS?: string;
  /** Secret (`wrangler secret put ADMIN_TOKEN`); admin routes answer 401 while it is unset. */
  ADMIN_TOKEN?: string;
  /** Workers rate-limiting binding for POST /v1/feedback; without it a per-isolate limiter applies. */
  FEEDBACK_LIMITER?: RateLimit;
  /** Per-isolate limit when FEEDBACK_LIMITER is not bound (requests per client per minute). */
  FEEDBACK_PER_MINUTE?: string;
  /** Secret salt for hashing client addresses in feedback records. */
  FEEDBACK_SALT?: string;
  /** Cron: submit a retraining job once this many new feedback images arrived since the last one. */
  RETRAIN_MIN_FEEDBACK?: string;
  /** Cron: AWS Batch job queue and job definition (names or ARNs) and region. */
  BATCH_JOB_QUEUE?: string;
  BATCH_JOB_DEFINITION?: string;
  AWS_REGION?: string;
  /** Cron: Batch endpoint override (tests point it at a local server; empty = the regional AWS endpoint). */
  BATCH_ENDPOINT?: string;
  /** Secrets: credentials of an IAM user allowed batch:SubmitJob on that queue and definition only. */
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
}

export type AppEnv = { Bindings: Env };

export interface Settings {
  modelName: string;
  recheckMs: number;
  maxUploadBytes: number;
  maxPixels: number;
  feedbackPerMinute: number;
  /** Empty: only the worker's own pages (and non-browser clients). */
  allowedOrigins: AllowedOrigins;
}

export const DEFAULTS = {
  modelName: 'fashion-mnist',
  recheckSeconds: 30,
  maxUploadBytes: 10 * 1024 * 1024,
  maxPixels: 50_000_000,
  feedbackPerMinute: 10,
} as const;

function positiveNumber(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function settingsOf(env: Env): Settings {
  return {
    modelName: env.MODEL_NAME || DEFAULTS.modelName,
    recheckMs: positiveNumber(env.RECHECK_SECONDS, DEFAULTS.recheckSeconds) * 1000,
    maxUploadBytes: positiveNumber(env.MAX_UPLOAD_BYTES, DEFAULTS.maxUploadBytes),
    maxPixels: positiveNumber(env.MAX_PIXELS, DEFAULTS.maxPixels),
    feedbackPerMinute: positiveNumber(env.FEEDBACK_PER_MINUTE, DEFAULTS.feedbackPerMinute),
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
  };
}
