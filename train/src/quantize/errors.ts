// Failures of the quantizer, with a stable `code` for the CLI.
export type QuantizeErrorCode =
  'unsupported_layer' | 'unsupported_graph' | 'calibration_failed' | 'accuracy_gate' | 'export_failed';

export class QuantizeError extends Error {
  override name = 'QuantizeError';
  constructor(
    readonly code: QuantizeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
