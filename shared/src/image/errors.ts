// Every way an uploaded image can be refused. The worker maps a code to an HTTP status and the CLI
// to exit code 1, so the codes are part of the public contract: never rename one.
export type ImageErrorCode = 'empty_image' | 'unsupported_format' | 'corrupt_image' | 'too_many_pixels';

export class ImageError extends Error {
  override name = 'ImageError';
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isImageError(value: unknown): value is ImageError {
  return value instanceof ImageError;
}
