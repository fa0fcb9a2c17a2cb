// Failures of the model zoo. `code` is stable for the CLI and callers; the message quotes the value
// received and what would have been accepted.
export type ModelErrorCode = 'unknown_arch' | 'input_too_small' | 'bad_options';

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}
