// The trainer's failures carry a stable `code` (the CLI prints it and exits 1) and a message that
// says what is wrong and, where possible, what to do.
export class TrainError extends Error {
  override name = 'TrainError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
