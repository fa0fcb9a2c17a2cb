/**
 * Codes: bad_weights_file (truncated, malformed, unsupported dtype), unsafe_pickle (a .pth that holds more than
 * plain tensors), weights_mismatch (a tensor whose name or shape does not fit the model), head_mismatch,
 * init_not_found, init_fetch_failed, unknown_weights_format, bad_freeze; for `model:NAME[@VERSION]` (published.ts):
 * bad_init_ref, init_no_store, init_integrity_error (a file that does not match its manifest), no_float_weights.
 */
export class TransferError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}
