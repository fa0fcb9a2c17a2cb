// Regenerates tests/fixtures/images/webp-lossy-8-partitions-120x80.webp (fixtures only; CI reads the committed
// file): cwebp cannot split the DCT tokens into several partitions, so libwebp itself (@jsquash/webp, wasm) is
// asked for 8 at method 1 — methods 3 and up force one partition. Run by scripts/make-webp-fixtures.sh.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

(globalThis as { ImageData?: unknown }).ImageData ??= class {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
};
const require = createRequire(import.meta.url);
const wasm = (path: string): WebAssembly.Module => new WebAssembly.Module(readFileSync(require.resolve(path)));
const { default: encode, init: initEncode } = await import('@jsquash/webp/encode.js');
const { default: decode, init: initDecode } = await import('@jsquash/webp/decode.js');
await initEncode(wasm('@jsquash/webp/codec/enc/webp_enc.wasm'));
await initDecode(wasm('@jsquash/webp/codec/dec/webp_dec.wasm'));

const images = join(import.meta.dirname, '../tests/fixtures/images');
const source = readFileSync(join(images, 'webp-lossy-photo-120x80.webp'));
const picture = await decode(
  source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer,
);
const options = { quality: 85, method: 1, partitions: 3, segments: 4 } as Parameters<typeof encode>[1];
writeFileSync(join(images, 'webp-lossy-8-partitions-120x80.webp'), new Uint8Array(await encode(picture, options)));
