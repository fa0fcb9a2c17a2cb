// Fuzz cases for the worker's HTTP layer, generated from a seed: case `n` of seed `s` is always the same bytes,
// so any failure is re-run by its id (`<seed>:<n>`). Families:
// - mutate:    real images (the test fixtures) with flipped bits, overwritten bytes, cuts and splices;
// - multipart: form bodies with missing, duplicated, empty, truncated or mislabelled parts and boundaries;
// - chunked:   bodies without Content-Length in many small chunks, empty, or over the upload limit;
// - framing:   Content-Length junk and lies, odd methods and paths;
// - query:     junk in top_k, model, label and the query string itself;
// - hostile:   valid images built to cost work (extreme aspect ratios, deflate bombs, huge declared sizes): the
//              decoders bound them (shared/src/image/; `npm run bench -- edge-hostile` measures each kind).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { deflateBombPng } from '../../helpers/big-images.ts';
import { concatBytes } from '../../helpers/bytes.ts';
import { REPO } from '../worker.ts';

export const FAMILIES = ['mutate', 'multipart', 'chunked', 'framing', 'query', 'hostile'] as const;
export type Family = (typeof FAMILIES)[number];
export const CI_FAMILIES: Family[] = [...FAMILIES];

export interface FuzzCase {
  id: string;
  family: Family;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Sent as given; `chunks` sends the body chunked (no Content-Length) in these pieces. */
  body?: Uint8Array;
  chunks?: Uint8Array[];
}

/** xorshift32: small, seedable, the same in every run. */
export function random(seed: number): () => number {
  let state = (seed >>> 0) ^ 0x9e3779b9 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** The real images the mutations start from: every fixture plus a few dataset PNGs. */
export function seedImages(): { name: string; bytes: Uint8Array }[] {
  const dir = join(REPO, 'tests', 'fixtures', 'images');
  const files = readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/.test(f) && !f.startsWith('huge-header'));
  const data = join(REPO, 'data', 'fashion-mnist-mini', 'test', 'bag');
  return [
    ...files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })),
    ...readdirSync(data)
      .slice(0, 3)
      .map((f) => ({ name: `bag/${f}`, bytes: new Uint8Array(readFileSync(join(data, f))) })),
  ];
}

function mutate(rng: Rng, image: Uint8Array): { bytes: Uint8Array; how: string } {
  const bytes = image.slice();
  switch (int(rng, 5)) {
    case 0: {
      const flips = 1 + int(rng, 16);
      for (let i = 0; i < flips; i++) bytes[int(rng, bytes.length)]! ^= 1 << int(rng, 8);
      return { bytes, how: `${flips} bit flips` };
    }
    case 1: {
      const n = 1 + int(rng, 8);
      const value = pick(rng, [0x00, 0xff, 0x7f, 0x80, int(rng, 256)]);
      // Early bytes hold the headers, where a wrong value matters most.
      for (let i = 0; i < n; i++) bytes[int(rng, Math.min(bytes.length, rng() < 0.7 ? 64 : bytes.length))] = value;
      return { bytes, how: `${n} bytes set to ${value}` };
    }
    case 2: {
      const at = int(rng, bytes.length);
      return { bytes: bytes.slice(0, at), how: `cut at ${at}` };
    }
    case 3: {
      const from = int(rng, bytes.length),
        len = 1 + int(rng, 512),
        to = int(rng, bytes.length);
      return {
        bytes: concatBytes(bytes.slice(0, to), bytes.slice(from, from + len), bytes.slice(to)),
        how: `${len} bytes from ${from} copied to ${to}`,
      };
    }
    default: {
      const junk = Uint8Array.from({ length: 1 + int(rng, 256) }, () => int(rng, 256));
      return rng() < 0.5
        ? { bytes: concatBytes(bytes, junk), how: `${junk.length} junk bytes appended` }
        : { bytes: concatBytes(junk, bytes), how: `${junk.length} junk bytes prepended` };
    }
  }
}

