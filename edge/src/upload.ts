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

type BodyReader = ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
// Spelled out: the CLI's and the tests' Node typings have no global ReadableStreamReadResult.
type ReadResult = { done: false; value: Uint8Array } | { done: true; value?: Uint8Array | undefined };

/**
 * The next chunk of either kind of reader. A BYOB read fills (and hands back) `room`'s buffer; workerd's
 * `readAtLeast` waits until all of `room` is filled or the body ends, so a body sent in 1-byte chunks costs one read
 * per room, not one per byte (each read leaves a promise and a view behind as garbage).
 */
function readChunk(reader: BodyReader, room: Uint8Array): Promise<ReadResult> {
  if (!(reader instanceof ReadableStreamBYOBReader)) return reader.read();
  // Node's BYOB readers (the unit tests') have no readAtLeast.
  const byob = reader as ReadableStreamBYOBReader & {
    readAtLeast?(min: number, view: Uint8Array): Promise<ReadResult>;
  };
  return byob.readAtLeast ? byob.readAtLeast(room.length, room) : byob.read(room);
}

/**
 * The rest of a body that is refused for its size, read and dropped (bounded in time and bytes), then released.
 * Leaving it unread or cancelling it breaks the connection it came on: under `wrangler dev` the next request
 * on the isolate then fails with workerd's "Your worker restarted" (found by tests/edge/fuzz, 1 in 1 cases).
 */
async function discardRest(reader: BodyReader, limit: number): Promise<void> {
  let dropped = 0;
  let scratch = new Uint8Array(64 * 1024);
  const deadline = Date.now() + DISCARD_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), DISCARD_MS)));
  let stalled = false;
  try {
    while (dropped <= limit * DISCARD_FACTOR && Date.now() < deadline) {
      const next = await Promise.race([readChunk(reader, scratch), timeout]);
      if (next === 'timeout') stalled = true;
      if (next === 'timeout' || next.done) break;
      dropped += next.value.byteLength;
      if (reader instanceof ReadableStreamBYOBReader) scratch = new Uint8Array(next.value.buffer as ArrayBuffer);
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
/** The most allocated for a declared length before its bytes arrive: the header is a promise a client need not keep,
 * and a few idle requests each declaring 10 MiB would otherwise hold tens of megabytes of the isolate's 128. */
const DECLARED_FIRST_MAX_BYTES = 1024 * 1024;

/** A BYOB reader where the body is a byte stream (workerd's request bodies are), else a default one. */
function readerOf(body: ReadableStream<Uint8Array>): BodyReader {
  try {
    return body.getReader({ mode: 'byob' });
  } catch {
    return body.getReader();
  }
}

/** `bytes` with `chunk` written after its first `used` bytes, grown (doubling, up to `limit`) when it must be; a
 * 413 once the body passes `limit`. */
async function append(
  reader: BodyReader,
  bytes: Uint8Array,
  used: number,
  chunk: Uint8Array,
  limit: number,
): Promise<Uint8Array> {
  const end = used + chunk.byteLength;
  if (end > limit) {
    await discardRest(reader, limit);
    throw tooLarge(limit, `more than ${limit} bytes`);
  }
  if (end > bytes.length) {
    const grown = new Uint8Array(Math.min(limit, Math.max(end, bytes.length * 2)));
    grown.set(bytes.subarray(0, used));
    bytes = grown;
  }
  bytes.set(chunk, used);
  return bytes;
}

/** A default reader's chunks, each copied into `bytes` and let go. */
async function readCopying(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  bytes: Uint8Array,
  limit: number,
): Promise<Uint8Array> {
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes.subarray(0, total);
    bytes = await append(reader, bytes, total, value, limit);
    total += value.byteLength;
  }
}

/** The runtime writes into `bytes` itself; once it is full, a read into a small spill buffer tells whether the body
 * ends there or goes on (then `bytes` grows). */
async function readInPlace(reader: ReadableStreamBYOBReader, bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  let total = 0;
  let spill: Uint8Array | null = null;
  for (;;) {
    if (total < bytes.length) {
      const { done, value } = await readChunk(reader, bytes.subarray(total));
      if (value) bytes = new Uint8Array(value.buffer as ArrayBuffer); // the read moved the buffer to `value`
      if (done) break;
      total += value.byteLength;
    } else {
      const { done, value } = await readChunk(reader, spill ?? new Uint8Array(4096));
      if (done) break;
      spill = new Uint8Array(value.buffer as ArrayBuffer);
      bytes = await append(reader, bytes, total, value, limit);
      total += value.byteLength;
    }
  }
  return total === bytes.length ? bytes : bytes.subarray(0, total);
}

export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, `${declared} bytes`);
  if (request.body === null) return new Uint8Array(0);
  // The body goes into one buffer, of the declared length when there is one (at most 1 MiB before bytes arrive).
  // Holding the chunks instead is what not to do: each is a view of a read buffer of kilobytes whatever its length,
  // so keeping the views of a body sent in 1-byte chunks held ≈ 4.4 KB per byte (200,000 of them grew workerd from
  // 69 to 952 MiB).
  const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : 0;
  const first = new Uint8Array(
    Math.min(limit, expected > 0 ? Math.min(expected, DECLARED_FIRST_MAX_BYTES) : FIRST_BUFFER_BYTES),
  );
  const reader = readerOf(request.body);
  return reader instanceof ReadableStreamBYOBReader
    ? readInPlace(reader, first, limit)
    : readCopying(reader, first, limit);
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
