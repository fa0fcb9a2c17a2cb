// Every way an uploaded image can be refused. The worker maps a code to an HTTP status and the CLI
// to exit code 1, so the codes are part of the public contract: never rename one.
export type ImageErrorCode =
  | 'empty_image'
  | 'unsupported_format'
  | 'corrupt_image'
  | 'too_many_pixels'
  /** Decoding this image at the size the spec needs would take more memory than the per-image budget. */
  | 'over_memory_budget'
  /** A PNG's compressed data inflates to more bytes than its header's size needs (a deflate bomb). */
  | 'inflation_limit'
  /**
   * A PNG whose image data, inflated, is more than the caller decodes (the worker's MAX_PNG_BYTES): PNG has no
   * reduced-size decoding, so its work grows with every byte of it.
   */
  | 'png_too_large'
  /** A palette PNG without its PLTE chunk: its samples are indices with no colours. */
  | 'missing_palette'
  /** An animated WebP (ANIM/ANMF chunks): the model classifies one still picture. */
  | 'animated_image';

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
