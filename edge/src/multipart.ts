// multipart/form-data (RFC 7578 over RFC 2046's framing), parsed in place over the body already read: parts are
// views of it, so an upload is held once. workerd's own `Response.formData()` is not used: under the fuzz's
// multipart family it alone grew a 20-line worker's process from 104 to 344 MiB in 10,000 requests (BENCHMARKS.md,
// HTTP-layer fuzz), and it gives no bound on the number of parts. Every refusal is a MultipartError whose message
// says what is wrong; the caller answers it as a 400.

/** More parts than a form of ours has any use for; a body of tiny parts otherwise costs an object per few bytes. */
export const MAX_PARTS = 1000;
/** The header block of one part (Content-Disposition, Content-Type, …). */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

export class MultipartError extends Error {}

export interface FormPart {
  name: string;
  /** Present (possibly empty) when the part is a file: Content-Disposition has `filename` or `filename*`. */
  filename: string | undefined;
  contentType: string | undefined;
  /** A view of the body. */
  bytes: Uint8Array;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The boundary parameter of a multipart Content-Type (RFC 2046 §5.1.1: 1–70 characters, maybe quoted). */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2] ?? '';
  if (boundary.length === 0) throw new MultipartError('the Content-Type has no boundary parameter');
  if (boundary.length > 70) throw new MultipartError('the boundary is longer than 70 characters');
  if (/[^\x20-\x7e]/.test(boundary)) throw new MultipartError('the boundary has characters outside printable ASCII');
  return boundary;
}

/** Index of `needle` in `bytes` at or after `from`, or -1. */
function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = bytes.length - needle.length;
  for (let at = bytes.indexOf(first, from); at !== -1 && at <= last; at = bytes.indexOf(first, at + 1)) {
    let k = 1;
    while (k < needle.length && bytes[at + k] === needle[k]) k++;
    if (k === needle.length) return at;
  }
  return -1;
}

/** `name="value"` and `name=value` parameters of a header value, names lower-cased. */
function parameters(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const m of value.matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim());
  }
  return params;
}

function partOf(headerBlock: string, bytes: Uint8Array): FormPart {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of headerBlock.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new MultipartError(`a part has a malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (disposition === undefined || !/^form-data\s*(;|$)/i.test(disposition))
    throw new MultipartError('a part has no Content-Disposition: form-data header');
  const params = parameters(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('a part has no name in its Content-Disposition');
  const filename = params.get('filename') ?? params.get('filename*');
  return { name, filename, contentType, bytes };
}

/** The parts of a multipart body, in order. */
export function parseMultipart(body: Uint8Array, contentType: string): FormPart[] {
  const boundary = boundaryOf(contentType);
  const delimiter = ascii(`\r\n--${boundary}`);
  const decoder = new TextDecoder();
  // The first delimiter may open the body (no CRLF before it) or follow a preamble.
  let at = 0;
  const opening = delimiter.subarray(2);
  if (indexOfBytes(body.subarray(0, opening.length), opening, 0) !== 0) {
    at = indexOfBytes(body, delimiter, 0);
    if (at === -1) throw new MultipartError(`no part is delimited by the boundary ${JSON.stringify(boundary)}`);
    at += 2;
  }
  const parts: FormPart[] = [];
  for (;;) {
    at += opening.length;
    if (body[at] === DASH && body[at + 1] === DASH) return parts; // the close delimiter; the epilogue is ignored
    while (body[at] === 0x20 || body[at] === 0x09) at++; // transport padding
    if (body[at] !== CR || body[at + 1] !== LF) {
      throw new MultipartError(
        at >= body.length
          ? 'the body ends without the closing boundary'
          : 'a boundary line does not end in CRLF (line ends must be CRLF)',
      );
    }
    at += 2;
    if (parts.length === MAX_PARTS) throw new MultipartError(`the body has more than ${MAX_PARTS} parts`);
    let headerEnd: number;
    let contentStart: number;
    if (body[at] === CR && body[at + 1] === LF) {
      headerEnd = at;
      contentStart = at + 2;
    } else {
      const limit = Math.min(body.length, at + MAX_PART_HEADER_BYTES + 4);
      headerEnd = indexOfBytes(body.subarray(0, limit), ascii('\r\n\r\n'), at);
      if (headerEnd === -1)
        throw new MultipartError(
          limit < body.length
            ? `a part's headers are longer than ${MAX_PART_HEADER_BYTES} bytes`
            : "the body ends inside a part's headers",
        );
      contentStart = headerEnd + 4;
    }
    const next = indexOfBytes(body, delimiter, contentStart);
    if (next === -1) throw new MultipartError('the body ends inside a part, without the closing boundary');
    parts.push(partOf(decoder.decode(body.subarray(at, headerEnd)), body.subarray(contentStart, next)));
    at = next + 2;
  }
}

/** A part's bytes as text (UTF-8; malformed sequences become U+FFFD, as form decoding does). */
export function partText(part: FormPart): string {
  return new TextDecoder().decode(part.bytes);
}
