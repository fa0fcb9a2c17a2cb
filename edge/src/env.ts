// The worker's bindings, as declared in edge/wrangler.toml ([vars], [[r2_buckets]]) plus the ADMIN_TOKEN secret.
// Vars arrive as strings; `settingsOf` turns them into numbers once, with the defaults documented here.
export interface Env {
  MODELS: R2Bucket;
  /** Model served when a request names none. */
  MODEL_NAME?: string;
  /** Re-read the pointer at most this often (seconds). */
  RECHECK_SECONDS?: string;
  MAX_UPLOAD_BYTES?: string;
  /** Pixel cap below the manifest's: an RGB decode of 40 MP is 120 MB, more than a 128 MB isolate holds. */
  MAX_PIXELS?: string;
  /** Secret (`wrangler secret put ADMIN_TOKEN`); admin routes answer 401 while it is unset. */
  ADMIN_TOKEN?: string;
}

export type AppEnv = { Bindings: Env };

export interface Settings {
  modelName: string;
  recheckMs: number;
  maxUploadBytes: number;
  maxPixels: number;
}

export const DEFAULTS = {
  modelName: 'fashion-mnist',
  recheckSeconds: 30,
  maxUploadBytes: 10 * 1024 * 1024,
  maxPixels: 12_000_000,
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
  };
}
