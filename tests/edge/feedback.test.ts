// POST /v1/feedback in real workerd with a real R2 binding: accepted feedback lands in R2 as image + record,
// bad feedback is refused like a bad upload, and one client is rate-limited.
import { parseFeedbackRecord } from '@resnet-edge/shared/registry/feedback';
import { feedbackKeys } from '@resnet-edge/shared/registry/layout';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { expectError, fixture, MAX_UPLOAD_BYTES, multipart, startWorker, type TestWorker } from './worker.ts';

let worker: TestWorker;
let png: Uint8Array;
let jpeg: Uint8Array;

beforeAll(async () => {
  // A limit of 8 a minute for this file's clients; each test uses its own client address.
  worker = await startWorker({ FEEDBACK_PER_MINUTE: '8', FEEDBACK_SALT: 'test-salt' });
  await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  png = await fixture('data', 'fashion-mnist-mini', 'test', 'bag', '00018.png');
  jpeg = await fixture('tests', 'fixtures', 'images', 'gray-61x45.jpg');
});
afterAll(() => worker?.dispose());

const send = (query: string, body: Uint8Array, client: string, type = 'application/octet-stream') =>
  worker.fetch(`/v1/feedback${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': type, 'cf-connecting-ip': client },
  });

async function stored(key: string): Promise<Uint8Array | null> {
  const obj = await (await worker.mf.getR2Bucket('MODELS')).get(key);
  return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
}

describe('accepted feedback', () => {
  it('stores the image and its record under feedback/<model>/<day>/ and answers 202 with the id', async () => {
    const res = await send('?label=bag', png, '10.0.0.1');
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as { id: string; model: { name: string; version: string }; label: string };
    expect(body.model).toEqual({ name: 'fashion-mnist', version: '1.0.0' });
    const keys = feedbackKeys('fashion-mnist', body.id);
    expect(keys.meta).toMatch(/^feedback\/fashion-mnist\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-[0-9a-f]{12}\.json$/);
    expect(await stored(keys.image)).toEqual(png);
    const record = parseFeedbackRecord((await stored(keys.meta))!);
    expect(record).toMatchObject({
      id: body.id,
      label: 'bag',
      format: 'png',
      size: png.byteLength,
      sha256: await sha256Hex(png),
      model: { name: 'fashion-mnist', version: '1.0.0' },
    });
    // The client is a salted hash, never the address itself.
    expect(record.client).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(record)).not.toContain('10.0.0.1');
  });

  it('takes a multipart upload with the label as a form field', async () => {
    const form = await multipart({ file: jpeg, label: 'coat' });
    const res = await send('', form.body, '10.0.0.2', form.type);
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(parseFeedbackRecord((await stored(feedbackKeys('fashion-mnist', id).meta))!)).toMatchObject({
      label: 'coat',
      format: 'jpeg',
    });
  });

  it('takes WebP as the classifier does, stored as image/webp', async () => {
    const webp = await fixture('tests', 'fixtures', 'images', 'sample-32x24.webp');
    const res = await send('?label=bag', webp, '10.0.0.5', 'image/webp');
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const keys = feedbackKeys('fashion-mnist', id);
    expect(parseFeedbackRecord((await stored(keys.meta))!)).toMatchObject({
      label: 'bag',
      format: 'webp',
      size: webp.byteLength,
    });
    const object = await (await worker.mf.getR2Bucket('MODELS')).head(keys.image);
    expect(object?.httpMetadata?.contentType).toBe('image/webp');
  });
});

describe('refused feedback', () => {
  it('an unknown label is 400 unknown_label naming the valid labels', async () => {
    const err = await expectError(await send('?label=giraffe', png, '10.0.0.3'), 400, 'unknown_label');
    expect(err.message).toContain('ankle_boot');
  });
  it('no label is 400', async () => {
    await expectError(await send('', png, '10.0.0.3'), 400, 'bad_parameter');
  });
  it('bad images are refused like uploads: corrupt 422, not an image 415, empty 400, too big 413', async () => {
    await expectError(await send('?label=bag', png.slice(0, 60), '10.0.0.4'), 422, 'corrupt_image');
    await expectError(
      await send('?label=bag', new TextEncoder().encode('hello, not an image'), '10.0.0.4'),
      415,
      'unsupported_format',
    );
    await expectError(await send('?label=bag', new Uint8Array(0), '10.0.0.4'), 400, 'empty_body');
    await expectError(
      await send('?label=bag', new Uint8Array(MAX_UPLOAD_BYTES + 1), '10.0.0.4'),
      413,
      'payload_too_large',
    );
  });
  it('nothing refused was stored', async () => {
    const listed = await (await worker.mf.getR2Bucket('MODELS')).list({ prefix: 'feedback/' });
    // Only the three accepted uploads above: image + record each.
    expect(listed.objects.length).toBe(6);
  });
});

describe('rate limit', () => {
  it('a client over FEEDBACK_PER_MINUTE gets 429 with Retry-After; another client is unaffected', async () => {
    for (let i = 0; i < 8; i++) expect((await send('?label=bag', png, '10.0.0.9')).status).toBe(202);
    const limited = await send('?label=bag', png, '10.0.0.9');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectError(limited, 429, 'rate_limited');
    expect((await send('?label=bag', png, '10.0.0.10')).status).toBe(202);
  });
});
