// Every failure to load or run a `.tflite` model surfaces as one error type with a stable code, so callers
// (the worker, the CLI) can map it to a response without parsing messages.
export type TfliteErrorCode = 'truncated' | 'bad_identifier' | 'unsupported_op' | 'invalid_model';

export class TfliteError extends Error {
  constructor(
    readonly code: TfliteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TfliteError';
  }
}
