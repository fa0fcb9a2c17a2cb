// The uploaded image's bytes, with the size limit enforced before and while reading: a declared Content-Length
// over the limit is refused without reading a byte; a body without one is counted as it streams and refused
// as soon as it passes the limit, so a client can never make the isolate buffer more than MAX_UPLOAD_BYTES.
import { ApiError } from './errors.ts';
import { MultipartError, parseMultipart, partText, type FormPart } from './multipart.ts';

function tooLarge(limit: number, got: string): ApiError {
  return new ApiError(413, 'payload_too_large', `the upload is ${got}; the limit is ${limit} bytes`);
}

/** How long, and how much more, an over-the-limit body is read and dropped before the 413 goes out. */
const DISCARD_MS = 2000;
const DISCARD_FACTOR = 16;

/**
 * The rest of a body that is refused for its size, read and dropped (bounded in time and bytes), then released.
 * Leaving it unread or cancelling it breaks the connection it came on: under `wrangler dev` the next request
 * on the isolate then fails with workerd's "Your worker restarted" (found by tests/edge/fuzz, 1 in 1 cases).
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<void> {
  let dropped = 0;
  const deadline = Date.now() + DISCARD_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), DISCARD_MS)));
  let stalled = false;
  try {
    while (dropped <= limit * DISCARD_FACTOR && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === 'timeout') stalled = true;
      if (next === 'timeout' || next.done) break;
      dropped += next.value.byteLength;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    // A read still waits on a client that stopped sending: only cancelling ends it.
    if (stalled) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}

/** The first buffer of a body without a declared length; it doubles as the body grows (up to the limit). */
const FIRST_BUFFER_BYTES = 64 * 1024;

export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, `${declared} bytes`);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  // Each chunk is copied into one buffer (of the declared length when there is one) and let go: a chunk is a view
  // of the runtime's read buffer, kilobytes whatever its length, so keeping the views of a body sent in 1-byte
  // chunks held ≈ 4.4 KB per byte (200,000 of them grew workerd from 69 to 952 MiB).
  const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : 0;
  let bytes = new Uint8Array(expected > 0 ? expected : Math.min(limit, FIRST_BUFFER_BYTES));
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const end = total + value.byteLength;
    if (end > limit) {
      await discardRest(reader, limit);
      throw tooLarge(limit, `more than ${limit} bytes`);
    }
    if (end > bytes.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(end, bytes.length * 2)));
      grown.set(bytes.subarray(0, total));
      bytes = grown;
    }
    bytes.set(value, total);
    total = end;
  }
  return total === bytes.length ? bytes : bytes.subarray(0, total);
}

export interface ImageForm {
  bytes: Uint8Array;
  /** The multipart body's text fields (empty for a raw body). */
  fields: Record<string, string>;
}

/** The image from a raw body (any Content-Type: the format is sniffed later) or a multipart field `file`. */
export async function readImageUpload(request: Request, limit: number): Promise<Uint8Array> {
  return (await readImageForm(request, limit)).bytes;
}

/** Like readImageUpload, keeping the multipart text fields (e.g. feedback's `label`). */
export async function readImageForm(request: Request, limit: number): Promise<ImageForm> {
  const body = await readLimited(request, limit);
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    if (body.byteLength === 0)
      throw new ApiError(
        400,
        'empty_body',
        'the request body is empty: send the image bytes or a multipart field "file"',
      );
    return { bytes: body, fields: {} };
  }
  let parts: FormPart[];
  try {
    parts = parseMultipart(body, type);
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    throw new ApiError(400, 'bad_parameter', `the multipart body cannot be parsed: ${error.message}`);
  }
  const fields: Record<string, string> = {};
  let file: FormPart | null = null;
  for (const part of parts) {
    if (part.filename === undefined) fields[part.name] = partText(part);
    else if (part.name === 'file') file = part;
  }
  if (file === null) throw new ApiError(400, 'missing_file', 'the multipart body has no file field named "file"');
  const bytes = file.bytes;
  if (bytes.byteLength === 0) throw new ApiError(400, 'empty_body', 'the uploaded file "file" is empty');
  return { bytes, fields };
}
