// The CORS and origin policy (edge/src/cors.ts) in real workerd: preflights answered for allowed pages and
// refused for others, answers readable only by allowed pages, feedback refused from other sites' pages unless
// ALLOWED_ORIGINS names them, and a malformed ALLOWED_ORIGINS named in a JSON 500 instead of a silent default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedOrigins } from '../../edge/src/origins.ts';
import { publish } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { expectError, fixture, startWorker, type TestWorker } from './worker.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';
// dispatchFetch sends every request to http://localhost: that is the worker's own origin here.
const SELF = 'http://localhost';

let worker: TestWorker;
let png: Uint8Array;

beforeAll(async () => {
  worker = await startWorker({ ALLOWED_ORIGINS: `${APP}, http://127.0.0.1:5173`, FEEDBACK_PER_MINUTE: '100' });
  await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  png = await fixture('data', 'fashion-mnist-mini', 'test', 'bag', '00018.png');
});
afterAll(() => worker?.dispose());

const preflight = (path: string, origin: string, method = 'POST') =>
  worker.fetch(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });
const feedback = (headers: Record<string, string>) =>
  worker.fetch('/v1/feedback?label=bag', {
    method: 'POST',
    body: png,
    headers: { 'content-type': 'image/png', ...headers },
  });

describe('ALLOWED_ORIGINS', () => {
  it('takes origins separated by commas or spaces, or a lone *', () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins(' https://a.example ,http://localhost:8787  https://b.example:8443')).toEqual([
      'https://a.example',
      'http://localhost:8787',
      'https://b.example:8443',
    ]);
    expect(parseAllowedOrigins('*')).toBe('*');
  });

  it.each([
    'https://a.example/',
    'https://a.example/app',
    'a.example',
    'ftp://a.example',
    'https://A.example',
    '*, https://a.example',
  ])('refuses %s, naming it', (raw) => {
    expect(() => parseAllowedOrigins(raw)).toThrow(/ALLOWED_ORIGINS/);
  });

  it('a malformed value makes every route answer a JSON 500 naming the variable', async () => {
    const broken = await startWorker({ ALLOWED_ORIGINS: 'app.example.com' });
    try {
      const error = await expectError(
        await broken.fetch('/v1/classify', { method: 'POST', body: png }),
        500,
        'misconfigured',
      );
      expect(error.message).toContain("ALLOWED_ORIGINS: 'app.example.com' is not an origin");
    } finally {
      await broken.dispose();
    }
  });
});

describe('preflight (OPTIONS)', () => {
  it('grants an allowed origin the route’s method and Content-Type', async () => {
    const res = await preflight('/v1/feedback', APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
    expect((await preflight('/v1/models/fashion-mnist', 'http://127.0.0.1:5173', 'GET')).status).toBe(204);
  });

  it('refuses another origin, a method the route does not answer, and the admin routes, each as JSON', async () => {
    const evil = await preflight('/v1/feedback', EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect((await expectError(evil, 403, 'forbidden_origin')).message).toContain(EVIL);
    await expectError(await preflight('/v1/classify', 'null'), 403, 'forbidden_origin');
    await expectError(await preflight('/v1/classify', APP, 'DELETE'), 403, 'forbidden_origin');
    const admin = await preflight('/v1/admin/reload', APP);
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
    await expectError(admin, 401, 'unauthorized');
    await expectError(await preflight('/v2/nothing', APP), 404, 'not_found');
  });

  it('without an Origin (not a browser preflight) says which methods the route takes', async () => {
    const res = await worker.fetch('/v1/classify', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('answers', () => {
  it('are readable by an allowed page, and by no other', async () => {
    const allowed = await worker.fetch('/v1/classify', { method: 'POST', body: png, headers: { origin: APP } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await worker.fetch('/v1/classify', { method: 'POST', body: png, headers: { origin: EVIL } });
    expect(other.status).toBe(200); // no side effect: the browser, not the worker, withholds the answer
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const models = await worker.fetch('/v1/models', { headers: { origin: APP } });
    expect(models.headers.get('access-control-allow-origin')).toBe(APP);
  });
});

describe('feedback from browsers', () => {
  it('is refused from another site’s page before anything is read or stored', async () => {
    const error = await expectError(
      await feedback({ origin: EVIL, 'sec-fetch-site': 'cross-site' }),
      403,
      'forbidden_origin',
    );
    expect(error.message).toContain(EVIL);
    // A page that sends no Origin still says where it came from.
    await expectError(await feedback({ 'sec-fetch-site': 'cross-site' }), 403, 'forbidden_origin');
    await expectError(await feedback({ 'sec-fetch-site': 'same-site' }), 403, 'forbidden_origin');
    await expectError(await feedback({ origin: 'null' }), 403, 'forbidden_origin');
    const stored = await (await worker.mf.getR2Bucket('MODELS')).list({ prefix: 'feedback/' });
    expect(stored.objects).toEqual([]);
  });

  it('is accepted from the worker’s own page, an allowed origin, and clients that are no page (curl, the CLI)', async () => {
    for (const headers of [
      { origin: SELF, 'sec-fetch-site': 'same-origin' },
      { origin: APP, 'sec-fetch-site': 'cross-site' },
      {},
    ] as Record<string, string>[]) {
      const res = await feedback(headers);
      expect(res.status, `${JSON.stringify(headers)}: ${await res.clone().text()}`).toBe(202);
    }
  });

  it('is accepted from any page when ALLOWED_ORIGINS is *', async () => {
    const open = await startWorker({ ALLOWED_ORIGINS: '*' });
    try {
      await publish(open, 'fashion-mnist', '1.0.0', tinyModel(1));
      const res = await open.fetch('/v1/feedback?label=bag', { method: 'POST', body: png, headers: { origin: EVIL } });
      expect(res.status, await res.clone().text()).toBe(202);
      expect(res.headers.get('access-control-allow-origin')).toBe(EVIL);
    } finally {
      await open.dispose();
    }
  });
});
