// The API's refusals in real workerd, before any model can answer: every bad input gets its status and a
// `{ error: { code, message } }` body, model problems are 503/404 naming the object at fault, admin needs a token.
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointerKey, modelFileKey, manifestKey } from '@resnet-edge/shared/registry/layout';
import {
  ADMIN_TOKEN,
  MAX_UPLOAD_BYTES,
  expectError,
  fixture,
  multipart,
  startWorker,
  type TestWorker,
} from './worker.ts';
import { movePointer, putVersion } from './publish.ts';

let worker: TestWorker;
let png: Uint8Array;

beforeAll(async () => {
  worker = await startWorker();
  png = await fixture('data', 'fashion-mnist-mini', 'test', 'ankle_boot', '00000.png');
});
afterAll(() => worker?.dispose());

const post = (path: string, body: Uint8Array | null, headers: Record<string, string> = {}) =>
  worker.fetch(path, { method: 'POST', body, headers });

describe('with an empty bucket', () => {
  it('healthz is 503 model_unavailable naming the missing pointer', async () => {
    const error = await expectError(await worker.fetch('/healthz'), 503, 'model_unavailable');
    expect(error.message).toContain(pointerKey('fashion-mnist'));
  });

  it('a valid image gets 503 for the default model and 404 for a named unknown one', async () => {
    await expectError(await post('/v1/classify', png), 503, 'model_unavailable');
    await expectError(await post('/v1/classify?model=no-such-model', png), 404, 'model_not_found');
    await expectError(await post('/v1/classify?model=no-such-model@1.0.0', png), 404, 'model_not_found');
    await expectError(await worker.fetch('/v1/models/no-such-model'), 404, 'model_not_found');
  });

  it('lists no models', async () => {
    const response = await worker.fetch('/v1/models');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ default: 'fashion-mnist', models: [] });
  });
});

describe('bad uploads are refused before any model is needed', () => {
  it('an empty body is 400 empty_body', async () => {
    await expectError(await post('/v1/classify', new Uint8Array(0)), 400, 'empty_body');
    await expectError(await post('/v1/classify', null), 400, 'empty_body');
  });

  it('a Content-Length over the limit is 413', async () => {
    const big = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    const error = await expectError(await post('/v1/classify', big), 413, 'payload_too_large');
    expect(error.message).toContain(String(MAX_UPLOAD_BYTES + 1));
  });

  it('a chunked body without Content-Length is cut off once it passes the limit', async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(7);
    // The stream passes the limit by one chunk and then never ends: an answer proves the worker stopped
    // reading at the limit instead of buffering the whole body first.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_UPLOAD_BYTES) return new Promise<void>(() => {});
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await worker.fetch('/v1/classify', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'payload_too_large');
  }, 15_000);

  it('a multipart body without a `file` field is 400 missing_file', async () => {
    const form = await multipart({ image: 'not a file' });
    await expectError(await post('/v1/classify', form.body, { 'content-type': form.type }), 400, 'missing_file');
    const wrongField = await multipart({ image: png });
    await expectError(
      await post('/v1/classify', wrongField.body, { 'content-type': wrongField.type }),
      400,
      'missing_file',
    );
  });

  it.each(['0', '-1', 'abc', '2.5', ''])('top_k=%s is 400 bad_parameter', async (k) => {
    await expectError(await post(`/v1/classify?top_k=${k}`, png), 400, 'bad_parameter');
  });

  it.each(['Bad Name', 'x@1', 'x@1.0.0@2'])('model=%s is 400 bad_parameter', async (model) => {
    await expectError(await post(`/v1/classify?model=${encodeURIComponent(model)}`, png), 400, 'bad_parameter');
  });

  it('an unknown route is a JSON 404', async () => {
    await expectError(await worker.fetch('/v2/nothing'), 404, 'not_found');
    await expectError(await worker.fetch('/v1/classify'), 404, 'not_found'); // GET: only POST classifies
  });
});

describe('admin routes', () => {
  it('refuse a missing, malformed or wrong token with 401', async () => {
    await expectError(await post('/v1/admin/reload', null), 401, 'unauthorized');
    await expectError(await post('/v1/admin/reload', null, { authorization: ADMIN_TOKEN }), 401, 'unauthorized');
    await expectError(
      await post('/v1/admin/reload', null, { authorization: 'Bearer test-tokem' }),
      401,
      'unauthorized',
    );
    await expectError(
      await post('/v1/admin/reload', null, { authorization: `Bearer ${ADMIN_TOKEN}x` }),
      401,
      'unauthorized',
    );
  });

  it('accept the token (and then report that no model is published)', async () => {
    await expectError(
      await post('/v1/admin/reload', null, { authorization: `Bearer ${ADMIN_TOKEN}` }),
      503,
      'model_unavailable',
    );
  });
});

describe('model objects are verified before use', () => {
  it('a model.tflite whose bytes differ from the manifest is 503 model_integrity naming the key', async () => {
    const published = await putVersion(worker, 'tampered', '1.0.0', new Uint8Array(64).fill(1));
    await movePointer(worker, published);
    await worker.put(modelFileKey('tampered', '1.0.0'), new Uint8Array(64).fill(2)); // same size, other bytes
    const error = await expectError(await post('/v1/classify?model=tampered', png), 503, 'model_integrity');
    expect(error.message).toContain(modelFileKey('tampered', '1.0.0'));
    await worker.put(modelFileKey('tampered', '1.0.0'), new Uint8Array(63).fill(1)); // other size
    expect(
      (await expectError(await post('/v1/classify?model=tampered', png), 503, 'model_integrity')).message,
    ).toContain('63 bytes');
  });

  it('a manifest that is not the one the pointer names is 503 model_integrity naming the manifest', async () => {
    const published = await putVersion(worker, 'swapped', '1.0.0', new Uint8Array(64).fill(1));
    await movePointer(worker, { ...published, manifestSha256: '0'.repeat(64) });
    const error = await expectError(await post('/v1/classify?model=swapped', png), 503, 'model_integrity');
    expect(error.message).toContain(manifestKey('swapped', '1.0.0'));
  });

  it('a missing model file is 503 model_unavailable naming the key', async () => {
    const published = await putVersion(worker, 'half-published', '1.0.0', new Uint8Array(64).fill(1));
    await movePointer(worker, published);
    await worker.mf.getR2Bucket('MODELS').then((b) => b.delete(modelFileKey('half-published', '1.0.0')));
    const error = await expectError(await post('/v1/classify?model=half-published', png), 503, 'model_unavailable');
    expect(error.message).toContain(modelFileKey('half-published', '1.0.0'));
  });

  it('a pointer that is not JSON is 503 model_invalid', async () => {
    await worker.put(pointerKey('garbled'), '{not json');
    const error = await expectError(await post('/v1/classify?model=garbled', png), 503, 'model_invalid');
    expect(error.message).toContain(pointerKey('garbled'));
  });
});

describe('the upload page', () => {
  it('is one self-contained HTML document that posts to /v1/classify', async () => {
    const response = await worker.fetch('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("fetch('/v1/classify'");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i); // no external asset
    expect(html).not.toMatch(/innerHTML/); // labels are rendered as text, never parsed as HTML
    // The inline script at least compiles; no browser runs it in this suite yet.
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(() => new Script(script!)).not.toThrow();
  });
});
