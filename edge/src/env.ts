// The worker's bindings, as declared in edge/wrangler.toml ([vars], [[r2_buckets]]) plus its secrets. The vars'
// schema, defaults and parsing are in settings.ts.
import type { Vars } from './settings.ts';

export interface Env extends Vars {
  MODELS: R2Bucket;
  /** Workers rate-limiting binding for POST /v1/feedback; without it a per-isolate limiter applies. */
  FEEDBACK_LIMITER?: RateLimit;
}

export type AppEnv = { Bindings: Env };
