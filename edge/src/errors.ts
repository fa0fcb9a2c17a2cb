// Every refusal the API gives is `{ error: { code, message } }`. The codes are public contract: never rename one.
import { ImageError, type ImageErrorCode } from '@resnet-edge/shared/image/errors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'bad_parameter'
  | 'empty_body'
  | 'missing_file'
  | 'payload_too_large'
  /** Every image refusal keeps its shared code (shared/src/image/errors.ts). */
  | ImageErrorCode
  | 'unknown_label'
  | 'rate_limited'
  | 'forbidden_origin'
  | 'unauthorized'
  | 'not_found'
  | 'model_not_found'
  | 'model_unavailable'
  | 'model_integrity'
  | 'model_invalid'
  | 'misconfigured'
  | 'internal';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const IMAGE_STATUS: Record<ImageErrorCode, ContentfulStatusCode> = {
  empty_image: 400,
  unsupported_format: 415,
  corrupt_image: 422,
  too_many_pixels: 422,
  over_memory_budget: 422,
  inflation_limit: 422,
  png_too_large: 422,
  missing_palette: 422,
  animated_image: 415,
};

/** A bad image (shared preprocessing's typed error) as the API's refusal; anything else is rethrown. */
export function asImageApiError(error: unknown): never {
  if (error instanceof ImageError) throw new ApiError(IMAGE_STATUS[error.code], error.code, error.message);
  throw error;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
