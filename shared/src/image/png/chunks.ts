// A PNG's chunk sequence (PNG spec §5.3), with the CRC checked on every chunk the decoder reads. Ancillary
// chunks it does not need (iCCP, zTXt, iTXt, eXIf, …) are stepped over without being read, let alone
// inflated, so a compressed colour profile or text chunk costs nothing however large it claims to be.
import { ImageError } from '../errors.ts';

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(bytes: Uint8Array, from: number, to: number): number {
  let c = -1;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
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
