// Every registry failure carries a stable code; the CLI prints it and exits 1.
export type RegistryErrorCode =
  | 'precondition_failed'
  | 'store_unreachable'
  | 'store_error'
  | 'bad_store_url'
  | 'version_exists'
  | 'pointer_moved'
  | 'integrity_error'
  | 'model_not_found'
  | 'version_not_found'
  | 'nothing_to_roll_back'
  | 'invalid_model_dir';

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
