// A PNG's chunk sequence (PNG spec §5.3), with the CRC checked on every chunk the decoder reads. Ancillary
// chunks it does not need (iCCP, zTXt, iTXt, eXIf, …) are stepped over without being read, let alone
// inflated, so a compressed colour profile or text chunk costs nothing however large it claims to be.
import { ImageError } from '../errors.ts';

// CRC-32 sliced by 8 (8 tables of 256: eight bytes per step): the CRC of every IDAT byte was ≈ a fifth of a photo
// PNG's decode once inflating moved to wasm. Table k holds the CRC of a byte followed by k zero bytes.
const CRC_TABLES = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let k = 1; k < 8; k++)
    for (let n = 0; n < 256; n++) {
      const previous = table[(k - 1) * 256 + n]!;
      table[k * 256 + n] = (previous >>> 8) ^ table[previous & 0xff]!;
    }
  return table;
})();

/** The CRC-32 (ISO-HDLC, as PNG and zlib use) of bytes[from, to). */
export function crc32(bytes: Uint8Array, from: number, to: number): number {
  const t = CRC_TABLES;
  let c = -1;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const b = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + (b & 0xff)]! ^
      t[512 + ((b >>> 8) & 0xff)]! ^
      t[256 + ((b >>> 16) & 0xff)]! ^
      t[b >>> 24]!;
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export interface Chunk {
  type: string;
  data: Uint8Array;
}

/** Chunks the decoder reads; every other ancillary chunk is skipped unread. */
const READ = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);

export function* pngChunks(bytes: Uint8Array): Generator<Chunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length)
      throw new ImageError('corrupt_image', `PNG is truncated: chunk ${type} runs past the end of the file`);
    const critical = (bytes[pos + 4]! & 0x20) === 0;
    if (READ.has(type)) {
      if (crc32(bytes, pos + 4, dataEnd) !== view.getUint32(dataEnd)) {
        throw new ImageError('corrupt_image', `PNG is corrupt: CRC mismatch in chunk ${type}`);
      }
      yield { type, data: bytes.subarray(dataStart, dataEnd) };
      if (type === 'IEND') return;
    } else if (critical) {
      throw new ImageError('unsupported_format', `PNG has an unknown critical chunk ${JSON.stringify(type)}`);
    }
    pos = dataEnd + 4;
  }
  throw new ImageError('corrupt_image', 'PNG is truncated: no IEND chunk');
}