function multipartCase(rng: Rng, image: Uint8Array): { body: Uint8Array; type: string; how: string } {
  const b = `----fuzz${int(rng, 1e9)}`;
  const part = (name: string, content: Uint8Array | string, filename = 'photo.jpg', eol = '\r\n') =>
    concatBytes(
      bytesOf(
        `--${b}${eol}Content-Disposition: form-data; name="${name}"; filename="${filename}"${eol}Content-Type: application/octet-stream${eol}${eol}`,
      ),
      typeof content === 'string' ? bytesOf(content) : content,
      bytesOf(eol),
    );
  const end = bytesOf(`--${b}--\r\n`);
  const type = `multipart/form-data; boundary=${b}`;
  switch (int(rng, 10)) {
    case 0:
      return { body: concatBytes(part('file', image), end), type, how: 'well-formed' };
    case 1:
      return { body: concatBytes(part('file', image), end), type: 'multipart/form-data', how: 'no boundary parameter' };
    case 2:
      return {
        body: concatBytes(part('file', image), end),
        type: `multipart/form-data; boundary=other`,
        how: 'wrong boundary',
      };
    case 3:
      return { body: concatBytes(part('file', new Uint8Array(0)), end), type, how: 'empty file part' };
    case 4:
      return { body: concatBytes(part('file', image), part('file', image), end), type, how: 'two file parts' };
    case 5:
      return {
        body: concatBytes(part('file', image)).slice(0, int(rng, image.length)),
        type,
        how: 'truncated, no closing boundary',
      };
    case 6:
      return {
        body: concatBytes(...Array.from({ length: 500 }, (_, i) => part(`f${i}`, 'x')), part('file', image), end),
        type,
        how: '500 text parts before the file',
      };
    case 7:
      return {
        body: concatBytes(part('file', image, 'a"b\r\nc.jpg', '\n'), end),
        type,
        how: 'LF line ends, odd filename',
      };
    case 8:
      return { body: image, type, how: 'raw image declared as multipart' };
    default:
      return { body: concatBytes(part('file', image), bytesOf(`--${b}`)), type, how: 'no final --' };
  }
}

const JUNK = [
  '',
  '-1',
  '0',
  '1e9',
  'NaN',
  '%',
  '%ZZ',
  '%00',
  '..',
  'a@b@c',
  'x'.repeat(2000),
  '\u{1F600}',
  '5;drop',
  '[]',
  '{}',
  ' 3',
  '99999999999999999999',
];

function queryCase(rng: Rng): string {
  const params: string[] = [];
  const n = 1 + int(rng, 4);
  for (let i = 0; i < n; i++) {
    const key = pick(rng, ['top_k', 'model', 'label', 'x', '', '%', 'top_k[]']);
    params.push(
      `${key}=${pick(rng, [encodeURIComponent(pick(rng, JUNK)), pick(rng, JUNK).replace(/[^\x21-\x7e]/g, ''), String(int(rng, 20))])}`,
    );
  }
  return `?${params.join('&')}`;
}

/** A valid PNG of any size whose pixels are one colour: tiny on the wire, expensive to decode naively. */
function flatPng(width: number, height: number): Uint8Array {
  return encodePng({ width, height, channels: 1, depth: 8, data: new Uint8Array(width * height).fill(128) });
}

// Built once per process: a 256 MB bomb takes a second to deflate.
const hostileBodies = new Map<string, Uint8Array>();
const built = (how: string, make: () => Uint8Array) => ({
  how,
  bytes: hostileBodies.get(how) ?? hostileBodies.set(how, make()).get(how)!,
});

function hostileCase(rng: Rng): { bytes: Uint8Array; how: string } {
  switch (int(rng, 4)) {
    case 0: {
      const w = pick(rng, [20_000, 65_535, 200_000]);
      return built(`valid ${w}×1 PNG`, () => flatPng(w, 1));
    }
    case 1: {
      const h = pick(rng, [20_000, 65_535]);
      return built(`valid 1×${h} PNG`, () => flatPng(1, h));
    }
    case 2: {
      const mb = pick(rng, [16, 64, 256]);
      return built(`1×1 PNG inflating to ${mb} MB`, () => deflateBombPng(mb << 20));
    }
    default: {
      const side = pick(rng, [3000, 4000]);
      return built(`valid ${side}×${side} flat PNG`, () => flatPng(side, side));
    }
  }
}

export interface CaseOptions {
  /** The worker's MAX_UPLOAD_BYTES, so "over the limit" cases are just over it. */
  uploadLimit: number;
}

