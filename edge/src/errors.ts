// Every refusal the API gives is `{ error: { code, message } }`. The codes are public contract: never rename one.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'bad_parameter'
  | 'empty_body'
  | 'missing_file'
  | 'payload_too_large'
  | 'empty_image'
  | 'unsupported_format'
  | 'corrupt_image'
  | 'too_many_pixels'
  | 'unauthorized'
  | 'not_found'
  | 'model_not_found'
  | 'model_unavailable'
  | 'model_integrity'
  | 'model_invalid'
  | 'internal';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
