// The uploaded image's bytes, with the size limit enforced before and while reading: a declared Content-Length
// over the limit is refused without reading a byte; a body without one is counted as it streams and refused
// as soon as it passes the limit, so a client can never make the isolate buffer more than MAX_UPLOAD_BYTES.
import { ApiError } from './errors.ts';

function tooLarge(limit: number, got: string): ApiError {
  return new ApiError(413, 'payload_too_large', `the upload is ${got}; the limit is ${limit} bytes`);
}

export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, `${declared} bytes`);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit, `more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
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
    if (body.byteLength === 0) throw new ApiError(400, 'empty_body', 'the request body is empty: send the image bytes or a multipart field "file"');
    return { bytes: body, fields: {} };
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch (error) {
    throw new ApiError(400, 'bad_parameter', `the multipart body cannot be parsed: ${(error as Error).message}`);
  }
  const fields: Record<string, string> = {};
  let file: File | null = null;
  // workers-types declares FormData values as strings; the runtime gives a File for file fields.
  for (const [name, value] of form.entries() as unknown as Iterable<[string, File | string]>) {
    if (typeof value === 'string') fields[name] = value;
    else if (name === 'file') file = value;
  }
  if (file === null) throw new ApiError(400, 'missing_file', 'the multipart body has no file field named "file"');
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.byteLength === 0) throw new ApiError(400, 'empty_body', 'the uploaded file "file" is empty');
  return { bytes, fields };
}