export function makeCase(
  seed: number,
  n: number,
  families: readonly Family[],
  images: { name: string; bytes: Uint8Array }[],
  opts: CaseOptions,
): FuzzCase {
  const rng = random(seed * 1_000_003 + n);
  const family = families[n % families.length]!;
  const id = `${seed}:${n}`;
  const image = pick(rng, images);
  const route = rng() < 0.9 ? '/v1/classify' : '/v1/feedback?label=bag';
  const raw = { 'content-type': pick(rng, ['application/octet-stream', 'image/jpeg', 'image/png', 'text/plain']) };
  switch (family) {
    case 'mutate': {
      const m = mutate(rng, image.bytes);
      return { id, family, what: `${image.name}: ${m.how}`, method: 'POST', path: route, headers: raw, body: m.bytes };
    }
    case 'multipart': {
      const m = multipartCase(rng, image.bytes);
      return {
        id,
        family,
        what: `${image.name}: ${m.how}`,
        method: 'POST',
        path: route,
        headers: { 'content-type': m.type },
        body: m.body,
      };
    }
    case 'chunked': {
      const kind = int(rng, 3);
      if (kind === 0)
        return { id, family, what: 'empty chunked body', method: 'POST', path: route, headers: raw, chunks: [] };
      if (kind === 1) {
        const size = 1 + int(rng, 64),
          chunks: Uint8Array[] = [];
        for (let at = 0; at < image.bytes.length; at += size) chunks.push(image.bytes.slice(at, at + size));
        return {
          id,
          family,
          what: `${image.name} in ${chunks.length} chunks of ${size} B`,
          method: 'POST',
          path: route,
          headers: raw,
          chunks,
        };
      }
      const chunk = new Uint8Array(64 * 1024).fill(int(rng, 256));
      const count = Math.ceil(opts.uploadLimit / chunk.length) + 1;
      return {
        id,
        family,
        what: `${count} × 64 KiB chunked, over the limit`,
        method: 'POST',
        path: route,
        headers: raw,
        chunks: Array(count).fill(chunk),
      };
    }
    case 'framing': {
      const kind = int(rng, 4);
      if (kind === 0) {
        const cl = pick(rng, ['-1', 'abc', '1e3', '5, 5', '0x10', '+5', ' ', String(2 ** 53)]);
        return {
          id,
          family,
          what: `Content-Length: ${cl}`,
          method: 'POST',
          path: route,
          headers: { ...raw, 'content-length': cl },
          body: image.bytes.slice(0, 5),
        };
      }
      if (kind === 1) {
        const cl = pick(rng, ['99999999999', String(opts.uploadLimit + 1), String(2 ** 40)]);
        return {
          id,
          family,
          what: `Content-Length: ${cl} with ${image.bytes.length} B sent`,
          method: 'POST',
          path: route,
          headers: { ...raw, 'content-length': cl },
          body: image.bytes,
        };
      }
      if (kind === 2) {
        const method = pick(rng, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
        return {
          id,
          family,
          what: `${method} ${route}`,
          method,
          path: route,
          headers: rng() < 0.5 ? { origin: 'https://evil.example', 'access-control-request-method': 'POST' } : {},
        };
      }
      const path = pick(rng, [
        '/v1/classify/',
        '//v1/classify',
        '/v1/classify/../models',
        '/v1/models/%00',
        '/v1/models/' + 'a'.repeat(3000),
        '/v1/models/..%2f..',
        '/%',
        '/v1/%E0%A4%A',
      ]);
      return {
        id,
        family,
        what: `POST ${path.slice(0, 60)}`,
        method: rng() < 0.5 ? 'POST' : 'GET',
        path,
        headers: raw,
        body: image.bytes,
      };
    }
    case 'query': {
      const q = queryCase(rng);
      return {
        id,
        family,
        what: `query ${q.slice(0, 80)}`,
        method: 'POST',
        path: `${route.split('?')[0]}${q}`,
        headers: raw,
        body: image.bytes,
      };
    }
    case 'hostile': {
      const h = hostileCase(rng);
      return {
        id,
        family,
        what: h.how,
        method: 'POST',
        path: '/v1/classify',
        headers: { 'content-type': 'image/png' },
        body: h.bytes,
      };
    }
  }
}

export function* makeCases(
  seed: number,
  count: number,
  families: readonly Family[],
  opts: CaseOptions,
): Generator<FuzzCase> {
  const images = seedImages();
  for (let n = 0; n < count; n++) yield makeCase(seed, n, families, images, opts);
}
