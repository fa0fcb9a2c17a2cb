export type RetrainErrorCode = 'no_champion' | 'labels_mismatch' | 'no_float_weights';

export class RetrainError extends Error {
  override name = 'RetrainError';
  constructor(
    readonly code: RetrainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
