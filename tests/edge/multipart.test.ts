// edge/src/multipart.ts called directly: bodies encoded by a real FormData encoder (Node's) parse to the same parts
// as Node's own parser gives, and every malformed body is a MultipartError that says what is wrong.
import { describe, expect, it } from 'vitest';
import { MAX_PARTS, MultipartError, boundaryOf, parseMultipart, partText } from '../../edge/src/multipart.ts';
import { concatBytes } from '../helpers/bytes.ts';
import { random } from './fuzz/cases.ts';

const enc = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | string)[]) =>
  concatBytes(...parts.map((p) => (typeof p === 'string' ? enc(p) : p)));
const TYPE = 'multipart/form-data; boundary=XyZ';
const filePart = (name: string, content: Uint8Array | string, filename = 'a.bin') =>
  concat(`--XyZ\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`, content, '\r\n');
const textPart = (name: string, value: string) =>
  concat(`--XyZ\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);

async function encoded(form: FormData): Promise<{ body: Uint8Array; type: string }> {
  const response = new Response(form);
  return { body: new Uint8Array(await response.arrayBuffer()), type: response.headers.get('content-type')! };
}

function refusal(body: Uint8Array, type = TYPE): string {
  try {
    parseMultipart(body, type);
  } catch (error) {
    expect(error).toBeInstanceOf(MultipartError);
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('parseMultipart', () => {
  it('agrees with Node’s FormData on 200 random forms of text and binary parts', async () => {
    const rng = random(7);
    for (let n = 0; n < 200; n++) {
      const form = new FormData();
      const parts = 1 + Math.floor(rng() * 5);
      for (let i = 0; i < parts; i++) {
        const size = Math.floor(rng() * 3000);
        // Bytes that look like the framing: CR, LF, dashes.
        const bytes = Uint8Array.from(
          { length: size },
          () => [13, 10, 45, Math.floor(rng() * 256)][Math.floor(rng() * 4)]!,
        );
        if (rng() < 0.5) form.append(`f${i}`, new Blob([bytes]), rng() < 0.5 ? `x${i}.jpg` : 'ümlaut q.png');
        else form.append(`t${i}`, `value ${i} ✓ ${'-'.repeat(Math.floor(rng() * 40))}`);
      }
      const { body, type } = await encoded(form);
      const ours = parseMultipart(body, type);
      const theirs = [...(await new Response(body, { headers: { 'content-type': type } }).formData()).entries()];
      expect(ours.map((p) => p.name)).toEqual(theirs.map(([name]) => name));
      for (let i = 0; i < ours.length; i++) {
        const value = theirs[i]![1];
        if (typeof value === 'string') {
          expect(ours[i]!.filename).toBeUndefined();
          expect(partText(ours[i]!)).toBe(value);
        } else {
          expect(ours[i]!.filename).toBe(value.name);
          expect([...ours[i]!.bytes]).toEqual([...new Uint8Array(await value.arrayBuffer())]);
        }
      }
    }
  });

  it('parts are views of the body, not copies', () => {
    const body = concat(filePart('file', 'abc'), '--XyZ--\r\n');
    const [part] = parseMultipart(body, TYPE);
    expect(part!.bytes.buffer).toBe(body.buffer);
  });

  it('skips a preamble and an epilogue, and transport padding after a boundary', () => {
    const body = concat(
      'preamble\r\n',
      '--XyZ  \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n',
      '--XyZ--junk',
    );
    expect(parseMultipart(body, TYPE).map(partText)).toEqual(['1']);
  });

  it('keeps content that holds a near-boundary', () => {
    const body = concat(filePart('file', '\r\n--XyQ\r\n--Xy'), '--XyZ--');
    expect(partText(parseMultipart(body, TYPE)[0]!)).toBe('\r\n--XyQ\r\n--Xy');
  });

  it('reads quoted boundaries and parameters, escaped quotes, filename* and Content-Type', () => {
    const body = concat(
      '--a b\r\nContent-Disposition: form-data; name="file"; filename="x\\"y.jpg"\r\nContent-Type: image/jpeg\r\n\r\nJ\r\n',
      "--a b\r\ncontent-disposition: FORM-DATA; name=plain; filename*=UTF-8''%C3%BC.png\r\n\r\nP\r\n--a b--",
    );
    const parts = parseMultipart(body, 'multipart/form-data; boundary="a b"');
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['file', 'x"y.jpg', 'image/jpeg'],
      ['plain', "UTF-8''%C3%BC.png", undefined],
    ]);
  });

  it('an empty file part is a part with no bytes', () => {
    expect(parseMultipart(concat(filePart('file', ''), '--XyZ--'), TYPE)[0]!.bytes.length).toBe(0);
  });

  it.each([
    ['no boundary parameter', 'multipart/form-data', /no boundary/],
    ['an empty boundary', 'multipart/form-data; boundary=""', /no boundary/],
    ['a boundary over 70 characters', `multipart/form-data; boundary=${'b'.repeat(71)}`, /longer than 70/],
  ])('refuses %s', (_, type, message) => {
    expect(refusal(concat(filePart('file', 'x'), '--XyZ--'), type)).toMatch(message);
  });

  it.each([
    ['a wrong boundary', concat(filePart('file', 'x'), '--XyZ--'), 'multipart/form-data; boundary=other', /no part/],
    ['an empty body', new Uint8Array(0), TYPE, /no part/],
    ['a body cut inside a part', filePart('file', 'xyz').slice(0, 70), TYPE, /ends inside a part/],
    ['a body cut inside the headers', filePart('file', 'x').slice(0, 20), TYPE, /inside a part's headers/],
    ['no final --', concat(filePart('file', 'x'), '--XyZ'), TYPE, /without the closing boundary/],
    ['LF line ends', enc('--XyZ\nContent-Disposition: form-data; name="a"\n\n1\n--XyZ--'), TYPE, /CRLF/],
    [
      'a part without Content-Disposition',
      enc('--XyZ\r\nContent-Type: a/b\r\n\r\n1\r\n--XyZ--'),
      TYPE,
      /Content-Disposition/,
    ],
    ['a part without a name', enc('--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--'), TYPE, /no name/],
    ['a header line without a colon', enc('--XyZ\r\nnonsense\r\n\r\n1\r\n--XyZ--'), TYPE, /malformed header/],
    [
      'headers over 16 KiB',
      concat(`--XyZ\r\nContent-Disposition: form-data; name="a"\r\nX: ${'y'.repeat(17_000)}\r\n\r\n1\r\n--XyZ--`),
      TYPE,
      /longer than 16384/,
    ],
    [
      `more than ${MAX_PARTS} parts`,
      concat(...Array.from({ length: MAX_PARTS + 1 }, (_, i) => textPart(`t${i}`, '')), '--XyZ--'),
      TYPE,
      /more than 1000 parts/,
    ],
  ])('refuses %s', (_, body, type, message) => {
    expect(refusal(body, type)).toMatch(message);
  });

  it(`takes exactly ${MAX_PARTS} parts`, () => {
    const body = concat(...Array.from({ length: MAX_PARTS }, (_, i) => textPart(`t${i}`, 'v')), '--XyZ--');
    expect(parseMultipart(body, TYPE)).toHaveLength(MAX_PARTS);
  });

  it('boundaryOf reads the parameter anywhere in the type', () => {
    expect(boundaryOf('multipart/form-data; charset=utf-8; BOUNDARY=abc')).toBe('abc');
  });
});
