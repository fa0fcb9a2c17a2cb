// Backend failures carry a stable `code` like every trainer error, so the CLI can print it and exit 1.
export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    readonly code: 'backend_unavailable' | 'backend_too_late' | 'backend_unknown',
    message: string,
  ) {
    super(message);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
