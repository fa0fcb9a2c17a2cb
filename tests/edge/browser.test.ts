// The upload page in a real headless browser (Debian chromium driven by playwright-core) against the real
// worker in workerd: pick a file, see the predictions rendered — the same ones POST /v1/classify gives for
// those bytes. A screenshot is kept in test-output/browser/. CI installs chromium (scripts/system-deps/chromium.sh).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { publish } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { fixture, REPO, startWorker, type TestWorker } from './worker.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(REPO, 'test-output', 'browser');

let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: run scripts/system-deps/chromium.sh (or set CHROMIUM_PATH)`);
  worker = await startWorker({}, { listen: true });
  await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

it('uploading an image shows its top-k labels with score bars, as the API computes them', async () => {
  const file = join(REPO, 'tests', 'fixtures', 'images', 'color-640x427.jpg');
  const api = (await (
    await worker.fetch('/v1/classify', {
      method: 'POST',
      body: await fixture('tests', 'fixtures', 'images', 'color-640x427.jpg'),
    })
  ).json()) as {
    predictions: { label: string; score: number }[];
  };
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // No request may leave the worker: the page needs no CDN or other external asset.
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(worker.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:'))
      external.push(r.url());
  });

  await page.goto(`${worker.url}/`);
  await page.setInputFiles('#file', file);
  await page.locator('.prediction').first().waitFor({ timeout: 30_000 });

  const rows = await page.locator('.prediction').evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector('.label')!.textContent,
      score: el.querySelector('.score')!.textContent,
      // The root tsconfig has no DOM lib: the element is typed by what this line reads.
      bar: (el.querySelector('.bar > span') as unknown as { style: { width: string } }).style.width,
    })),
  );
  expect(rows.map((r) => r.label)).toEqual(api.predictions.map((p) => p.label));
  rows.forEach((r, i) => {
    const pct = (api.predictions[i]!.score * 100).toFixed(1);
    expect(r.score).toBe(`${pct}%`);
    // The browser normalises the style (13.0% → 13%): compare the number.
    expect(parseFloat(r.bar)).toBeCloseTo(Number(pct), 5);
  });
  await expect.poll(() => page.locator('#status').textContent()).toContain('Top 5 for color-640x427.jpg');
  expect(await page.locator('#meta').textContent()).toBe('model fashion-mnist@1.0.0');
  expect(errors).toEqual([]);
  expect(external).toEqual([]);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'upload.png'), fullPage: true });
  expect(existsSync(join(OUT, 'upload.png'))).toBe(true);
}, 120_000);

it('a file that is not an image shows the API error on the page, not a crash', async () => {
  const page = await browser.newPage();
  await page.goto(`${worker.url}/`);
  await page.setInputFiles('#file', join(REPO, 'tests', 'fixtures', 'images', 'not-an-image.jpg'));
  await expect
    .poll(() => page.locator('#status.error').textContent(), { timeout: 30_000 })
    .toContain('unsupported_format');
  expect(await page.locator('.prediction').count()).toBe(0);
}, 60_000);

/** SOF0 width × height of a baseline JPEG. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  for (let i = 2; i + 9 < bytes.length;) {
    const marker = bytes[i + 1]!,
      length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker === 0xc0 || marker === 0xc2)
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

it('a large photo is shrunk in the browser before it is sent, and still classified', async () => {
  const width = 2400,
    height = 1800,
    data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = (x ^ y) & 64 ? 200 : 40;
      data[i + 3] = 255;
    }
  const photo = new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, 'photo-2400x1800.jpg');
  writeFileSync(file, photo);

  const page = await browser.newPage();
  // Playwright does not expose Blob request bodies: the page's fetch keeps a copy of what it sends.
  await page.addInitScript(() => {
    const w = globalThis as unknown as {
      fetch: (u: string, i?: { body?: { arrayBuffer(): Promise<ArrayBuffer> } }) => Promise<unknown>;
      sent?: number[];
    };
    const original = w.fetch.bind(w);
    w.fetch = async (url, init) => {
      if (init?.body) w.sent = Array.from(new Uint8Array(await init.body.arrayBuffer()));
      return original(url, init);
    };
  });
  await page.goto(`${worker.url}/`);
  await page.setInputFiles('#file', file);
  await page.locator('.prediction').first().waitFor({ timeout: 30_000 });
  const body = Uint8Array.from(await page.evaluate(() => (globalThis as unknown as { sent: number[] }).sent));
  expect(jpegSize(body)).toEqual({ width: 1600, height: 1200 });
  expect(body.byteLength).toBeLessThan(photo.byteLength);
  await expect.poll(() => page.locator('#status').textContent()).toContain('(sent as 1600×1200)');
  // What the page sent is what the worker classified: the same bytes give the same labels through the API.
  const api = (await (await worker.fetch('/v1/classify', { method: 'POST', body })).json()) as {
    predictions: { label: string }[];
  };
  expect(await page.locator('.prediction .label').allTextContents()).toEqual(api.predictions.map((p) => p.label));
}, 120_000);
