// readLimited, called directly with streamed bodies, of both kinds (a byte stream is read in place through a BYOB
// reader, as workerd's bodies are; a default stream chunk by chunk): every byte arrives once and in order whatever
// the chunking and whatever Content-Length says, and the limit holds.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../edge/src/errors.ts';
import { readLimited } from '../../edge/src/upload.ts';

type Kind = 'default' | 'bytes';

function streamed(chunks: number[][], contentLength?: string, kind: Kind = 'default'): Request {
  const start = (controller: { enqueue(chunk: Uint8Array): void; close(): void }): void => {
    for (const c of chunks) controller.enqueue(new Uint8Array(c));
    controller.close();
  };
  const body =
    kind === 'bytes' ? new ReadableStream({ type: 'bytes', start }) : new ReadableStream<Uint8Array>({ start });
  const headers = contentLength === undefined ? {} : { 'content-length': contentLength };
  return new Request('http://x/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe.each<Kind>(['default', 'bytes'])('readLimited, a %s stream', (kind) => {
  it.each([
    ['declared, one chunk', [[1, 2, 3, 4]], '4'],
    ['declared, several chunks', [[1], [2, 3], [4]], '4'],
    ['undeclared, several chunks', [[1, 2], [3], [4]], undefined],
    [
      'declared too short (the rest is still read)',
      [
        [1, 2],
        [3, 4],
      ],
      '3',
    ],
    [
      'declared too long (the client stopped early)',
      [
        [1, 2],
        [3, 4],
      ],
      '9',
    ],
    ['declared as junk', [[1, 2, 3], [4]], 'abc'],
  ])('%s', async (_, chunks, declared) => {
    expect([...(await readLimited(streamed(chunks, declared, kind), 100))]).toEqual([1, 2, 3, 4]);
  });

  it('copies 1-byte views of 4 KiB buffers out into one buffer, holding none of theirs', async () => {
    const chunks = Array.from({ length: 5000 }, (_, i) => new Uint8Array(new ArrayBuffer(4096), i % 4096, 1).fill(i));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    const request = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
    const bytes = await readLimited(request, 1 << 20);
    expect(bytes.length).toBe(5000);
    expect(bytes[4999]).toBe(4999 & 255);
    expect(chunks.some((c) => c.buffer === bytes.buffer)).toBe(false);
    expect(bytes.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
  });

  it.each([undefined, '150000'])('a 150,000-byte body declared as %s grows past the first buffer', async (declared) => {
    const chunks = Array.from({ length: 15 }, (_, i) => new Array(10_000).fill(i));
    const bytes = await readLimited(streamed(chunks, declared, kind), 200_000);
    expect(bytes.length).toBe(150_000);
    expect([bytes[0], bytes[70_000], bytes[149_999]]).toEqual([0, 7, 14]);
  });

  it('a declared 3 MB body starts in 1 MiB and grows to fit it', async () => {
    const chunks = Array.from({ length: 30 }, (_, i) => new Array(100_000).fill(i));
    const bytes = await readLimited(streamed(chunks, '3000000', kind), 4_000_000);
    expect(bytes.length).toBe(3_000_000);
    expect([bytes[0], bytes[1_048_576], bytes[2_999_999]]).toEqual([0, 10, 29]);
  });

  it('an empty body is empty', async () => {
    expect((await readLimited(streamed([], '0', kind), 100)).length).toBe(0);
  });

  it.each([
    ['declared over the limit', [[1]], '101'],
    ['streamed past the limit', [new Array(60).fill(1), new Array(60).fill(2)], undefined],
    ['streamed past a declared length under the limit', [new Array(60).fill(1), new Array(60).fill(2)], '60'],
  ])('413 when %s', async (_, chunks, declared) => {
    const error = await readLimited(streamed(chunks, declared, kind), 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(413);
  });
});
